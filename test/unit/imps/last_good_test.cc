#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "imps/last_good.h"

using namespace imps;

namespace {

DockerConfig must(Result<DockerConfig> r) {
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return std::move(r).value();
}

// An ECR entry as imps writes it, with a password shaped like a real ECR token's.
std::string ecr_entry(int64_t expiration) {
  std::string password = base64_encode(R"({"payload":"p","datakey":"d","version":"2","type":"DATA_KEY","expiration":)" +
                                       std::to_string(expiration) + "}");
  return R"({"username":"AWS","password":")" + password + R"(","auth":")" + base64_encode("AWS:" + password) + R"("})";
}

DockerConfig config(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string text = R"({"auths":{)";
  for (const auto& [registry, entry] : entries) {
    if (text.back() != '{') text += ",";
    text += "\"" + registry + "\":" + entry;
  }
  return must(DockerConfig::parse_config_json(text + "}}"));
}

}  // namespace

TEST_CASE("last good: an ECR entry's expiry comes from its token; other entries have none") {
  CHECK(entry_expiry(ecr_entry(1'700'000'000)) == 1'700'000'000);
  CHECK(entry_expiry(R"({"username":"u","password":"p","auth":"dTpw"})") == 0);
  CHECK(entry_expiry(R"({"username":"u","password":"eyJhIjoxfQ=="})") == 0);  // {"a":1}
  CHECK(entry_expiry(R"({"password":")" + base64_encode(R"({"expiration":"soon"})") + "\"}") == 0);
  CHECK(entry_expiry(R"({"password":")" + base64_encode(R"({"expiration":-5})") + "\"}") == 0);
  CHECK(entry_expiry(R"({"password":")" + base64_encode("not json {") + "\"}") == 0);
  CHECK(entry_expiry(R"({"password":7})") == 0);
  CHECK(entry_expiry("not json") == 0);
  CHECK(entry_expiry(R"({"password":")" + std::string(100'000, 'A') + "\"}") == 0);
}

TEST_CASE("last good: entries no working source supplies are kept from the current target") {
  DockerConfig working = config({{"a.example.com", R"({"auth":"new-a"})"}});
  DockerConfig current = config({{"a.example.com", R"({"auth":"old-a"})"}, {"b.example.com", R"({"auth":"b"})"},
                                 {"ecr.example.com", ecr_entry(2'000)}});
  KeptCredentials kept = keep_last_good(working, current, 1'000);
  CHECK(kept.config.entries().size() == 3);
  CHECK(kept.config.entry("a.example.com") == R"({"auth":"new-a"})");  // a working source wins
  CHECK(kept.config.entry("b.example.com") == R"({"auth":"b"})");
  CHECK(kept.config.entry("ecr.example.com") == ecr_entry(2'000));
  CHECK(kept.earliest_expiry == 2'000);
}

TEST_CASE("last good: an expired entry is not kept") {
  DockerConfig current = config({{"b.example.com", R"({"auth":"b"})"}, {"ecr.example.com", ecr_entry(2'000)}});
  KeptCredentials kept = keep_last_good(DockerConfig(), current, 2'000);
  CHECK(kept.config == config({{"b.example.com", R"({"auth":"b"})"}}));
  CHECK(kept.earliest_expiry == 0);
}

TEST_CASE("last good: with nothing in the target the working sources are the whole document") {
  DockerConfig working = config({{"a.example.com", R"({"auth":"a"})"}});
  KeptCredentials kept = keep_last_good(working, DockerConfig(), 0);
  CHECK(kept.config == working);
  CHECK(kept.earliest_expiry == 0);
}

TEST_CASE("last good: the run that removes a kept entry comes a second after its expiry") {
  KeptCredentials kept;
  CHECK(ms_until_kept_expiry(kept, 1'000) == 0);
  kept.earliest_expiry = 1'060;
  CHECK(ms_until_kept_expiry(kept, 1'000) == 61'000);
}
