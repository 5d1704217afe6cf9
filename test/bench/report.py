"""Renders the benchmark's results as markdown: the figures against the budgets and goals.

Pure functions of the results dict that run.py builds (plus `machine()`, which reads /proc).
The explanations for missed budgets are derived from the measured figures (e.g. peak RSS during
the lists against RSS after the sync), so a rerun after a fix rewrites them consistently.
The budgets and goals are stated in the report itself, figure by figure.

    /usr/bin/python3 test/bench/report.py --compare before=b.json after=a.json
prints the goals table with a column per run (the before/after tables of the findings);
    /usr/bin/python3 test/bench/report.py --render results.json --findings test/bench/findings.md
prints the report of a run's JSON again (e.g. after the findings changed).
"""

import argparse
import json
import os
import platform
import sys
import time

MIB = 1024 * 1024
# The budgets.
BUDGET_BINARY = 2 * MIB
BUDGET_IDLE = 4 * MIB
BUDGET_LOADED = 16 * MIB
BUDGET_LATENCY_P99_MS = 50.0
# The goals beside the budgets: 10,000 namespaces / 100,000 pods at the default flags.
GOAL_PEAK = 12 * MIB
GOAL_SETTLED = 8 * MIB
GOAL_LATENCY_P99_MS = 20.0
GOAL_CPU_MS_PER_RELABEL = 1.0


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), model)
    except OSError:
        pass
    memory = None
    try:
        with open("/proc/meminfo") as f:
            memory = int(next(l for l in f if l.startswith("MemTotal")).split()[1]) * 1024
    except (OSError, StopIteration):
        pass
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model, "memory": memory,
            "kernel": platform.release(), "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "loadavg_start": round(os.getloadavg()[0], 2)}


def mib(value):
    return "n/a" if value is None else f"{value / MIB:.1f} MiB"


def verdict(ok):
    if ok is None:
        return "not measured"
    return "met" if ok else "**missed**"


def verbs(counts):
    if not counts:
        return "0"
    return ", ".join(f"{verb} {n}" for verb, n in sorted(counts.items()))


WRITE_VERBS = ("create", "update", "patch", "delete")


def writes(by_resource, resource=None):
    """Write requests in a {"verb plural": n} map, optionally of one resource only."""
    return sum(n for key, n in (by_resource or {}).items()
               if key.split(" ")[0] in WRITE_VERBS and (resource is None or key.endswith(" " + resource)))


def describe_writes(by_resource):
    secret = writes(by_resource, "secrets")
    other = {k: n for k, n in (by_resource or {}).items() if k.split(" ")[0] in WRITE_VERBS and not k.endswith(" secrets")}
    text = f"{writes(by_resource)} ({secret} to the Secret"
    return text + "".join(f", {n} {k}" for k, n in other.items()) + ")"


