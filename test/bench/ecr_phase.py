"""The ECR phase: ImagePullSecrets whose source Secrets are ECR logins, through token refreshes.

Each of `resources` ImagePullSecrets has its own ECR login source Secret (its own access key, so
its own token; every fourth one assumes a role through STS first) and selects `namespaces`
namespaces of its own by one label. The AWS stand-in issues tokens valid for `validity` seconds;
imps refreshes a token when half its validity has passed, so each resource's Secrets are
rewritten every validity / 2 seconds. The phase runs from the resources' creation (their
initial sync) until every namespace's Secret has been written by the initial sync and REFRESHES
refreshes, and counts what that cost on the stand-ins' side: status updates and Secret writes
from the Kubernetes stand-in's request counters (by path, so the bench's own requests and other
resources never count), ECR and STS calls from the AWS stand-in's counters, and both stand-ins'
service times. The goal: at most one status update per resource per refresh, the initial sync
included.
"""

import re
import time

import workload
from cluster import service_summary
from ecr_fixture import ECR_TYPE, ecr_data

REFRESHES = 3
STATUS_PATH = re.compile(r"^(update|patch) /apis/images\.banzaicloud\.io/v1alpha1/imagepullsecrets/bench-ecr-\d+/status$")
SECRET_PATH = re.compile(r"^(create|update|patch|delete) /api/v1/namespaces/bench-ecr-\d+-\d+/secrets(/|$)")


def source_secret(index):
    akid, secret = workload.ecr_key(index)
    data = ecr_data(akid, secret, role_arn=workload.ECR_ROLE if workload.ecr_uses_role(index) else None)
    return {"apiVersion": "v1", "kind": "Secret", "type": ECR_TYPE,
            "metadata": {"name": workload.ecr_name(index), "namespace": workload.SOURCE_NAMESPACE}, "data": data}


def prepare(bench, aws, resources, namespaces, validity):
    """Keys in the AWS stand-in; source Secrets and namespaces in the cluster (not measured)."""
    aws.config(token_validity_seconds=validity, role_arns=None)
    for index in range(resources):
        aws.add_key(*workload.ecr_key(index))
        bench.api("POST", f"/api/v1/namespaces/{workload.SOURCE_NAMESPACE}/secrets", source_secret(index))
        for member in range(namespaces):
            bench.api("POST", "/api/v1/namespaces", workload.ecr_namespace(index, member))


def refreshed(writes, expected):
    """True once every expected namespace's ECR Secret was created and rewritten REFRESHES times."""
    created, modified = set(), {}
    for r in writes.records:
        if r["resource"] == "secrets" and r["name"] == workload.ECR_SECRET_NAME:
            if r["type"] == "ADDED":
                created.add(r["namespace"])
            elif r["type"] == "MODIFIED":
                modified[r["namespace"]] = modified.get(r["namespace"], 0) + 1
    return expected <= created and all(modified.get(ns, 0) >= REFRESHES for ns in expected)


def run(bench, aws, resources, namespaces, validity, quiet, settle_timeout):
    """Runs the phase against bench's running imps; returns the results dict."""
    prepare(bench, aws, resources, namespaces, validity)
    bench.requests.settle(quiet, settle_timeout)
    bench.requests.reset()
    bench.writes.mark()
    aws.reset_counts()
    expected = {workload.ecr_namespace_name(i, m) for i in range(resources) for m in range(namespaces)}
    cpu_before = bench.imps.cpu()
    began = time.monotonic()
    for index in range(resources):
        bench.api("POST", "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets", workload.ecr_image_pull_secret(index))
    # Tokens refresh every validity / 2 seconds after the first fetch; the writes of a refresh then
    # take at most a few seconds at the default qps.
    timeout = validity * (REFRESHES + 1) / 2 + 120
    done = bench.writes.wait(lambda w: refreshed(w, expected) or bench.imps.process.poll() is not None,
                             timeout, "ECR refreshes")
    done = bool(done) and refreshed(bench.writes, expected)
    # Read at once: the next refresh is validity / 2 away, the quiet wait below may come close.
    calls = aws.counts()
    seconds = time.monotonic() - began
    bench.requests.settle(quiet, settle_timeout)
    bench.writes.poll()
    cpu = bench.imps.cpu()
    counts = bench.requests.snapshot()
    by_path = counts["byPath"]
    status = {key: n for key, n in by_path.items() if STATUS_PATH.match(key)}
    secret_writes = {}
    for key, n in by_path.items():
        if SECRET_PATH.match(key):
            verb = key.split(" ")[0]
            secret_writes[verb] = secret_writes.get(verb, 0) + n
    stored_status = [r for r in bench.writes.records if r["resource"] == "imagepullsecrets"
                     and r["type"] == "MODIFIED" and r["name"].startswith("bench-ecr-")]
    resync = bench.imps.first_log(lambda l: l.get("msg") == "periodic resync", after=began)
    return {
        "complete": done, "resources": resources, "namespaces_per_resource": namespaces,
        "token_validity_seconds": validity, "refreshes": REFRESHES, "seconds": round(seconds, 1),
        "status_updates": sum(status.values()),
        "status_updates_stored": len(stored_status),
        "status_updates_max_per_resource": max(status.values(), default=0),
        # {updates: resources with that many}, e.g. {"4": 18, "5": 2}
        "status_updates_histogram": {str(n): list(status.values()).count(n) for n in sorted(set(status.values()))},
        "status_updates_goal": resources * (REFRESHES + 1),
        "secret_writes": secret_writes,
        "secret_writes_total": sum(secret_writes.values()),
        "secret_writes_expected": len(expected) * (REFRESHES + 1),
        "ecr_calls": calls.get("GetAuthorizationToken", 0),
        "ecr_calls_rejected": calls.get("GetAuthorizationToken.rejected", 0),
        "sts_calls": calls.get("AssumeRole", 0),
        "sts_calls_expected": sum(workload.ecr_uses_role(i) for i in range(resources)),
        "aws_service": {action: {"count": v["count"], "total_s": round(v["total"], 3),
                                 "mean_ms": round(v["total"] * 1000 / max(1, v["count"]), 2),
                                 "max_ms": round(v["max"] * 1000, 2)}
                        for action, v in sorted(calls.get("service_seconds", {}).items())},
        "standin_service": service_summary(counts["serviceSeconds"], ("create secrets", "patch secrets",
                                                                      "update secrets", "update imagepullsecrets")),
        "cpu_seconds": None if cpu is None or cpu_before is None else round(cpu - cpu_before, 2),
        "overlapped_resync": resync is not None,
    }
