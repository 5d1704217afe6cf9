// The HTTP clients AWS calls go through: one http::Client per endpoint origin (regional ECR and
// STS hosts, overrides, the container-credentials agent), created on first use and kept for
// keep-alive. TLS trusts the system CAs (net/system_cas.h) plus AWS_CA_BUNDLE's certificates (those
// alone, with a warning, on a host without system CAs); HTTPS goes through
// HTTPS_PROXY unless NO_PROXY matches. The TLS configuration is built once and shared.
// Each endpoint keeps its clock-skew correction (aws/clock_skew.h), fed from responses' Date.
// Knows nothing of signing or of AWS protocols.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "aws/clock_skew.h"
#include "base/result.h"
#include "http/client.h"
#include "loop/event_loop.h"
#include "obs/metrics.h"

namespace imps::aws {

// AWS answers in well under a second; a stuck exchange must not hold a refresh for long.
constexpr Millis kAwsRequestTimeoutMs = 30'000;
// Bounded by the largest AWS answer we read (ECR tokens are a few KB).
constexpr size_t kMaxAwsResponseBytes = 1 << 20;

struct AwsHttpOptions {
  std::string extra_ca_pem;  // AWS_CA_BUNDLE's content
  net::ProxyConfig proxy;
  obs::Registry* metrics = nullptr;  // imps_aws_clock_skew_seconds per endpoint; nullptr = none
};

// Where to send a request for one endpoint URL.
struct AwsTarget {
  http::Client* client = nullptr;  // owned by AwsHttp
  ClockSkew* clock = nullptr;      // the endpoint's skew correction, owned by AwsHttp
  obs::Gauge* skew_seconds = nullptr;  // its imps_aws_clock_skew_seconds, when metrics are kept
  std::string path;                // the URL's path (and query), "/" when none
  std::string host_header;         // what SigV4 signs as `host`
};

class AwsHttp {
 public:
  AwsHttp(loop::EventLoop& loop, AwsHttpOptions options);
  ~AwsHttp();
  AwsHttp(const AwsHttp&) = delete;
  AwsHttp& operator=(const AwsHttp&) = delete;

  loop::EventLoop& loop() { return loop_; }
  // Runs `fn` on the loop soon, unless this AwsHttp is destroyed first: for completions that are
  // known at once but must not run inside the call that started them.
  void defer(std::function<void()> fn);
  // Errors: a malformed URL, or a TLS trust store that cannot be built.
  Result<AwsTarget> target(std::string_view url);
  // Unix seconds to sign a request for `target` with: the wall clock plus the endpoint's offset.
  int64_t signing_time_s(const AwsTarget& target) const;
  // Feeds a response's Date to the endpoint's correction; when the offset changes, logs it once
  // and updates the gauge.
  void observe_date(const AwsTarget& target, const http::Response& response);

 private:
  loop::EventLoop& loop_;
  AwsHttpOptions options_;
  std::shared_ptr<net::TlsConfig> tls_;
  struct Endpoint {
    std::unique_ptr<http::Client> client;
    ClockSkew clock;
    obs::Gauge* skew_seconds = nullptr;
  };
  std::map<std::string, Endpoint> endpoints_;  // by "scheme://host:port"; never erased (targets point in)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace imps::aws
