#include "aws/aws_call.h"

#include <memory>

#include "aws/clock_skew.h"

namespace imps::aws {
namespace {

struct Attempt {
  AwsHttp& http;
  SigningKeyCache& keys;
  AwsCall call;
  AwsTarget target;
  std::function<void(Result<http::Response>)> done;
  Millis signed_with_offset = 0;
  bool resent = false;
};

void send_attempt(std::shared_ptr<Attempt> attempt) {
  // Only a signed request's first attempt can be sent again (a skew rejection): that one sends a
  // copy and keeps the original; the last attempt gives its request, body included, away.
  const bool last = !attempt->call.credentials || attempt->resent;
  http::Request request = last ? std::move(attempt->call.request) : attempt->call.request;
  if (attempt->call.credentials) {
    attempt->signed_with_offset = attempt->target.clock->offset_ms();
    (void)sign_request(request, *attempt->call.credentials,
                       SigningParams{attempt->call.region, attempt->call.service, attempt->target.host_header,
                                     attempt->http.signing_time_s(attempt->target)},
                       attempt->keys);
  }
  attempt->target.client->send(std::move(request), [attempt](Result<http::Response> r) {
    if (!r.ok()) return attempt->done(std::move(r).error().context(attempt->call.operation));
    attempt->http.observe_date(attempt->target, *r);
    // Rejected for its time, and the offset is not the one it was signed with (this answer, or
    // another request's, corrected it): re-sign and send again at once, once.
    if (attempt->call.credentials && !attempt->resent && is_clock_skew_error(r->status, r->body) &&
        attempt->target.clock->offset_ms() != attempt->signed_with_offset) {
      attempt->resent = true;
      return send_attempt(attempt);
    }
    attempt->done(std::move(r));
  });
}

}  // namespace

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
  send_attempt(std::make_shared<Attempt>(Attempt{http, keys, std::move(call), std::move(target).value(), std::move(done)}));
}

}  // namespace imps::aws
