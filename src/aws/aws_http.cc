#include "aws/aws_http.h"

#include "http/url.h"
#include "obs/log.h"

namespace imps::aws {

AwsHttp::AwsHttp(loop::EventLoop& loop, AwsHttpOptions options) : loop_(loop), options_(std::move(options)) {}

AwsHttp::~AwsHttp() = default;

void AwsHttp::defer(std::function<void()> fn) {
  loop_.defer([alive = std::weak_ptr<bool>(alive_), fn = std::move(fn)] {
    if (!alive.expired()) fn();
  });
}

Result<AwsTarget> AwsHttp::target(std::string_view url_text) {
  TRY_ASSIGN(http::Url url, http::parse_url(url_text));
  const bool tls = url.scheme == "https";
  std::string host = http::host_header(url);  // keys the endpoint, labels its gauge, signed as `host`
  const std::string key = url.scheme + "://" + host + ":" + std::to_string(url.port);
  auto it = endpoints_.find(key);
  if (it == endpoints_.end()) {
    http::Origin origin;
    origin.tls = tls;
    origin.host = url.host;
    origin.port = url.port;
    if (tls) {
      if (!tls_) {
        net::TlsOptions tls_options;
        tls_options.use_system_cas = true;
        tls_options.extra_ca_pem = options_.extra_ca_pem;
        auto created = net::TlsConfig::create(tls_options);
        if (!created.ok()) return std::move(created).error().context("TLS for AWS");
        tls_ = std::move(created).value();
        if (!tls_->system_cas_error().empty()) {
          obs::warn("AWS calls trust only AWS_CA_BUNDLE", {{"reason", tls_->system_cas_error()}});
        }
      }
      origin.tls_config = tls_;
    }
    http::ClientOptions client_options;
    client_options.max_body_bytes = kMaxAwsResponseBytes;
    client_options.proxy = options_.proxy;
    client_options.budget_part = http::Part::Aws;
    Endpoint endpoint;
    endpoint.client = std::make_unique<http::Client>(loop_, std::move(origin), client_options);
    if (options_.metrics != nullptr) {
      endpoint.skew_seconds = &options_.metrics->gauge(
          "imps_aws_clock_skew_seconds",
          "AWS's clock minus ours, per endpoint, as corrected for when signing (0 = within 4 minutes).",
          {{"endpoint", host}});
    }
    it = endpoints_.emplace(key, std::move(endpoint)).first;
  }
  AwsTarget target;
  target.client = it->second.client.get();
  target.clock = &it->second.clock;
  target.skew_seconds = it->second.skew_seconds;
  target.path = url.path.empty() ? "/" : url.path;
  if (!url.query.empty()) target.path += "?" + url.query;
  target.host_header = std::move(host);
  return target;
}

int64_t AwsHttp::signing_time_s(const AwsTarget& target) const {
  return target.clock->corrected_unix_ms(loop_.clock().wall_unix_ms()) / 1000;
}

void AwsHttp::observe_date(const AwsTarget& target, const http::Response& response) {
  const std::optional<std::string_view> date = response.header("Date");
  if (!date || !target.clock->observe(*date, loop_.clock().wall_unix_ms())) return;
  const long long skew_s = static_cast<long long>(target.clock->offset_ms() / 1000);
  if (target.skew_seconds != nullptr) target.skew_seconds->set(double(skew_s));
  if (skew_s != 0) {
    obs::warn("clock skew against AWS detected; signing with the endpoint's time",
              {{"endpoint", target.host_header}, {"skew_seconds", skew_s}});
  } else {
    obs::info("clock skew against AWS is gone", {{"endpoint", target.host_header}});
  }
}

}  // namespace imps::aws
