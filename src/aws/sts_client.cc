#include "aws/sts_client.h"

#include "aws/aws_call.h"
#include "aws/aws_error.h"

namespace imps::aws {

Error sts_error(const char* operation, const http::Response& response) {
  std::string_view body = response.body;
  if (body.size() > kMaxErrorBodyBytes) body = {};
  return to_error(parse_sts_error_response(response.status, body), operation);
}

void StsClient::assume_role(const std::string& region, const Credentials& credentials,
                            const AssumeRoleParams& params, Done done) {
  send("STS AssumeRole", region, sts_assume_role_request(params), credentials, std::move(done));
}

void StsClient::assume_role_with_web_identity(const std::string& region, const WebIdentityParams& params,
                                              Done done) {
  send("STS AssumeRoleWithWebIdentity", region, sts_assume_role_with_web_identity_request(params), std::nullopt,
       std::move(done));
}

void StsClient::send(const char* operation, const std::string& region, Result<http::Request> request,
                     std::optional<Credentials> credentials, Done done) {
  auto endpoint = sts_endpoint(region, overrides_);
  if (!request.ok() || !endpoint.ok()) {
    Error error = (!request.ok() ? std::move(request).error() : std::move(endpoint).error()).context(operation);
    http_.defer([done = std::move(done), error = std::move(error)]() mutable { done(std::move(error)); });
    return;
  }
  AwsCall call{operation, *endpoint, region, std::string(kStsSigningName), std::move(request).value(),
               std::move(credentials)};
  send_aws_call(http_, keys_, std::move(call), [operation, done = std::move(done)](Result<http::Response> r) {
    if (!r.ok()) return done(std::move(r).error());
    if (r->status != 200) return done(sts_error(operation, *r));
    auto parsed = parse_sts_credentials_response(r->body);
    if (!parsed.ok()) return done(std::move(parsed).error().context(operation));
    done(std::move(parsed).value());
  });
}

}  // namespace imps::aws
