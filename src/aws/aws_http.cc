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
  const std::string key = url.scheme + "://" + http::host_header(url) + ":" + std::to_string(url.port);
  auto it = clients_.find(key);
  if (it == clients_.end()) {
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
    it = clients_.emplace(key, std::make_unique<http::Client>(loop_, std::move(origin), client_options)).first;
  }
  AwsTarget target;
  target.client = it->second.get();
  target.path = url.path.empty() ? "/" : url.path;
  if (!url.query.empty()) target.path += "?" + url.query;
  target.host_header = http::host_header(url);
  return target;
}

}  // namespace imps::aws
