#include <doctest/doctest.h>

#include "aws/crypto.h"
#include "http/url.h"
#include "aws/sigv4.h"
#include "aws/sigv4_canonical.h"
#include "base/bytes.h"

using namespace imps;
using namespace imps::aws;

namespace {
const std::string kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
}

TEST_CASE("sha256 and hmac-sha256 known answers") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("{}") == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  // RFC 4231 test case 2.
  CHECK(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// SigV4 shares http::query_escape / percent_decode: AWS's encoding is exactly RFC 3986's.
TEST_CASE("percent encoding uses the unreserved set and uppercase hex") {
  CHECK(http::query_escape("AZaz09-_.~") == "AZaz09-_.~");
  CHECK(http::query_escape("a b+c/d=e&f:g") == "a%20b%2Bc%2Fd%3De%26f%3Ag");
  CHECK(http::query_escape("\xe1\x88\xb4") == "%E1%88%B4");
  CHECK(http::percent_decode("%E1%88%b4") == "\xe1\x88\xb4");
  CHECK(http::percent_decode("a+b") == "a+b");
  CHECK(http::percent_decode("%") == "%");
  CHECK(http::percent_decode("%4") == "%4");
  CHECK(http::percent_decode("%zz%41") == "%zzA");
}

TEST_CASE("canonical URI normalises dot segments and slashes, then encodes") {
  CHECK(canonical_uri("") == "/");
  CHECK(canonical_uri("/") == "/");
  CHECK(canonical_uri("//") == "/");
  CHECK(canonical_uri("/a/./b/../c/") == "/a/c/");
  CHECK(canonical_uri("/../../a") == "/a");
  CHECK(canonical_uri("/a/..") == "/");
  CHECK(canonical_uri("a//b") == "/a/b");
  CHECK(canonical_uri("/~user/x") == "/~user/x");
  // The wire path is already encoded; non-S3 SigV4 encodes it again.
  CHECK(canonical_uri("/a%20b") == "/a%2520b");
}

TEST_CASE("canonical query sorts encoded keys, then values, and keeps empty ones") {
  CHECK(canonical_query("") == "");
  CHECK(canonical_query("a=&b") == "a=&b=");
  CHECK(canonical_query("b&a=") == "a=&b=");
  CHECK(canonical_query("=v") == "=v");
  CHECK(canonical_query("a=2&a=1&a=1") == "a=1&a=1&a=2");
  CHECK(canonical_query("Param1=value2&Param1=Value1") == "Param1=Value1&Param1=value2");
  CHECK(canonical_query("x=a%20b&y=a+b&z=a/b") == "x=a%20b&y=a%2Bb&z=a%2Fb");
  CHECK(canonical_query("&&a=1&") == "a=1");
  CHECK(canonical_query("k=a=b") == "k=a%3Db");
}

TEST_CASE("canonical headers: lowercase, trimmed, collapsed, repeated joined in order") {
  http::Headers headers = {
      {"My-Header", "  \"a   b \t c\"  "}, {"Host", "h"}, {"X-Dup", "2"}, {"x-dup", " 1 "},
      {"User-Agent", "imps"}, {"Authorization", "old"}, {"Expect", "100-continue"},
      {"Connection", "close"}, {"Transfer-Encoding", "chunked"}, {"X-Amzn-Trace-Id", "t"},
      {"Empty", ""}};
  CanonicalHeaders c = canonical_headers(headers);
  CHECK(c.lines == "empty:\nhost:h\nmy-header:\"a b c\"\nx-dup:2,1\n");
  CHECK(c.signed_headers == "empty;host;my-header;x-dup");
  CHECK_FALSE(is_signable_header("USER-AGENT"));
  CHECK(is_signable_header("Content-Type"));
}

TEST_CASE("signing key derivation matches the suite README and the AWS docs' iam example") {
  std::string k_date = hmac_sha256("AWS4" + kSecret, "20150830");
  std::string k_region = hmac_sha256(k_date, "us-east-1");
  std::string k_service = hmac_sha256(k_region, "service");
  CHECK(hex_encode(k_date) == "0138c7a6cbd60aa727b2f653a522567439dfb9f3e72b21f9b25941a42f04a7cd");
  CHECK(hex_encode(k_region) == "f33d5808504bf34812e5fade63308b424b244c59189be2a591dd2282c7cb563f");
  CHECK(hex_encode(k_service) == "f7fd819348e53789a8474fb1aebea778f5af85c40612e0f064eecd5642c81bc1");
  std::string key = derive_signing_key(kSecret, "20150830", "us-east-1", "service");
  CHECK(hex_encode(key) == "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
  CHECK(hex_encode(derive_signing_key(kSecret, "20120215", "us-east-1", "iam")) ==
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST_CASE("signing key cache derives once per secret, date, region and service, and stays bounded") {
  SigningKeyCache cache;
  std::string first = cache.get(kSecret, "20150830", "us-east-1", "service");
  CHECK(hex_encode(first) == "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
  CHECK(cache.get(kSecret, "20150830", "us-east-1", "service") == first);
  CHECK(cache.derivations() == 1);
  cache.get(kSecret, "20150831", "us-east-1", "service");
  cache.get(kSecret, "20150830", "us-west-2", "service");
  cache.get(kSecret, "20150830", "us-east-1", "ecr");
  cache.get("other", "20150830", "us-east-1", "service");
  CHECK(cache.derivations() == 5);
  for (int i = 0; i < 100; ++i) cache.get(kSecret, std::to_string(20000000 + i), "r", "s");
  CHECK(cache.size() <= 16);
  CHECK(cache.get(kSecret, "20000099", "r", "s") ==
        derive_signing_key(kSecret, "20000099", "r", "s"));
}

TEST_CASE("amz date, scope and authorization header formats") {
  CHECK(format_amz_date(1440938160) == "20150830T123600Z");
  CHECK(format_amz_date(0) == "19700101T000000Z");
  CHECK(credential_scope("20150830", "us-east-1", "service") == "20150830/us-east-1/service/aws4_request");
  CHECK(authorization_header("AKID", "s", "host", "ab") ==
        "AWS4-HMAC-SHA256 Credential=AKID/s, SignedHeaders=host, Signature=ab");
  CHECK(string_to_sign("20150830T123600Z", "scope", "") ==
        "AWS4-HMAC-SHA256\n20150830T123600Z\nscope\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("sign_request replaces earlier signing headers so a retry can be re-signed") {
  http::Request req;
  req.headers = {{"Host", "stale"}, {"x-amz-date", "19990101T000000Z"}, {"authorization", "old"},
                 {"X-Amz-Security-Token", "old-token"}, {"User-Agent", "imps"}};
  SigningKeyCache keys;
  Credentials creds{"AKIDEXAMPLE", kSecret, "", 0};
  SigningParams params{"us-east-1", "service", "example.amazonaws.com", 1440938160};
  SigningTrace first = sign_request(req, creds, params, keys);
  SigningTrace second = sign_request(req, creds, params, keys);
  CHECK(first.authorization == second.authorization);
  CHECK(second.authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  CHECK(req.headers.size() == 3);  // User-Agent, X-Amz-Date, Authorization; Host is the client's
  CHECK(keys.derivations() == 1);
}

TEST_CASE("describe() never prints the secret key or the session token") {
  Credentials creds{"AKIDEXAMPLE", kSecret, "SESSIONTOKEN", 1714566896000};
  std::string text = describe(creds);
  CHECK(text.find("AKIDEXAMPLE") != std::string::npos);
  CHECK(text.find(kSecret) == std::string::npos);
  CHECK(text.find("SESSIONTOKEN") == std::string::npos);
  CHECK(text.find("2024-05-01T12:34:56Z") != std::string::npos);
  CHECK(describe(Credentials{"A", "s", "", 0}).find("no expiry") != std::string::npos);
}
