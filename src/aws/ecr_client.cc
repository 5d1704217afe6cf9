#include "aws/ecr_client.h"

#include "aws/aws_call.h"
#include "aws/aws_error.h"
#include "aws/token_cache.h"

namespace imps::aws {
namespace {

constexpr std::string_view kOperation = "ECR GetAuthorizationToken";

}  // namespace

Error ecr_error(const http::Response& response) {
  std::string_view body = response.body;
  if (body.size() > kMaxErrorBodyBytes) body = {};
  AwsError aws = parse_json_error(response.status, body, response.header("x-amzn-ErrorType"));
  Error error = to_error(aws, kOperation);
  // Retryable 4xx codes are AWS's throttling family; 5xx are plain server faults.
  if (aws.retryable && aws.status < 500) error.code = kThrottledCode;
  return error;
}

void EcrClient::get_authorization_token(const std::string& region, const Credentials& credentials,
                                        std::function<void(Result<EcrToken>)> done) {
  auto endpoint = ecr_endpoint(region, overrides_);
  if (!endpoint.ok()) {
    Error error = std::move(endpoint).error().context(kOperation);
    http_.defer([done = std::move(done), error = std::move(error)]() mutable { done(std::move(error)); });
    return;
  }
  AwsCall call{std::string(kOperation), *endpoint, region, std::string(kEcrSigningName),
               ecr_get_authorization_token_request(), credentials};
  send_aws_call(http_, keys_, std::move(call), [done = std::move(done)](Result<http::Response> r) {
    if (!r.ok()) return done(std::move(r).error());
    if (r->status != 200) return done(ecr_error(*r));
    auto token = parse_ecr_authorization_response(r->body);
    if (!token.ok()) return done(std::move(token).error());
    done(std::move(token).value());
  });
}

}  // namespace imps::aws
