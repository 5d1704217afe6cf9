#include "app/flags.h"

#include <cstdlib>
#include <string_view>

#include "app/values.h"

namespace imps::app {
namespace {

enum class Flag {
  Mode, Kubeconfig, Context, MetricsAddr, HealthProbeAddr, ResyncInterval, LeaderElection,
  ConfigNamespace, Qps, Burst, LogLevel, LogFormat, TargetSecret, SourceSecret, LeaseDuration,
  RenewDeadline, RetryPeriod, Version, Help,
};

// One table drives both parsing and --help, so the two cannot drift apart.
struct FlagSpec {
  Flag flag;
  std::string_view name;
  std::string_view alias;       // a second accepted name, or empty
  std::string_view value_name;  // empty: a boolean or action flag that takes no separate value
  std::string_view default_text;
  std::string_view help;
};

constexpr FlagSpec kFlags[] = {
    {Flag::Mode, "mode", "", "controller|refresher", "controller", "what to run"},
    {Flag::Kubeconfig, "kubeconfig", "", "path", "$KUBECONFIG, else in-cluster, else ~/.kube/config",
     "cluster to talk to"},
    {Flag::Context, "context", "", "name", "the current-context", "kubeconfig context"},
    {Flag::MetricsAddr, "metrics-addr", "", "[host]:port", ":8080",
     "Prometheus /metrics (also answers probes); 0 disables"},
    {Flag::HealthProbeAddr, "health-probe-addr", "", "[host]:port", ":8081", "/healthz and /readyz; 0 disables"},
    {Flag::ResyncInterval, "periodic-reconcile-interval", "", "seconds", "300",
     "seconds between full resyncs (a duration such as 5m also works)"},
    {Flag::LeaderElection, "enable-leader-election", "", "", "false",
     "Lease-based leader election (Lease 73de1ad9.banzaicloud.io; refresher: imps-refresher-<target name>)"},
    {Flag::ConfigNamespace, "config-namespace", "leader-election-namespace", "namespace", "the pod's namespace",
     "where the leader election Lease lives"},
    {Flag::LeaseDuration, "leader-election-lease-duration", "", "duration", "15s",
     "how long a Lease is held without renewal"},
    {Flag::RenewDeadline, "leader-election-renew-deadline", "", "duration", "10s",
     "how long the leader retries renewing before giving up"},
    {Flag::RetryPeriod, "leader-election-retry-period", "", "duration", "2s", "wait between Lease attempts"},
    {Flag::Qps, "qps", "", "number", "20", "client-side API request rate limit"},
    {Flag::Burst, "burst", "", "count", "40", "client-side API request burst"},
    {Flag::LogLevel, "log-level", "log.level", obs::kLogLevelChoices, "info, or $LOG_LEVEL",
     "least severe level logged (trace logs as debug, fatal and panic as error)"},
    {Flag::LogFormat, "log-format", "", obs::kLogFormatChoices, "json, or $LOG_FORMAT", "log line format"},
    {Flag::TargetSecret, "target-secret", "", "<ns>.<name>", "", "refresher: the pull Secret to write"},
    {Flag::SourceSecret, "source-secret", "", "<ns>.<name>", "",
     "refresher: a source Secret; repeat for more, later ones win"},
    {Flag::Version, "version", "", "", "", "print the version and exit"},
    {Flag::Help, "help", "", "", "", "print this help and exit"},
};

// Leader election timing rule, client-go's: the renew deadline must leave room for retries.
constexpr double kRetryJitterFactor = 1.2;

// "expected a, b or c, not " from a usage line's "a|b|c".
std::string expected(std::string_view choices) {
  std::string out = "expected ";
  const size_t last = choices.rfind('|');
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] != '|') out += choices[i];
    else out += i == last ? " or " : ", ";
  }
  return out + ", not ";
}

Error invalid(std::string message) { return make_error(ErrorKind::Invalid, std::move(message)); }

const FlagSpec* find_flag(std::string_view name) {
  if (name == "h") return find_flag("help");
  for (const FlagSpec& spec : kFlags) {
    if (spec.name == name || (!spec.alias.empty() && spec.alias == name)) return &spec;
  }
  return nullptr;
}

// Stores a parsed value, or prefixes the flag name to its error: "--qps: must be positive, not "0"".
template <class T, class U>
Status store(T& out, const FlagSpec& spec, Result<U> parsed) {
  if (!parsed.ok()) return invalid("--" + std::string(spec.name) + ": " + parsed.error().message);
  out = std::move(parsed).value();
  return {};
}

