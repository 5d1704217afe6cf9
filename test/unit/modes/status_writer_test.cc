// StatusWriter: at most one write per resource per interval (timed from the previous answer),
// carrying the last status submitted; conditional on the planned resourceVersion; failures
// reported and dropped; a forgotten resource's answer ignored.
#include <doctest/doctest.h>

#include "kube/fake_transport.h"
#include "modes/status_writer.h"
#include "obs/log.h"

using namespace imps;
using namespace imps::modes;
using namespace imps::kube::testing;

namespace {

struct Fixture : ClientFixture {
  ControllerCache cache;
  StatusWriter writer{loop, *client, cache, 1'000};
  std::vector<std::string> failed;

  Fixture() {
    obs::configure_logging(obs::LogLevel::Error, obs::LogFormat::Json);
    writer.on_failed([this](const std::string& name, const Error&) { failed.push_back(name); });
    ImagePullSecret r;
    r.name = "r";
    r.uid = "r-uid";
    r.resource_version = "5";
    cache.resources.emplace("r", r);
  }
  const ImagePullSecret& resource() { return cache.resources.at("r"); }
  void submit(std::vector<std::string> managed) {
    ResourceStatus s;
    s.status = "Ready";
    s.managed_namespaces = std::move(managed);
    writer.submit(resource(), std::move(s));
  }
  const cJSON* body(size_t i, Json& holder) {
    holder = std::move(Json::parse(api.sent.at(i).request.body).value());
    return holder.get();
  }
  // The answer of a status write: the object with a new resourceVersion.
  http::Response ok(const char* version) {
    return response(200, std::string(R"({"apiVersion":"images.banzaicloud.io/v1alpha1","kind":"ImagePullSecret",)") +
                             R"("metadata":{"name":"r","uid":"r-uid","resourceVersion":")" + version +
                             R"("},"spec":{"target":{"secret":{"name":"pull"}}},"status":{"status":"Ready"}})");
  }
};

}  // namespace

TEST_CASE("status writer: a burst costs one write at once and one with the final state after the interval") {
  Fixture f;
  f.submit({"a"});
  f.pump();
  REQUIRE(f.api.sent.size() == 1);  // the first change after quiet goes at once
  CHECK(f.api.sent[0].request.target == "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets/r/status");
  CHECK(f.writer.latest(f.resource()).managed_namespaces == std::vector<std::string>{"a"});
  f.submit({"a", "b"});
  f.submit({"a", "b", "c"});
  f.pump();
  CHECK(f.api.sent.size() == 1);  // one write in flight at a time
  f.clock.advance(300);
  f.api.reply(0, f.ok("6"));
  CHECK(f.resource().resource_version == "6");  // the answer updates the cache
  f.clock.advance(999);
  f.pump();
  CHECK(f.api.sent.size() == 1);  // a second after the answer, not before
  f.submit({"a", "b", "c", "d"});
  f.clock.advance(1);
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  Json holder;
  const cJSON* body = f.body(1, holder);
  // Planned against 5, which only our own write replaced: it carries 6.
  CHECK(json_string_or(json_member(body, "metadata"), "resourceVersion") == "6");
  const cJSON* managed = json_member(json_member(body, "status"), "managedNamespaces");
  CHECK(cJSON_GetArraySize(managed) == 4);
  f.api.reply(1, f.ok("7"));
  f.clock.advance(10'000);
  f.pump();
  CHECK(f.api.sent.size() == 2);
  CHECK(f.writer.latest(f.resource()).status == "Ready");  // the cache's now
}

TEST_CASE("status writer: a failed write is reported once and drops what waited") {
  Fixture f;
  f.submit({"a"});
  f.pump();
  f.submit({"a", "b"});
  f.api.reply(0, response(409, R"({"kind":"Status","reason":"Conflict","code":409})"));
  CHECK(f.failed == std::vector<std::string>{"r"});
  CHECK(f.writer.latest(f.resource()).managed_namespaces.empty());  // back to the cached status
  f.clock.advance(5'000);
  f.pump();
  CHECK(f.api.sent.size() == 1);
}

TEST_CASE("status writer: a forgotten resource's answer and waiting write are dropped") {
  Fixture f;
  f.submit({"a"});
  f.pump();
  f.submit({"a", "b"});
  f.writer.forget("r");
  f.api.reply(0, f.ok("6"));
  f.clock.advance(5'000);
  f.pump();
  CHECK(f.api.sent.size() == 1);
  CHECK(f.failed.empty());
}

TEST_CASE("status writer: a status planned before our own last write is sent against the version it made") {
  Fixture f;
  ImagePullSecret planned = f.resource();  // resourceVersion 5, as a reconcile saw it
  f.submit({"a"});
  f.pump();
  f.api.reply(0, f.ok("6"));  // our write: 5 → 6
  ResourceStatus s;
  s.status = "Ready";
  s.managed_namespaces = {"a", "b"};
  f.writer.submit(planned, s);  // that reconcile ends only now
  f.clock.advance(1'000);
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  Json holder;
  CHECK(json_string_or(json_member(f.body(1, holder), "metadata"), "resourceVersion") == "6");
}