def budget_rows(r):
    p = r["parameters"]
    sync = r.get("initial_sync", {})
    idle = r.get("idle_empty", {})
    events = r.get("events", {})
    latency = r.get("latency", {})
    binary = binary_size(r)
    pod = events.get("new pod in a served namespace")
    fresh = events.get("new matching namespace")
    peak = sync.get("peak_rss")
    rows = [
        ("stripped static binary", "≤ 2 MiB", f"{mib(binary)} ({binary:,} bytes)" if binary else "n/a", verdict(None if binary is None else binary <= BUDGET_BINARY)),
        ("resident memory, idle (empty cluster)", "≤ 4 MiB", mib(idle.get("rss")),
         verdict(None if idle.get("rss") is None else idle["rss"] <= BUDGET_IDLE)),
        (f"resident memory, {p['namespaces']:,} namespaces + {p['pods']:,} pods (peak, VmHWM)", "≤ 16 MiB",
         mib(peak), verdict(None if peak is None else peak <= BUDGET_LOADED)),
        ("resident memory after that sync, idle", "(≤ 16 MiB)", mib(sync.get("rss_after_sync")),
         verdict(None if sync.get("rss_after_sync") is None else sync["rss_after_sync"] <= BUDGET_LOADED)),
        ("API requests for a new pod in an already-served namespace", "0",
         "n/a" if pod is None else str(pod["requests_total"]),
         verdict(None if pod is None else pod["requests_total"] == 0)),
        # The budget's one write is the Secret's; the status write that follows is the status
        # budget's (coalesced to one per resource per second, the relabel burst's row).
        ("new matching namespace → Secret written: Secret writes", "1",
         "n/a" if fresh is None else describe_writes(fresh["by_resource"]),
         verdict(None if fresh is None else writes(fresh["by_resource"], "secrets") == 1)),
        ("new matching namespace → Secret written: p99 latency", "≤ 50 ms",
         "n/a" if latency.get("p99_ms") is None else f"{latency['p99_ms']} ms (p50 {latency['p50_ms']} ms)",
         verdict(None if latency.get("p99_ms") is None else latency["p99_ms"] <= BUDGET_LATENCY_P99_MS)),
    ]
    burst = r.get("relabel_burst")
    if burst:
        rows.append((f"status writes during a burst ({burst['relabels']} namespace relabels at {burst['rate']:g}/s)",
                     "≤ 1 per resource per second", f"{burst['status_writes']} over {burst['status_span_seconds']} s",
                     verdict(burst["status_writes"] <= int(burst["status_span_seconds"] or 0) + 1)))
    return rows


def binary_size(r):
    """The stripped size (results before the stripped copy was measured: the size as given)."""
    return (r.get("binary") or {}).get("stripped_size", r.get("binary_size"))


def goal_rows(r):
    """(figure, measured, goal, verdict) for the goals beside the budgets."""
    sync = r.get("initial_sync", {})
    burst = r.get("relabel_burst") or {}
    ecr = r.get("ecr") or {}
    p = r["parameters"]
    peak, settled = sync.get("peak_rss"), sync.get("rss_after_sync")
    rows = [("peak RSS (VmHWM) during/after the initial sync", mib(peak), f"≤ {mib(GOAL_PEAK)}",
             verdict(None if peak is None else peak <= GOAL_PEAK)),
            ("settled RSS after the sync (idle)", mib(settled), f"≤ {mib(GOAL_SETTLED)}",
             verdict(None if settled is None else settled <= GOAL_SETTLED))]
    if burst:
        p99, standin = burst.get("p99_ms"), burst.get("standin_create_secret_p99_ms")
        own = None if p99 is None or standin is None else round(p99 - standin, 2)
        rows += [
            (f"{burst['relabels']} namespace relabels at {burst['rate']:g}/s: relabel → Secret write, p99",
             f"{p99} ms (p50 {burst.get('p50_ms')}); the stand-in's Secret create p99 {standin} ms",
             f"≤ {GOAL_LATENCY_P99_MS:g} ms, the stand-in's time excluded",
             verdict(None if own is None else own <= GOAL_LATENCY_P99_MS)),
            ("status writes for those relabels", f"{burst['status_writes']} over {burst['status_span_seconds']} s",
             "≤ 1 per resource per second of burst",
             verdict(burst["status_writes"] <= int(burst["status_span_seconds"] or 0) + 1)),
            ("imps CPU time (user + system) per relabel", f"{burst.get('cpu_ms_per_relabel')} ms",
             f"≤ {GOAL_CPU_MS_PER_RELABEL:g} ms", verdict(None if burst.get("cpu_ms_per_relabel") is None else
                                                          burst["cpu_ms_per_relabel"] <= GOAL_CPU_MS_PER_RELABEL))]
    if ecr:
        rows.append((f"ECR phase, {ecr['resources']} resources × {ecr['namespaces_per_resource']} namespaces, "
                     f"initial sync + {ecr['refreshes']} token refreshes: status updates",
                     f"{ecr['status_updates']} (at most {ecr['status_updates_max_per_resource']} for one resource)",
                     f"≤ 1 per resource per refresh, initial sync included (≤ {ecr['status_updates_goal']})",
                     verdict(ecr["complete"] and ecr["status_updates"] <= ecr["status_updates_goal"])))
    seeded = r.get("seeded", {})
    if sync.get("seconds_to_provisioned") is not None and seeded.get("selected"):
        floor = seeded["selected"] / p["qps"]
        rows.append((f"initial sync at qps {p['qps']}: every selected namespace provisioned",
                     f"{sync['seconds_to_provisioned']} s", f"the rate-limit floor, {floor:.1f} s",
                     verdict(sync["seconds_to_provisioned"] <= floor * 1.05 + 5)))
    return rows