Result<std::optional<ListenAddress>> parse_optional_address(std::string_view text) {
  if (text == "0") return std::optional<ListenAddress>();
  TRY_ASSIGN(ListenAddress address, parse_listen_address(text));
  return std::optional<ListenAddress>(std::move(address));
}

// Plain seconds, as the spec and the original define it, or a duration with a unit.
Result<int64_t> parse_interval_ms(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    TRY_ASSIGN(int seconds, parse_positive_int(text));
    return int64_t{seconds} * 1000;
  }
  return parse_duration_ms(text);
}

struct Seen {
  bool mode = false;
  bool log_level = false;
  bool log_format = false;
  bool kubeconfig = false;
};

Status apply(const FlagSpec& spec, std::string_view value, Config& config, Seen& seen) {
  switch (spec.flag) {
    case Flag::Mode:
      if (value == "controller") config.mode = Mode::Controller;
      else if (value == "refresher") config.mode = Mode::Refresher;
      else return invalid("--mode: expected controller or refresher, not " + quote_for_error(value));
      seen.mode = true;
      break;
    case Flag::Kubeconfig:
      config.kubeconfig = value;
      seen.kubeconfig = true;
      break;
    case Flag::Context: config.context = value; break;
    case Flag::MetricsAddr: return store(config.metrics_addr, spec, parse_optional_address(value));
    case Flag::HealthProbeAddr:
      return store(config.health_probe_addr, spec, parse_optional_address(value));
    case Flag::ResyncInterval: return store(config.resync_interval_ms, spec, parse_interval_ms(value));
    case Flag::LeaderElection: return store(config.leader_election, spec, parse_bool(value));
    case Flag::ConfigNamespace:
      if (!value.empty() && !valid_dns_label(value))
        return invalid("--" + std::string(spec.name) + ": invalid namespace " + quote_for_error(value));
      config.leader_election_namespace = value;
      break;
    case Flag::Qps: return store(config.qps, spec, parse_positive_number(value));
    case Flag::Burst: return store(config.burst, spec, parse_positive_int(value));
    case Flag::LogLevel:
      if (!obs::parse_log_level(value, config.log_level))
        return invalid("--log-level: " + expected(obs::kLogLevelChoices) + quote_for_error(value));
      seen.log_level = true;
      break;
    case Flag::LogFormat:
      if (!obs::parse_log_format(value, config.log_format))
        return invalid("--log-format: " + expected(obs::kLogFormatChoices) + quote_for_error(value));
      seen.log_format = true;
      break;
    case Flag::TargetSecret: return store(config.target_secret, spec, parse_object_ref(value));
    case Flag::SourceSecret: return store(config.source_secrets.emplace_back(), spec, parse_object_ref(value));
    case Flag::LeaseDuration: return store(config.lease_duration_ms, spec, parse_duration_ms(value));
    case Flag::RenewDeadline: return store(config.renew_deadline_ms, spec, parse_duration_ms(value));
    case Flag::RetryPeriod: return store(config.retry_period_ms, spec, parse_duration_ms(value));
    case Flag::Version: config.action = Action::Version; break;
    case Flag::Help: config.action = Action::Help; break;
  }
  return {};
}

Status apply_environment(const Environment& env, const Seen& seen, Config& config) {
  const auto lookup = [&](std::string_view name) -> std::string_view {
    const auto it = env.find(name);
    return it == env.end() ? std::string_view() : std::string_view(it->second);
  };
  const std::string_view level = lookup("LOG_LEVEL");
  if (!seen.log_level && !level.empty() && !obs::parse_log_level(level, config.log_level))
    return invalid("LOG_LEVEL: " + expected(obs::kLogLevelChoices) + quote_for_error(level));
  const std::string_view format = lookup("LOG_FORMAT");
  if (!seen.log_format && !format.empty() && !obs::parse_log_format(format, config.log_format))
    return invalid("LOG_FORMAT: " + expected(obs::kLogFormatChoices) + quote_for_error(format));
  if (!seen.kubeconfig) config.kubeconfig = lookup("KUBECONFIG");
  return {};
}

