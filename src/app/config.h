// The process configuration: what argv and the environment asked for, validated, as plain data.
// Produced by parse_flags (flags.h); read by main and the modes. Holds no secrets: credentials
// come from Kubernetes objects and files, never from flags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "obs/log_level.h"

namespace imps::app {

enum class Mode { Controller, Refresher };
enum class Action { Run, Help, Version };

// A namespaced object named on the command line as "<namespace>.<name>".
struct ObjectRef {
  std::string ns;
  std::string name;
  bool operator==(const ObjectRef&) const = default;
};

// "[host]:port"; an empty host means every interface.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
  bool operator==(const ListenAddress&) const = default;
};

struct Config {
  Action action = Action::Run;
  Mode mode = Mode::Controller;

  // Empty: $KUBECONFIG was unset too, so in-cluster config, else ~/.kube/config (kube/ decides).
  std::string kubeconfig;
  std::string context;  // empty: the kubeconfig's current-context

  // nullopt: disabled with "0", the controller-runtime convention the original's manifests use.
  std::optional<ListenAddress> metrics_addr = ListenAddress{"", 8080};
  std::optional<ListenAddress> health_probe_addr = ListenAddress{"", 8081};

  int64_t resync_interval_ms = 300'000;

  bool leader_election = false;
  std::string leader_election_namespace;  // empty: the pod's own namespace
  // client-go's defaults; parse_flags guarantees lease > renew deadline > 1.2 × retry period.
  int64_t lease_duration_ms = 15'000;
  int64_t renew_deadline_ms = 10'000;
  int64_t retry_period_ms = 2'000;

  double qps = 20;
  int burst = 40;

  obs::LogLevel log_level = obs::LogLevel::Info;
  obs::LogFormat log_format = obs::LogFormat::Json;

  // Refresher only (parse_flags rejects them in controller mode and requires them in refresher mode).
  std::optional<ObjectRef> target_secret;
  std::vector<ObjectRef> source_secrets;  // merge order: later wins
};

}  // namespace imps::app