def compare(runs):
    """The goals table with one column per (name, results) run; rows matched by figure."""
    tables = [(name, {row[0]: row for row in goal_rows(r)}) for name, r in runs]
    figures = []
    for _, rows in tables:
        figures += [f for f in rows if f not in figures]
    header = ("figure", *[name for name, _ in runs], "goal")
    body = []
    for figure in figures:
        cells = [rows[figure][1] + ("" if rows[figure][3] in ("met", "not measured") else " (missed)")
                 if figure in rows else "n/a" for _, rows in tables]
        goal = next(rows[figure][2] for _, rows in tables if figure in rows)
        body.append((figure, *cells, goal))
    return table(header, body)


def secret_service(service):
    rows = [v for k, v in (service or {}).items() if k.split(" ")[0] in WRITE_VERBS and k.endswith(" secrets")]
    if not rows:
        return "-"
    return " / ".join(str(max(v[f] for v in rows)) for f in ("p50_ms", "p99_ms", "max_ms"))


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def analysis(r):
    """What costs the memory or the time where a budget is missed, from the measured figures."""
    notes = []
    sync = r.get("initial_sync", {})
    service = sync.get("standin_service", {})
    peak, after = sync.get("peak_rss"), sync.get("rss_after_sync")
    during, after_lists = sync.get("peak_rss_during_lists"), sync.get("rss_after_lists")
    pods = r["parameters"]["pods"]
    if peak is not None and peak > BUDGET_LOADED:
        lines = [f"- **Peak memory** {mib(peak)} against 16 MiB. RSS peaked at {mib(during)} while the "
                 f"namespace and pod lists were read, was {mib(after_lists)} right after them and "
                 f"{mib(after)} once the sync had settled."]
        if during and after and during > 2 * after:
            lines.append(f"  The peak is transient list memory: the pod pages ({pods:,} pods, "
                         f"{service.get('list pods', {}).get('count', '?')} pages of PartialObjectMetadata) are "
                         "held as parsed JSON trees until the last page arrives, although only a few fields "
                         "of each pod are kept afterwards. Fix: hand each page to the cache as it arrives "
                         "(project pods to their counts page by page, as client-go's pager feeds the "
                         "informer), and free the page's tree before requesting the next one; that bounds "
                         "list memory by one page (limit 500) instead of the whole cluster.")
        else:
            lines.append("  RSS does not fall back after the lists. Whether that is live data or freed heap "
                         "that malloc keeps is told apart by calling `malloc_trim(0)` in the process (see "
                         "the investigation notes below, which did so).")
        notes.append("\n".join(lines))
    idle = r.get("idle_empty", {}).get("rss")
    if idle is not None and idle > BUDGET_IDLE:
        notes.append(f"- **Idle memory** {mib(idle)} against 4 MiB with an empty cluster: this is the "
                     "binary's baseline (static glibc + mbedTLS tables, TLS session buffers: mbedTLS "
                     "allocates 2 × 16 KiB record buffers per connection, one connection per watch).")
    latency = r.get("latency", {})
    if latency.get("p99_ms") is not None and latency["p99_ms"] > BUDGET_LATENCY_P99_MS:
        create = latency.get("standin_create_secret_p99_ms")
        notes.append(f"- **Latency** p99 {latency['p99_ms']} ms against 50 ms. The stand-in alone needs "
                     f"p99 {create} ms to serve the Secret create (and it also has to encode and send the "
                     "namespace's watch event first), so that much of the figure is the test cluster's, not "
                     "imps'. The load average while measuring was "
                     f"{r['machine'].get('loadavg_end', '?')} on {r['machine']['nproc']} CPUs.")
    ecr = r.get("ecr")
    if ecr and ecr["status_updates"] > ecr["status_updates_goal"]:
        spread = ", ".join(f"{resources} with {n}" for n, resources in (ecr.get("status_updates_histogram") or {}).items())
        notes.append(f"- **ECR status updates** {ecr['status_updates']} against ≤ {ecr['status_updates_goal']} "
                     f"({ecr['resources']} resources × (initial sync + {ecr['refreshes']} refreshes)); resources by "
                     f"their number of status updates: {spread or 'n/a'}. A refresh rewrites a resource's Secrets, "
                     "and a successful write stamps `lastSuccessfulReconciliation`, so one update per refresh is "
                     "the floor; more mean a round wrote the status twice (see the findings).")
    crashes = list(r.get("crashed_starts") or [])
    if (r.get("imps_exit_code") or 0) < 0:
        crashes.append(r["imps_exit_code"])
    if crashes:
        notes.append(f"- **imps crashed** during this run (exit statuses {crashes}; negative = killed by that "
                     "signal). Starts that crashed before writing anything were retried; the figures are "
                     "from the start that survived.")
    fresh = (r.get("events") or {}).get("new matching namespace")
    if fresh and writes(fresh["by_resource"]) > 1 and writes(fresh["by_resource"], "secrets") == 1:
        notes.append(f"- **Writes per new namespace**: {describe_writes(fresh['by_resource'])}. The Secret "
                     "itself costs one write; the other is the ImagePullSecret's status, whose "
                     "`managedNamespaces` grows with every namespace. Status writes are coalesced to one "
                     "per resource per second, so a lone event after a quiet second costs one status "
                     "write and a burst costs one per second of the burst (see the relabel burst).")
    for name, event in (r.get("events") or {}).items():
        if not event.get("observed"):
            notes.append(f"- Event '{name}' was not observed to complete; its request count may be partial.")
        if event.get("overlapped_resync"):
            notes.append(f"- Event '{name}' overlapped a periodic resync; its count includes the resync's.")
    return notes


