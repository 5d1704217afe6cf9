#include "aws/aws_call.h"

namespace imps::aws {

void send_aws_call(AwsHttp& http, SigningKeyCache& keys, AwsCall call,
                   std::function<void(Result<http::Response>)> done) {
  auto target = http.target(call.endpoint_url);
  if (!target.ok()) {
    Error error = std::move(target).error().context(call.operation);
    http.defer([done = std::move(done), error = std::move(error)]() mutable { done(std::move(error)); });
    return;
  }
  call.request.target = target->path;
  call.request.timeout_ms = kAwsRequestTimeoutMs;
  if (call.credentials) {
    const int64_t now_s = http.loop().clock().wall_unix_ms() / 1000;
    (void)sign_request(call.request, *call.credentials,
                       SigningParams{call.region, call.service, target->host_header, now_s}, keys);
  }
  target->client->send(std::move(call.request),
                       [operation = std::move(call.operation), done = std::move(done)](Result<http::Response> r) {
                         if (!r.ok()) return done(std::move(r).error().context(operation));
                         done(std::move(r));
                       });
}

}  // namespace imps::aws
