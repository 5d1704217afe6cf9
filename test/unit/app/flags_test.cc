#include "app/flags.h"

#include <vector>

#include <doctest/doctest.h>

using namespace imps::app;
using imps::obs::LogFormat;
using imps::obs::LogLevel;

namespace {

imps::Result<Config> parse(std::vector<const char*> args, const Environment& env = {}) {
  args.insert(args.begin(), "imps");
  return parse_flags(static_cast<int>(args.size()), args.data(), env);
}

Config ok(std::vector<const char*> args, const Environment& env = {}) {
  auto r = parse(std::move(args), env);
  if (!r.ok()) FAIL_CHECK(r.error().message);
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string fails(std::vector<const char*> args, const Environment& env = {}) {
  auto r = parse(std::move(args), env);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == imps::ErrorKind::Invalid);
  CHECK(r.error().message.find('\n') == std::string::npos);
  return r.error().message;
}

const std::vector<const char*> kRefresher = {"--mode=refresher", "--target-secret=default.pull",
                                             "--source-secret=default.ecr"};

}  // namespace

TEST_CASE("defaults, as README.md's flag table gives them") {
  const Config c = ok({});
  CHECK(c.action == Action::Run);
  CHECK(c.mode == Mode::Controller);
  CHECK(c.kubeconfig.empty());
  CHECK(c.context.empty());
  CHECK(c.metrics_addr == ListenAddress{"", 8080});
  CHECK(c.health_probe_addr == ListenAddress{"", 8081});
  CHECK(c.resync_interval_ms == 300'000);
  CHECK_FALSE(c.leader_election);
  CHECK(c.leader_election_namespace.empty());
  CHECK(c.lease_duration_ms == 15'000);
  CHECK(c.renew_deadline_ms == 10'000);
  CHECK(c.retry_period_ms == 2'000);
  CHECK(c.qps == 20);
  CHECK(c.burst == 40);
  CHECK(c.log_level == LogLevel::Info);
  CHECK(c.log_format == LogFormat::Json);
  CHECK_FALSE(c.target_secret);
  CHECK(c.source_secrets.empty());
}

TEST_CASE("every flag, as --flag=value and as --flag value") {
  const Config a = ok({"--kubeconfig=/k", "--context=ctx", "--metrics-addr=127.0.0.1:9090", "--health-probe-addr=:9091",
                       "--periodic-reconcile-interval=60", "--enable-leader-election", "--config-namespace=imps",
                       "--qps=5.5", "--burst=7", "--log-level=debug", "--log-format=text",
                       "--leader-election-lease-duration=30s", "--leader-election-renew-deadline=20s",
                       "--leader-election-retry-period=5s"});
  const Config b = ok({"--kubeconfig", "/k", "--context", "ctx", "--metrics-addr", "127.0.0.1:9090",
                       "--health-probe-addr", ":9091", "--periodic-reconcile-interval", "60", "--enable-leader-election",
                       "--config-namespace", "imps", "--qps", "5.5", "--burst", "7", "--log-level", "debug",
                       "--log-format", "text", "--leader-election-lease-duration", "30s",
                       "--leader-election-renew-deadline", "20s", "--leader-election-retry-period", "5s"});
  for (const Config* c : {&a, &b}) {
    CHECK(c->kubeconfig == "/k");
    CHECK(c->context == "ctx");
    CHECK(c->metrics_addr == ListenAddress{"127.0.0.1", 9090});
    CHECK(c->health_probe_addr == ListenAddress{"", 9091});
    CHECK(c->resync_interval_ms == 60'000);
    CHECK(c->leader_election);
    CHECK(c->leader_election_namespace == "imps");
    CHECK(c->qps == 5.5);
    CHECK(c->burst == 7);
    CHECK(c->log_level == LogLevel::Debug);
    CHECK(c->log_format == LogFormat::Text);
    CHECK(c->lease_duration_ms == 30'000);
    CHECK(c->renew_deadline_ms == 20'000);
    CHECK(c->retry_period_ms == 5'000);
  }
}

TEST_CASE("the Go operator's spellings: one dash, aliases, =true/=false") {
  const Config c = ok({"-metrics-addr=:9000", "-enable-leader-election", "-leader-election-namespace", "ops"});
  CHECK(c.metrics_addr == ListenAddress{"", 9000});
  CHECK(c.leader_election);
  CHECK(c.leader_election_namespace == "ops");
  CHECK(ok({"--enable-leader-election=true"}).leader_election);
  CHECK_FALSE(ok({"--enable-leader-election", "--enable-leader-election=false"}).leader_election);
  CHECK(ok({"--config-namespace=a", "--leader-election-namespace=b"}).leader_election_namespace == "b");
}

TEST_CASE("addresses: 0 disables a server") {
  const Config c = ok({"--metrics-addr=0", "--health-probe-addr", "0"});
  CHECK_FALSE(c.metrics_addr);
  CHECK_FALSE(c.health_probe_addr);
}

TEST_CASE("resync interval: seconds, or a duration") {
  CHECK(ok({"--periodic-reconcile-interval=5m"}).resync_interval_ms == 300'000);
  CHECK(ok({"--periodic-reconcile-interval=1"}).resync_interval_ms == 1'000);
  CHECK(fails({"--periodic-reconcile-interval=0"}).find("--periodic-reconcile-interval") == 0);
  CHECK(fails({"--periodic-reconcile-interval", "-5"}) == "--periodic-reconcile-interval needs a value");
  CHECK(fails({"--periodic-reconcile-interval=-5"}).find("--periodic-reconcile-interval: ") == 0);
  CHECK(fails({"--periodic-reconcile-interval=abc"}).find("--periodic-reconcile-interval: ") == 0);
}

TEST_CASE("a repeated flag takes its last value") {
  CHECK(ok({"--qps=1", "--qps=2"}).qps == 2);
  CHECK(ok({"--mode=refresher", "--mode=controller"}).mode == Mode::Controller);
}

TEST_CASE("log level and format: flag beats environment beats default") {
  const Environment env = {{"LOG_LEVEL", "error"}, {"LOG_FORMAT", "text"}};
  const Config from_env = ok({}, env);
  CHECK(from_env.log_level == LogLevel::Error);
  CHECK(from_env.log_format == LogFormat::Text);
  const Config from_flags = ok({"--log-level=warn", "--log-format=json"}, env);
  CHECK(from_flags.log_level == LogLevel::Warn);
  CHECK(from_flags.log_format == LogFormat::Json);
  // An empty variable counts as unset; a bad one is an error unless a flag overrides it.
  CHECK(ok({}, {{"LOG_LEVEL", ""}}).log_level == LogLevel::Info);
  CHECK(fails({}, {{"LOG_LEVEL", "loud"}}) ==
        "LOG_LEVEL: expected trace, debug, info, warn, error, fatal or panic, not \"loud\"");
  CHECK(fails({}, {{"LOG_FORMAT", "xml"}}) == "LOG_FORMAT: expected json, logfmt or text, not \"xml\"");
  CHECK(ok({"--log-format=text"}, {{"LOG_FORMAT", "xml"}}).log_format == LogFormat::Text);
  CHECK(fails({"--log-format=xml"}) == "--log-format: expected json, logfmt or text, not \"xml\"");
  CHECK(fails({"--log-level=verbose"}) ==
        "--log-level: expected trace, debug, info, warn, error, fatal or panic, not \"verbose\"");
}

TEST_CASE("log settings of the Go original: --log.level, logrus level names, logfmt") {
  CHECK(ok({"--log.level=warn"}).log_level == LogLevel::Warn);
  CHECK(ok({"-log.level", "error"}).log_level == LogLevel::Error);
  CHECK(ok({"--log.level=debug"}, {{"LOG_LEVEL", "error"}}).log_level == LogLevel::Debug);
  CHECK(ok({}, {{"LOG_LEVEL", "trace"}}).log_level == LogLevel::Debug);
  CHECK(ok({}, {{"LOG_LEVEL", "panic"}}).log_level == LogLevel::Error);
  CHECK(ok({}, {{"LOG_LEVEL", "fatal"}}).log_level == LogLevel::Error);
  CHECK(ok({}, {{"LOG_FORMAT", "logfmt"}}).log_format == LogFormat::Logfmt);
  CHECK(ok({"--log-format=logfmt"}).log_format == LogFormat::Logfmt);
  CHECK(fails({"--log.level=loud"}).find("--log-level: expected trace") == 0);
}

TEST_CASE("kubeconfig: flag beats $KUBECONFIG") {
  CHECK(ok({}, {{"KUBECONFIG", "/env"}}).kubeconfig == "/env");
  CHECK(ok({"--kubeconfig=/flag"}, {{"KUBECONFIG", "/env"}}).kubeconfig == "/flag");
}

TEST_CASE("refresher mode") {
  Config c = ok({"--mode=refresher", "--target-secret=default.pull.v1", "--source-secret=default.a",
                 "--source-secret", "other.b"});
  CHECK(c.mode == Mode::Refresher);
  CHECK(*c.target_secret == ObjectRef{"default", "pull.v1"});
  REQUIRE(c.source_secrets.size() == 2);
  CHECK(c.source_secrets[0] == ObjectRef{"default", "a"});
  CHECK(c.source_secrets[1] == ObjectRef{"other", "b"});
  CHECK(ok(kRefresher).source_secrets.size() == 1);
}

TEST_CASE("refresher mode is inferred from the refresher flags; an explicit --mode wins") {
  const Config inferred = ok({"--target-secret=default.pull", "--source-secret=default.a"});
  CHECK(inferred.mode == Mode::Refresher);
  CHECK(*inferred.target_secret == ObjectRef{"default", "pull"});
  CHECK(ok({"--source-secret=default.a", "--target-secret=default.pull", "--log.level=info"}).mode == Mode::Refresher);
  CHECK(fails({"--target-secret=default.pull"}) == "--mode=refresher needs at least one --source-secret=<ns>.<name>");
  CHECK(fails({"--source-secret=default.a"}) == "--mode=refresher needs --target-secret=<ns>.<name>");
  CHECK(fails({"--mode=controller", "--target-secret=default.a", "--source-secret=default.b"}) ==
        "--target-secret and --source-secret are refresher flags, not for --mode=controller");
  CHECK(fails({"--mode=refresher", "--mode=controller", "--source-secret=default.b"}) ==
        "--target-secret and --source-secret are refresher flags, not for --mode=controller");
}

TEST_CASE("refresher flag errors") {
  CHECK(fails({"--mode=refresher", "--source-secret=default.a"}) == "--mode=refresher needs --target-secret=<ns>.<name>");
  CHECK(fails({"--mode=refresher", "--target-secret=default.a"}) ==
        "--mode=refresher needs at least one --source-secret=<ns>.<name>");
  CHECK(fails({"--mode=refresher", "--target-secret=nodot", "--source-secret=default.b"}) ==
        "--target-secret: expected <namespace>.<name>, not \"nodot\" (no dot)");
  CHECK(fails({"--mode=refresher", "--target-secret=default.a", "--source-secret=.b"}) ==
        "--source-secret: expected <namespace>.<name>, not \".b\" (empty part)");
  CHECK(fails({"--mode=refresher", "--target-secret=default.", "--source-secret=a.b"}).find("empty part") !=
        std::string::npos);
}

TEST_CASE("leader election timing: lease > renew deadline > 1.2 × retry period") {
  CHECK(fails({"--leader-election-lease-duration=10s"}).find("--leader-election-lease-duration must be longer") == 0);
  CHECK(fails({"--leader-election-renew-deadline=2400ms"}).find("--leader-election-renew-deadline must be longer") == 0);
  CHECK(ok({"--leader-election-renew-deadline=2401ms"}).renew_deadline_ms == 2401);
  CHECK(fails({"--leader-election-retry-period=0s"}).find("--leader-election-retry-period: ") == 0);
}

TEST_CASE("help and version stop parsing where they appear") {
  CHECK(ok({"--help"}).action == Action::Help);
  CHECK(ok({"-h"}).action == Action::Help);
  CHECK(ok({"-help", "--bogus"}).action == Action::Help);
  CHECK(ok({"--version"}).action == Action::Version);
  CHECK(ok({"--mode=refresher", "--version"}).action == Action::Version);
  CHECK(fails({"--bogus", "--help"}) == "unknown flag \"--bogus\"");
  CHECK(fails({"--help=1"}) == "--help takes no value");
}

TEST_CASE("every bad form") {
  CHECK(fails({"--bogus"}) == "unknown flag \"--bogus\"");
  CHECK(fails({"--bogus=1"}) == "unknown flag \"--bogus=1\"");
  CHECK(fails({"extra"}) == "unexpected argument \"extra\"");
  CHECK(fails({"-"}) == "unexpected argument \"-\"");
  CHECK(fails({"--"}) == "unexpected argument \"--\"");
  CHECK(fails({"---mode=controller"}) == "unexpected argument \"---mode=controller\"");
  CHECK(fails({"--enable-leader-election", "false"}) == "unexpected argument \"false\"");
  CHECK(fails({"--enable-leader-election=yes"}) == "--enable-leader-election: expected true or false, not \"yes\"");
  CHECK(fails({"--mode"}) == "--mode needs a value");
  CHECK(fails({"--kubeconfig", "--context=x"}) == "--kubeconfig needs a value");
  CHECK(fails({"--mode=both"}) == "--mode: expected controller or refresher, not \"both\"");
  CHECK(fails({"--mode="}) == "--mode: expected controller or refresher, not \"\"");
  CHECK(fails({"--metrics-addr=8080"}).find("--metrics-addr: expected [host]:port") == 0);
  CHECK(fails({"--health-probe-addr=:99999"}).find("--health-probe-addr: invalid port") == 0);
  CHECK(fails({"--qps=0"}) == "--qps: must be positive, not \"0\"");
  CHECK(fails({"--qps=fast"}).find("--qps: expected a positive number") == 0);
  CHECK(fails({"--burst=1.5"}).find("--burst: expected a positive whole number") == 0);
  CHECK(fails({"--burst=0"}) == "--burst: must be positive, not \"0\"");
  CHECK(fails({"--config-namespace=Bad_NS"}) == "--config-namespace: invalid namespace \"Bad_NS\"");
  CHECK(fails({"--leader-election-lease-duration=15"}).find("--leader-election-lease-duration: expected a duration") == 0);
  CHECK(fails({"--mode=a\nb"}) == "--mode: expected controller or refresher, not \"a?b\"");
}

TEST_CASE("usage lists every flag of README.md's flag table with its default") {
  const std::string text = usage_text();
  for (const char* flag :
       {"--mode=controller|refresher", "--kubeconfig", "--context", "--metrics-addr", "--health-probe-addr",
        "--periodic-reconcile-interval", "--enable-leader-election", "--config-namespace",
        "--leader-election-namespace", "--qps", "--burst", "--log-level", "--log-format", "--target-secret",
        "--source-secret", "--version", "--help", "--leader-election-lease-duration",
        "--leader-election-renew-deadline", "--leader-election-retry-period", "LOG_LEVEL", "LOG_FORMAT", "KUBECONFIG", "--log.level",
        "json|logfmt|text"}) {
    CAPTURE(flag);
    CHECK(text.find(flag) != std::string::npos);
  }
  for (const char* default_text : {"(default controller)", "(default :8080)", "(default :8081)", "(default 300)",
                                   "(default false)", "(default 20)", "(default 40)", "(default 15s)", "(default 10s)",
                                   "(default 2s)"}) {
    CAPTURE(default_text);
    CHECK(text.find(default_text) != std::string::npos);
  }
}
