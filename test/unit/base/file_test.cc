#include <doctest/doctest.h>

#include <string>

#include "base/file.h"
#include "kube/temp_dir.h"

using namespace imps;

TEST_CASE("local files are read whole up to the cap, and no further") {
  test::TempDir dir;
  const std::string path = dir.write("f", std::string(40'000, 'x'));  // more than one read's buffer
  auto whole = read_local_file(path, 40'000);
  REQUIRE(whole.ok());
  CHECK(whole->size() == 40'000);
  auto over = read_local_file(path, 39'999);
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().kind == ErrorKind::TooLarge);
  CHECK(over.error().message.find(path) != std::string::npos);
  CHECK(over.error().message.find("xxx") == std::string::npos);  // never the contents
  auto empty = read_local_file(dir.write("empty", ""), 0);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("a missing file or a directory is an error naming the path") {
  test::TempDir dir;
  auto missing = read_local_file(dir.path() + "/absent", 10);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::Invalid);
  CHECK(missing.error().message.find("absent") != std::string::npos);
  auto directory = read_local_file(dir.path(), 10);
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.error().kind == ErrorKind::Invalid);
}
