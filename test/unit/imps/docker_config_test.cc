#include <doctest/doctest.h>

#include "imps/docker_config.h"

using namespace imps;

namespace {

DockerConfig must(Result<DockerConfig> r) {
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return std::move(r).value();
}

}  // namespace

TEST_CASE("dockerconfigjson keeps every field of every entry") {
  DockerConfig c = must(DockerConfig::parse_config_json(
      R"({"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p","auth":"dTpw",
          "email":"e@x","identitytoken":"it","registrytoken":"rt","x-extra":{"n":1}}},"credsStore":"ignored"})"));
  CHECK(c.size() == 1);
  CHECK(c.entry("https://index.docker.io/v1/") ==
        R"({"username":"u","password":"p","auth":"dTpw","email":"e@x","identitytoken":"it","registrytoken":"rt","x-extra":{"n":1}})");
  CHECK(c.entry("absent").empty());
}

TEST_CASE("legacy dockercfg is a bare registry map") {
  DockerConfig c = must(DockerConfig::parse_dockercfg(R"({"r.example.com":{"auth":"YTpi","email":"e"}})"));
  CHECK(c.render() == R"({"auths":{"r.example.com":{"auth":"YTpi","email":"e"}}})");
}

TEST_CASE("rendering is deterministic: registries sorted, compact") {
  DockerConfig a = must(DockerConfig::parse_config_json(R"({"auths":{"z.io":{"auth":"1"},"a.io":{"auth":"2"}}})"));
  DockerConfig b = must(DockerConfig::parse_config_json("{ \"auths\" : {\n \"a.io\": {\"auth\" : \"2\"},\n \"z.io\":{\"auth\":\"1\"} } }"));
  CHECK(a.render() == R"({"auths":{"a.io":{"auth":"2"},"z.io":{"auth":"1"}}})");
  CHECK(a.render() == b.render());
  CHECK(a == b);
  CHECK(DockerConfig().render() == R"({"auths":{}})");
}

TEST_CASE("merge: the later source wins per registry") {
  DockerConfig first = must(DockerConfig::parse_config_json(R"({"auths":{"a.io":{"auth":"old"},"b.io":{"auth":"b"}}})"));
  DockerConfig later = must(DockerConfig::parse_config_json(R"({"auths":{"a.io":{"auth":"new"},"c.io":{"auth":"c"}}})"));
  first.merge(later);
  CHECK(first.render() == R"({"auths":{"a.io":{"auth":"new"},"b.io":{"auth":"b"},"c.io":{"auth":"c"}}})");
}

TEST_CASE("malformed documents give errors without their content") {
  struct Row {
    const char* text;
    bool legacy;
  } rows[] = {
      {"", false},
      {"{", false},
      {R"({"auths":{"a":{"password":"s3cr3t"}})", false},  // truncated
      {R"({"other":{}})", false},
      {R"({"auths":[]})", false},
      {R"({"auths":{"a.io":"s3cr3t"}})", false},
      {R"({"auths":{}} trailing s3cr3t)", false},
      {R"(["s3cr3t"])", true},
      {R"({"a.io":"s3cr3t"})", true},
      {"null", true},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    auto r = row.legacy ? DockerConfig::parse_dockercfg(row.text) : DockerConfig::parse_config_json(row.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Invalid);
    CHECK(r.error().message.find("s3cr3t") == std::string::npos);
  }
}

TEST_CASE("every prefix of a document either parses or fails cleanly") {
  std::string doc = R"({"auths":{"a.io":{"auth":"YTpi","email":"e"},"b.io":{"identitytoken":"t"}}})";
  for (size_t n = 0; n < doc.size(); ++n) CHECK_FALSE(DockerConfig::parse_config_json(doc.substr(0, n)).ok());
  CHECK(DockerConfig::parse_config_json(doc).ok());
}

TEST_CASE("large documents parse with memory bounded by their size") {
  std::string doc = R"({"auths":{)";
  for (int i = 0; i < 5000; ++i) doc += (i ? "," : "") + std::string("\"r") + std::to_string(i) + R"(.io":{"auth":"x"})";
  doc += "}}";
  DockerConfig c = must(DockerConfig::parse_config_json(doc));
  CHECK(c.size() == 5000);
  CHECK_FALSE(DockerConfig::parse_config_json(std::string(100000, '{')).ok());
}
