#include <doctest/doctest.h>

#include <filesystem>

#include "kube/token_source.h"
#include "temp_dir.h"

using namespace imps;
using namespace imps::kube;

TEST_CASE("fixed and absent tokens") {
  CHECK(TokenSource().token().value().empty());
  CHECK(TokenSource::fixed("abc \n").token().value() == "abc");
}

TEST_CASE("token file is cached for a minute, then re-read") {
  test::TempDir dir;
  ManualClock clock;
  const std::string path = dir.write("token", "one\n");
  TokenSource source = TokenSource::from_file(path, clock);
  CHECK(source.token().value() == "one");
  dir.write("token", "two");
  clock.advance(kTokenMaxAgeMs - 1);
  CHECK(source.token().value() == "one");
  clock.advance(1);
  CHECK(source.token().value() == "two");
}

TEST_CASE("invalidate() forces a re-read on the next request") {
  test::TempDir dir;
  ManualClock clock;
  TokenSource source = TokenSource::from_file(dir.write("token", "old"), clock);
  CHECK(source.token().value() == "old");
  dir.write("token", "new\r\n");
  source.invalidate();
  CHECK(source.token().value() == "new");
}

TEST_CASE("a failed re-read keeps the last good token; a first failure is an error") {
  test::TempDir dir;
  ManualClock clock;
  const std::string path = dir.write("token", "good");
  TokenSource source = TokenSource::from_file(path, clock);
  CHECK(source.token().value() == "good");
  std::filesystem::remove(path);
  source.invalidate();
  CHECK(source.token().value() == "good");
  clock.advance(10 * kTokenMaxAgeMs);
  CHECK(source.token().value() == "good");
  dir.write("token", "rotated");
  CHECK(source.token().value() == "rotated");

  TokenSource missing = TokenSource::from_file(dir.path() + "/nope", clock);
  auto t = missing.token();
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message.find("/nope") != std::string::npos);
}

TEST_CASE("oversized token files are refused") {
  test::TempDir dir;
  ManualClock clock;
  TokenSource source = TokenSource::from_file(dir.write("token", std::string(kMaxTokenFileBytes + 1, 'a')), clock);
  auto t = source.token();
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().kind == ErrorKind::TooLarge);
}

TEST_CASE("for_config prefers the token file over a static token") {
  test::TempDir dir;
  ManualClock clock;
  ClusterConfig config;
  config.token = "static";
  CHECK(TokenSource::for_config(config, clock).token().value() == "static");
  config.token_file = dir.write("token", "from-file");
  CHECK(TokenSource::for_config(config, clock).token().value() == "from-file");
}
