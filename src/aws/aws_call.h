// One AWS request on the loop: resolve the endpoint's client, sign (when credentials are given)
// with a fresh X-Amz-Date for every call, send, and hand back the HTTP response or a transport
// error that names the operation. The signing time is corrected for clock skew (clock_skew.h);
// a request rejected for its time is re-signed and sent again at once. Shared by the ECR and STS clients so signing and targeting
// live in one place. Interpreting status codes and bodies is the caller's.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_http.h"
#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "base/result.h"

namespace imps::aws {

struct AwsCall {
  std::string operation;     // "ECR GetAuthorizationToken", for error texts
  std::string endpoint_url;  // from ecr_endpoint() / sts_endpoint()
  std::string region;        // SigV4 scope region
  std::string service;       // SigV4 signing name
  http::Request request;     // target "/" is replaced by the endpoint's path
  std::optional<Credentials> credentials;  // nullopt: send unsigned (AssumeRoleWithWebIdentity)
};

// `done` is called exactly once, from the loop, never from inside this call.
void send_aws_call(AwsHttp& http, SigningKeyCache& keys, AwsCall call,
                   std::function<void(Result<http::Response>)> done);

}  // namespace imps::aws