// The original's refresher was a binary of its own with no --mode flag, so its Deployments pass
// only the refresher flags: those alone select refresher mode. An explicit --mode still decides.
Status settle_mode(const Seen& seen, Config& config) {
  const bool refresher_flags = config.target_secret || !config.source_secrets.empty();
  if (!seen.mode && refresher_flags) config.mode = Mode::Refresher;
  if (config.mode == Mode::Controller && refresher_flags)
    return invalid("--target-secret and --source-secret are refresher flags, not for --mode=controller");
  return {};
}

Status validate(const Config& config) {
  if (config.mode == Mode::Refresher) {
    if (!config.target_secret) return invalid("--mode=refresher needs --target-secret=<ns>.<name>");
    if (config.source_secrets.empty())
      return invalid("--mode=refresher needs at least one --source-secret=<ns>.<name>");
  }
  if (config.lease_duration_ms <= config.renew_deadline_ms)
    return invalid("--leader-election-lease-duration must be longer than --leader-election-renew-deadline");
  if (double(config.renew_deadline_ms) <= kRetryJitterFactor * double(config.retry_period_ms))
    return invalid("--leader-election-renew-deadline must be longer than 1.2 × --leader-election-retry-period");
  return {};
}

}  // namespace

Environment process_environment() {
  Environment env;
  for (const char* name : {"LOG_LEVEL", "LOG_FORMAT", "KUBECONFIG"}) {
    if (const char* value = std::getenv(name)) env.emplace(name, value);
  }
  return env;
}

Result<Config> parse_flags(int argc, const char* const* argv, const Environment& env) {
  Config config;
  Seen seen;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string_view name = arg;
    if (name.substr(0, 2) == "--") name.remove_prefix(2);
    else if (name.substr(0, 1) == "-") name.remove_prefix(1);
    else return invalid("unexpected argument " + quote_for_error(arg));
    if (name.empty() || name[0] == '-') return invalid("unexpected argument " + quote_for_error(arg));

    const size_t eq = name.find('=');
    const bool inline_value = eq != std::string_view::npos;
    std::string_view value = inline_value ? name.substr(eq + 1) : std::string_view();
    name = name.substr(0, eq);

    const FlagSpec* spec = find_flag(name);
    if (spec == nullptr) return invalid("unknown flag " + quote_for_error(arg));
    if (spec->value_name.empty()) {
      if (inline_value && spec->flag != Flag::LeaderElection)
        return invalid("--" + std::string(spec->name) + " takes no value");
      if (!inline_value) value = "true";
    } else if (!inline_value) {
      // A following flag is not a value: "--kubeconfig --context x" is a mistake, not a path.
      if (i + 1 >= argc || argv[i + 1][0] == '-') return invalid("--" + std::string(spec->name) + " needs a value");
      value = argv[++i];
    }
    TRY(apply(*spec, value, config, seen));
    if (config.action != Action::Run) return config;
  }
  TRY(apply_environment(env, seen, config));
  TRY(settle_mode(seen, config));
  TRY(validate(config));
  return config;
}

std::string usage_text() {
  std::string out =
      "Usage: imps [flags]\n"
      "Keeps image pull secrets in the namespaces that need them and refreshes AWS ECR tokens.\n"
      "\nFlags (also -flag, and --flag value):\n";
  for (const FlagSpec& spec : kFlags) {
    std::string line = "  --" + std::string(spec.name);
    if (!spec.value_name.empty()) line += "=" + std::string(spec.value_name);
    if (!spec.alias.empty()) line += " (or --" + std::string(spec.alias) + ")";
    out += line;
    out += "\n      ";
    out += spec.help;
    if (!spec.default_text.empty()) {
      out += " (default ";
      out += spec.default_text;
      out += ')';
    }
    out += '\n';
  }
  out +=
      "\nWithout --mode, --target-secret and --source-secret select refresher mode.\n"
      "\nEnvironment:\n"
      "  LOG_LEVEL, LOG_FORMAT    defaults for --log-level and --log-format (flags win)\n"
      "  KUBECONFIG               default for --kubeconfig\n"
      "  AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, AWS_CA_BUNDLE,\n"
      "  AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_CONTAINER_CREDENTIALS_FULL_URI,\n"
      "  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE   AWS endpoints and ambient identity\n"
      "  HTTPS_PROXY, NO_PROXY    HTTP CONNECT proxy for outgoing connections\n"
      "\nExit status: 0 after SIGTERM/SIGINT, 2 for bad flags or configuration, 1 for other errors.\n";
  return out;
}

}  // namespace imps::app