def markdown(r, findings=None):
    """The report; `findings` (hand-written investigation notes, markdown) is appended verbatim."""
    m, p = r["machine"], r["parameters"]
    sync = r.get("initial_sync", {})
    seeded = r.get("seeded", {})
    latency = r.get("latency", {})
    out = ["# Benchmarks", "",
           "Generated by `make bench` (`test/bench/run.py`), which writes `build/benchmarks.md`; "
           "`make bench BENCH_REPORT=docs/benchmarks.md` refreshes this file. Every figure is measured on "
           "the stand-ins' side (the Kubernetes API stand-in's request counters and write timestamps, the "
           "AWS stand-in's call counters) or from `/proc/<pid>/status` of imps.", "",
           f"Machine: {m['nproc']} CPUs, {m['cpu']}, {mib(m.get('memory'))} RAM, Linux {m['kernel']}, "
           f"Python {m['python']}; {m['date']}; load average {m.get('loadavg_start')} at the start and "
           f"{m.get('loadavg_end')} at the end (other work shared the machine).", "",
           f"Cluster: {seeded.get('namespaces', p['namespaces']):,} namespaces, {seeded.get('pods', p['pods']):,} pods "
           f"with realistic metadata (labels, annotations, ownerReferences, managedFields; see "
           f"`test/bench/workload.py`), one dockerconfigjson source Secret, the README's ImagePullSecret "
           f"selecting {seeded.get('selected', '?'):,} namespaces (Istio labels, namespace and pod annotations). "
           f"imps flags: `--qps {p['qps']} --burst {p['burst']} --periodic-reconcile-interval {p['resync_seconds']}` "
           "(the defaults unless stated). CPU figures are imps' user + system time from `/proc/<pid>/stat`; "
           "wall-clock figures on this shared 2-CPU machine are noisy.", "",
           "## Against the budgets", "",
           f"Binary size: {binary_note(r)}", "",
           table(("what", "budget", "measured", "verdict"), budget_rows(r)), "",
           f"## Goals at {p['namespaces']:,} namespaces / {p['pods']:,} pods", "",
           "Goals beside the budgets, at the default flags (`--qps 20 --burst 40`).", "",
           table(("figure", "measured", "goal", "verdict"), goal_rows(r)), ""]
    notes = analysis(r)
    if notes:
        out += ["## Where a budget is missed, and why", "", *notes, ""]
    out += ["## Initial sync", "",
            table(("figure", "value"), [
                ("every selected namespace provisioned (last Secret create, stand-in clock)",
                 f"{sync.get('seconds_to_provisioned')} s after imps started"),
                ("'initial sync complete' logged", f"{sync.get('seconds_to_synced_log')} s"),
                ("Secrets created / expected", f"{sync.get('provisioned')} / {seeded.get('selected')}"),
                ("API requests by verb (until quiet)", verbs(sync.get("requests"))),
                ("API requests by verb and resource", verbs(sync.get("by_resource"))),
                ("peak RSS during the lists", mib(sync.get("peak_rss_during_lists"))),
                ("RSS right after the lists", mib(sync.get("rss_after_lists"))),
                ("peak RSS (VmHWM)", mib(sync.get("peak_rss"))),
                ("RSS after the sync, idle", mib(sync.get("rss_after_sync"))),
                ("RSS at the end of the run", mib(r.get("final", {}).get("rss"))),
                ("imps CPU time until the sync settled (user + system)", f"{sync.get('cpu_seconds')} s"),
                ("seeding (not imps' time)", f"{seeded.get('seconds')} s, stand-in RSS {mib(seeded.get('standin_rss'))}"),
            ]), "",
            "The stand-in's own service time during the sync (request parsed → response written), to "
            "separate the test cluster's cost from imps':", "",
            table(("request", "count", "total s", "p50 ms", "p99 ms", "max ms"),
                  [(k, v["count"], v["total_s"], v["p50_ms"], v["p99_ms"], v["max_ms"])
                   for k, v in (sync.get("standin_service") or {}).items()]), "",
            "## Requests per event after the sync", "",
            table(("event", "API requests by verb and resource", "Secret writes expected",
                   "stand-in service of its Secret writes, p50 / p99 / max ms"),
                  [(name, verbs(e["by_resource"]), e["expected_writes"], secret_service(e.get("standin_service")))
                   for name, e in (r.get("events") or {}).items()]),
            "",
            "## Event-to-write latency", "",
            f"{latency.get('samples')} new matching namespaces, created {latency.get('spacing_ms')} ms apart; latency = the "
            "stand-in's store time of the Secret minus that of the namespace.", "",
            table(("figure", "value"), [
                ("p50 / p99 / max", f"{latency.get('p50_ms')} / {latency.get('p99_ms')} / {latency.get('max_ms')} ms"),
                ("writes per namespace", latency.get("writes_per_namespace")),
                ("API requests by verb and resource", verbs(latency.get("by_resource"))),
                ("stand-in service time of the Secret create, p50 / p99",
                 f"{latency.get('standin_create_secret_p50_ms')} / {latency.get('standin_create_secret_p99_ms')} ms"),
                ("imps CPU time per new namespace", f"{latency.get('cpu_ms_per_namespace')} ms"),
            ]), ""]
    burst = r.get("relabel_burst")
    if burst:
        out += ["## Relabel burst", "",
                f"{burst['relabels']} unselected namespaces relabelled so that they become selected, "
                f"{burst['rate']:g} a second (sent in {burst['sent_seconds']} s); latency = the stand-in's store "
                "time of the Secret minus that of the namespace's relabel.", "",
                table(("figure", "value"), [
                    ("p50 / p99 / max", f"{burst['p50_ms']} / {burst['p99_ms']} / {burst['max_ms']} ms"),
                    ("Secret writes / status writes", f"{burst['secret_writes']} / {burst['status_writes']} "
                     f"(status writes spread over {burst['status_span_seconds']} s)"),
                    ("API requests by verb and resource", verbs(burst.get("by_resource"))),
                    ("stand-in service time of the Secret create, p50 / p99",
                     f"{burst['standin_create_secret_p50_ms']} / {burst['standin_create_secret_p99_ms']} ms"),
                    ("imps CPU time, total / per relabel", f"{burst['cpu_seconds']} s / {burst['cpu_ms_per_relabel']} ms"),
                ]), ""]
    out += ecr_section(r.get("ecr"))
    out += rss_section(r.get("rss_series"))
    if r.get("kubernetes_events") or r.get("imps_log_summary"):
        out += ["## What imps reported", "",
                table(("Kubernetes Event (type, reason: message prefix)", "count"),
                      sorted((r.get("kubernetes_events") or {}).items(), key=lambda kv: -kv[1])[:12]), "",
                table(("imps log line (level, message)", "count"),
                      sorted((r.get("imps_log_summary") or {}).items(), key=lambda kv: -kv[1])[:12]), ""]
    if findings:
        out += [findings.rstrip(), ""]
    return "\n".join(out)


