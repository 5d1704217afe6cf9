// The composition root: one event loop, the cluster connection, the health and metrics servers,
// and the chosen mode. Owns everything for the process lifetime; declaration order is
// destruction order in reverse, so the mode goes before the client and the client before the loop.
#include "modes/run.h"

#include <unistd.h>

#include <csignal>
#include <memory>

#include "app/exit_code.h"
#include "base/random.h"
#include "http/server.h"
#include "http/url.h"
#include "kube/client.h"
#include "kube/kubeconfig.h"
#include "kube/leader_election.h"
#include "loop/event_loop.h"
#include "modes/controller.h"
#include "modes/controller_metrics.h"
#include "modes/ecr_token_source.h"
#include "modes/refresher.h"
#include "modes/refresher_secret.h"
#include "net/proxy.h"
#include "obs/log.h"
#include "obs/metrics.h"

namespace imps::modes {
namespace {

// Releasing the Lease on shutdown must not outlast the kubelet's grace period (30 s by default)
// when the API server does not answer; after this the process stops anyway.
constexpr Millis kReleaseTimeoutMs = 5'000;

constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string listen_spec(const app::ListenAddress& address) {
  std::string host = address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
  return host + ":" + std::to_string(address.port);
}

http::Response text_response(int status, std::string body, std::string_view content_type = "text/plain; charset=utf-8") {
  http::Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", std::string(content_type)});
  response.body = std::move(body);
  return response;
}

// Serves `routes` on `address` (when configured); false after logging when it cannot listen.
bool serve(http::Server& server, const std::optional<app::ListenAddress>& address, std::string_view what) {
  if (!address) return true;
  Status listening = server.listen(listen_spec(*address));
  if (!listening.ok()) {
    obs::error("cannot listen", {{"server", what}, {"address", listen_spec(*address)}, {"error", listening.error().message}});
    return false;
  }
  obs::info("listening", {{"server", what}, {"port", static_cast<int>(server.port())}});
  return true;
}

}  // namespace

// Unusable configuration (kubeconfig, API client TLS material, AWS_CA_BUNDLE) is one log line on
// stderr, in the configured format, and exit status 2.
int run(const app::Config& config) {
  const bool refresher_mode = config.mode == app::Mode::Refresher;
  kube::LoadOptions load;
  load.kubeconfig_flag = config.kubeconfig;
  load.context_flag = config.context;
  auto cluster = kube::load_cluster_config(load);
  if (!cluster.ok()) {
    obs::error("unusable cluster configuration", {{"error", cluster.error().message}});
    return app::kExitBadConfig;
  }
  if (cluster->tls.insecure_skip_verify) obs::warn("TLS verification of the API server is disabled by the kubeconfig");

  loop::EventLoop loop;
  kube::ClientOptions client_options;
  client_options.qps = config.qps;
  client_options.burst = config.burst;
  client_options.component = refresher_mode ? "refresher" : "controller";
  client_options.proxy = net::ProxyConfig::from_env();  // the kubeconfig's proxy-url overrides it
  auto client = kube::Client::connect(loop, *cluster, client_options);
  if (!client.ok()) {
    obs::error("cannot set up the API client", {{"error", client.error().message}});
    return app::kExitBadConfig;
  }
  obs::Registry registry;
  Random random = Random::from_entropy();
  auto ecr = EcrTokens::create(loop, random, registry);
  if (!ecr.ok()) {
    obs::error("cannot set up the AWS client", {{"error", ecr.error().message}});
    return app::kExitBadConfig;
  }
  obs::info("starting", {{"mode", refresher_mode ? "refresher" : "controller"},
                         {"server", cluster->server.scheme + "://" + http::host_header(cluster->server)},
                         {"config", cluster->source}, {"version", IMPS_VERSION}});
  registry.gauge("imps_build_info", "Always 1; the version label says which build runs.", {{"version", IMPS_VERSION}}).set(1);

  // Exactly one of the two modes exists; both must go before the ECR tokens and the client.
  std::unique_ptr<Controller> controller;
  std::unique_ptr<Refresher> refresher;
  if (refresher_mode) {
    RefresherOptions options{*config.target_secret, config.source_secrets, config.resync_interval_ms};
    refresher = std::make_unique<Refresher>(loop, **client, random, registry, **ecr, std::move(options));
  } else {
    ControllerOptions options;
    options.resync_interval_ms = config.resync_interval_ms;
    controller = std::make_unique<Controller>(loop, **client, random, registry, **ecr, options);
  }
  // 1 also without an election (no --enable-leader-election): the gauge says
  // who does the work, so summed over the replicas it is 1 exactly when all is well.
  obs::Gauge& leader = registry.gauge(
      "imps_leader", "1 while this process does the work (holds the Lease, or runs without leader election); 0 on a standby.");
  auto start_mode = [&] { controller ? controller->start() : refresher->start(); };
  auto mode_ready = [&] { return controller ? controller->ready() : refresher->ready(); };

  // With --enable-leader-election only the Lease holder runs the mode; losing the Lease
  // ends the process (exit 1) so a restarted pod starts over as a clean standby. The Lease has a
  // client of its own (rate limiter and connection, like controller-runtime's separate
  // leader-election client): a renewal never queues behind a backlog of reconcile writes.
  std::unique_ptr<kube::Client> lease_client;
  std::unique_ptr<kube::ClientLeaseApi> lease_api;
  std::unique_ptr<kube::LeaderElector> elector;
  int exit_code = app::kExitOk;
  if (config.leader_election) {
    char hostname[256] = {};
    gethostname(hostname, sizeof hostname - 1);
    // The controller contends with the original on its Lease; refresher replicas on one Lease per
    // target, by default beside the target (where the refresher's Role already is).
    kube::LeaderElectionConfig election{
        kube::lease_namespace(config.leader_election_namespace,
                              refresher ? config.target_secret->ns : cluster->namespace_),
        refresher ? refresher_lease_name(config.target_secret->name) : std::string(kube::kLeaseName),
        kube::make_identity(hostname, random), config.lease_duration_ms, config.renew_deadline_ms,
        config.retry_period_ms};
    auto connected = kube::Client::connect(loop, *cluster, client_options);
    if (!connected.ok()) {
      obs::error("cannot set up the Lease client", {{"error", connected.error().message}});
      return app::kExitBadConfig;
    }
    lease_client = std::move(connected).value();
    lease_api = std::make_unique<kube::ClientLeaseApi>(*lease_client);
    auto started = [&] {
      leader.set(1);
      start_mode();
    };
    auto stopped = [&] {
      leader.set(0);
      exit_code = app::kExitFatal;
      loop.stop();
    };
    elector = std::make_unique<kube::LeaderElector>(loop, *lease_api, random, std::move(election),
                                                    kube::LeaderCallbacks{started, stopped});
  }

  auto metrics = [&](const http::RequestHead&) {
    if (controller) controller->update_metrics();
    kube::RequestCounts counts = (*client)->request_counts();
    if (lease_client) counts += lease_client->request_counts();
    sync_api_requests(registry, counts);
    sync_connection_budget(registry, http::ConnectionBudget::process());
    return text_response(200, registry.expose(), kPrometheusContentType);
  };
  http::Server health(loop), metrics_server(loop);
  health.route("/healthz", [](const http::RequestHead&) { return text_response(200, "ok\n"); });
  health.route("/readyz", [&](const http::RequestHead&) {
    if (elector && !elector->leading()) {
      return elector->healthy() ? text_response(200, "ok (standby)\n") : text_response(503, "API server unreachable\n");
    }
    return mode_ready() ? text_response(200, "ok\n") : text_response(503, "initial sync not complete\n");
  });
  metrics_server.route("/metrics", metrics);
  if (!serve(health, config.health_probe_addr, "health") || !serve(metrics_server, config.metrics_addr, "metrics"))
    return app::kExitFatal;

  loop::Timer release_deadline(loop);
  Status signals = loop.handle_signals({SIGTERM, SIGINT}, [&](int signal) {
    obs::info("shutting down", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    if (!elector) {
      loop.stop();
      return;
    }
    release_deadline.start(kReleaseTimeoutMs, [&] { loop.stop(); });
    elector->release([&] { loop.stop(); });
  });
  if (!signals.ok()) {
    obs::error("cannot handle signals", {{"error", signals.error().message}});
    return app::kExitFatal;
  }
  if (elector) {
    elector->start();
  } else {
    leader.set(1);
    start_mode();
  }
  Status ran = loop.run();
  if (!ran.ok()) {
    obs::error("event loop failed", {{"error", ran.error().message}});
    return app::kExitFatal;
  }
  obs::info("stopped");
  return exit_code;
}

}  // namespace imps::modes
