#include "kube/transport.h"

#include "kube/client.h"

namespace imps::kube {

// Lives here rather than in client.cc so that code using the Client through a fake transport
// (unit tests) does not link the real HTTP stack.
Result<std::unique_ptr<Client>> Client::connect(loop::EventLoop& loop, const ClusterConfig& config,
                                                ClientOptions options) {
  http::Origin origin;
  origin.tls = config.server.scheme == "https";
  origin.host = config.server.host;
  origin.port = config.server.port;
  if (origin.tls) {
    TRY_ASSIGN(origin.tls_config, net::TlsConfig::create(config.tls));
  }
  http::ClientOptions http_options;
  http_options.max_body_bytes = options.max_body_bytes;
  // client-go: the kubeconfig's proxy-url wins over the environment (options.proxy).
  http_options.proxy = config.proxy_url.empty() ? options.proxy : net::ProxyConfig::fixed(config.proxy_url, "proxy-url");
  if (origin.tls) {
    // A malformed or unsupported proxy is a configuration error now, not a failure per request.
    TRY(http_options.proxy.select(true, origin.host, origin.port));
  }
  http_options.user_agent = default_user_agent(options.component);
  http_options.budget_part = http::Part::KubeRequests;
  auto transport = std::make_unique<HttpTransport>(
      std::make_unique<http::Client>(loop, std::move(origin), std::move(http_options)));
  std::string prefix = config.server.path == "/" ? std::string() : config.server.path;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return std::make_unique<Client>(loop, std::move(transport),
                                  TokenSource::for_config(config, loop.clock()), std::move(options),
                                  std::move(prefix));
}

}  // namespace imps::kube