def binary_note(r):
    binary = r.get("binary")
    if not binary:
        return "the file's size as given."
    return (f"a stripped copy of the binary measured (`make` ships it stripped; as given, "
            f"`{os.path.basename(binary['path'])}` had {binary['size']:,} bytes).")


def ecr_section(ecr):
    if not ecr:
        return []
    aws = ecr.get("aws_service") or {}
    return ["## ECR phase", "",
            f"{ecr['resources']} ImagePullSecrets, each with its own ECR login source Secret (its own access key, so "
            f"its own token; every fourth assumes a role through STS first) and {ecr['namespaces_per_resource']} "
            f"namespaces of its own; the AWS stand-in's tokens are valid {ecr['token_validity_seconds']} s, so "
            f"imps refreshes each every {ecr['token_validity_seconds'] / 2:g} s. Measured from the resources' "
            f"creation (their initial sync) until every namespace's Secret had been rewritten by "
            f"{ecr['refreshes']} refreshes ({ecr['seconds']} s), on the stand-ins' side: the Kubernetes "
            "stand-in's request counters by path, the AWS stand-in's call counters.", "",
            table(("figure", "value"), [
                ("status updates of those ImagePullSecrets (requests / stored)",
                 f"{ecr['status_updates']} / {ecr['status_updates_stored']} (goal ≤ {ecr['status_updates_goal']}; "
                 f"at most {ecr['status_updates_max_per_resource']} for one resource)"),
                ("Secret writes (requests by verb)", f"{verbs(ecr['secret_writes'])}; expected "
                 f"{ecr['secret_writes_expected']} (a create and {ecr['refreshes']} rewrites per namespace)"),
                ("ECR GetAuthorizationToken calls", f"{ecr['ecr_calls']} (rejected: {ecr['ecr_calls_rejected']}; "
                 f"{ecr['resources']} tokens × {ecr['refreshes'] + 1} fetches = {ecr['resources'] * (ecr['refreshes'] + 1)})"),
                ("STS AssumeRole calls", f"{ecr['sts_calls']} (role sources: {ecr['sts_calls_expected']})"),
                ("AWS stand-in's service time, mean / max per call",
                 "; ".join(f"{a} {v['mean_ms']} / {v['max_ms']} ms" for a, v in aws.items()) or "-"),
                ("Kubernetes stand-in's service time of the writes, p50 / p99 ms",
                 "; ".join(f"{k} {v['p50_ms']} / {v['p99_ms']}" for k, v in (ecr.get("standin_service") or {}).items())),
                ("imps CPU time during the phase", f"{ecr['cpu_seconds']} s"),
                ("complete", f"{ecr['complete']}" + (" (overlapped a periodic resync)" if ecr["overlapped_resync"] else "")),
            ]), ""]


def rss_section(series):
    if not series or not series.get("points"):
        return []
    rows = [(p["label"], f"{p['namespaces']:,}", f"{p['pods']:,}", f"{p['selected']:,}",
             f"{p['secrets_created']:,}", mib(p["peak_rss"]), mib(p["settled_rss"]), mib(p.get("restart_peak_rss")),
             mib(p.get("restart_settled_rss")), mib(p.get("standin_rss")))
            for p in series["points"]]
    out = ["## RSS against namespaces and pods", "",
           f"One stand-in grown through four points, a fresh imps measuring each (`--qps {series['qps']}` so that the "
           "Secret creates take seconds: memory is measured, not the sync's pace). Pods are lean here (no "
           "managedFields) so that the Python stand-in holds the largest point; the main run above uses "
           "realistic pods. Peak = VmHWM; settled = VmRSS once every selected namespace holds the Secret and "
           "no request came for 3 s. Each point twice: the imps that provisions the point's new namespaces "
           "(its Secret creates in the table), then a restart on the provisioned cluster, which writes nothing "
           "(the state's own cost, without the heap a burst of writes leaves behind).", "",
           table(("point", "namespaces", "pods", "selected", "Secrets created", "peak RSS", "settled RSS",
                  "restart: peak", "restart: settled", "stand-in RSS"), rows), ""]
    slopes = series.get("slopes") or {}
    if slopes:
        out += ["Slopes (per namespace: points 1 → 2, pods fixed; per pod: points 2 → 3, namespaces fixed) and "
                "what that line predicts for the last point:", "",
                table(("figure", "bytes per namespace", "bytes per pod", "predicted at the last point", "measured"),
                      [(name.replace("_rss", " RSS").replace("restart_", "restart: "), v["per_namespace"],
                        v["per_pod"], mib(v["predicted_last"]), mib(v["measured_last"]))
                       for name, v in sorted(slopes.items(), key=lambda kv: (kv[0].startswith("restart"), kv[0]))]), ""]
    return out


def summary(r):
    rows = budget_rows(r) + [(figure, goal, measured, v) for figure, measured, goal, v in goal_rows(r)]
    width = max(len(row[0]) for row in rows)
    return "\n".join(f"{row[0]:<{width}}  {row[2]:>24}  ({row[1]}: {row[3]})" for row in rows)


def main():
    parser = argparse.ArgumentParser(description="Renders run.py's JSON results")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--compare", nargs="+", metavar="NAME=RESULTS.json",
                        help="runs to compare, each as name=path (e.g. before=b.json after=a.json)")
    action.add_argument("--render", metavar="RESULTS.json", help="the report of one run")
    parser.add_argument("--findings", help="hand-written notes appended to the rendered report")
    args = parser.parse_args()
    if args.render:
        with open(args.render) as f:
            results = json.load(f)
        findings = None
        if args.findings:
            with open(args.findings) as f:
                findings = f.read()
        sys.stdout.write(markdown(results, findings))
        return 0
    runs = []
    for item in args.compare:
        name, _, path = item.partition("=")
        with open(path) as f:
            runs.append((name, json.load(f)))
    print(compare(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
