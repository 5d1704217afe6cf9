#include <doctest/doctest.h>

#include <functional>

#include "base/bytes.h"
#include "imps/target_secret.h"

using namespace imps;

namespace {

ImagePullSecret resource(StringMap labels = {}, StringMap annotations = {}) {
  ImagePullSecret r;
  r.name = "imps";
  r.uid = "uid-1";
  r.spec.target.secret = {"pull", std::move(labels), std::move(annotations)};
  return r;
}

constexpr const char* kDoc = R"({"auths":{"a.io":{"auth":"x"}}})";

using Edit = std::function<void(cJSON* secret)>;

// What the API server would hand back after creating `desired`, plus server-owned fields, after
// `edit` (what others did to it since).
ObservedSecret as_created(const DesiredSecret& desired, const Edit& edit = {}) {
  Json body = create_body(desired, "ns");
  cJSON* metadata = cJSON_GetObjectItem(body.get(), "metadata");
  cJSON_AddStringToObject(metadata, "uid", "secret-uid");
  cJSON_AddStringToObject(metadata, "resourceVersion", "41");
  cJSON_AddStringToObject(metadata, "creationTimestamp", "2024-01-01T00:00:00Z");
  if (edit) edit(body.get());
  auto observed = observe_secret(body.get());
  REQUIRE(observed.ok());
  return std::move(observed).value();
}

// metadata.labels or metadata.annotations of `secret`, added when absent.
cJSON* metadata_map(cJSON* secret, const char* which) {
  cJSON* metadata = cJSON_GetObjectItem(secret, "metadata");
  cJSON* map = cJSON_GetObjectItem(metadata, which);
  return map ? map : json_add_object(metadata, which);
}

Edit set_in(const char* which, std::string key, std::string value) {
  return [=](cJSON* secret) { json_set_string(metadata_map(secret, which), key.c_str(), value); };
}

// An ownerReference added first or last.
Edit add_owner(std::string api_version, std::string kind, std::string name, std::string uid, bool first) {
  return [=](cJSON* secret) {
    cJSON* refs = cJSON_GetObjectItem(cJSON_GetObjectItem(secret, "metadata"), "ownerReferences");
    cJSON* ref = cJSON_CreateObject();
    for (const auto& [key, value] : {std::pair{"apiVersion", api_version}, {"kind", kind}, {"name", name}, {"uid", uid}})
      json_set_string(ref, key, value);
    cJSON_AddFalseToObject(ref, "controller");
    if (first) cJSON_InsertItemInArray(refs, 0, ref);
    else cJSON_AddItemToArray(refs, ref);
  };
}

const Edit kConfigMapOwnerFirst = add_owner("v1", "ConfigMap", "c", "cm-uid", true);

}  // namespace

TEST_CASE("the desired Secret follows the contract") {
  DesiredSecret d = desired_secret(resource({{"team", "a"}}, {{"note", "n"}}), kDoc);
  Json body = create_body(d, "ns1");
  CHECK(body.dump() ==
        std::string(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"pull","namespace":"ns1",)"
                    R"("labels":{"images.banzaicloud.io/owner-uid":"uid-1","team":"a"},)"
                    R"("annotations":{"images.banzaicloud.io/managed-annotations":"note",)"
                    R"("images.banzaicloud.io/managed-labels":"team","note":"n"},)"
                    R"("ownerReferences":[{"apiVersion":"images.banzaicloud.io/v1alpha1","kind":"ImagePullSecret",)"
                    R"("name":"imps","uid":"uid-1","controller":false}]},"type":"kubernetes.io/dockerconfigjson",)"
                    R"("data":{".dockerconfigjson":")") +
            base64_encode(kDoc) + "\"}}");
}

TEST_CASE("the owner label cannot be overridden by the spec") {
  DesiredSecret d = desired_secret(resource({{"images.banzaicloud.io/owner-uid", "forged"}}), kDoc);
  CHECK(d.labels.at("images.banzaicloud.io/owner-uid") == "uid-1");
}

TEST_CASE("no update when what the cluster holds equals what we want, server fields aside") {
  DesiredSecret d = desired_secret(resource({{"team", "a"}}, {{"note", "n"}}), kDoc);
  ObservedSecret o = as_created(d);
  CHECK(o.owner_uid == "uid-1");
  CHECK(needs_update(o, d) == SecretChange::None);
  // Other parties' labels, annotations and owners are not ours to judge.
  ObservedSecret touched = as_created(d, [](cJSON* secret) {
    set_in("labels", "someone", "else")(secret);
    set_in("annotations", "kubectl.kubernetes.io/x", "y")(secret);
    kConfigMapOwnerFirst(secret);
  });
  CHECK(needs_update(touched, d) == SecretChange::None);
}

TEST_CASE("our changes are detected") {
  ImagePullSecret r = resource({{"team", "a"}, {"tier", "x"}}, {{"note", "n"}});
  DesiredSecret d = desired_secret(r, kDoc);
  ObservedSecret base = as_created(d);

  SUBCASE("data") {
    CHECK(needs_update(base, desired_secret(r, R"({"auths":{}})")) == SecretChange::Update);
  }
  SUBCASE("a spec label value changed") {
    ImagePullSecret changed = resource({{"team", "b"}, {"tier", "x"}}, {{"note", "n"}});
    CHECK(needs_update(base, desired_secret(changed, kDoc)) == SecretChange::Update);
  }
  SUBCASE("a spec label removed") {
    DesiredSecret fewer = desired_secret(resource({{"team", "a"}}, {{"note", "n"}}), kDoc);
    CHECK(needs_update(base, fewer) == SecretChange::Update);
    Json patch = update_patch(base, fewer);
    CHECK(patch.dump().find(R"("tier":null)") != std::string::npos);
  }
  SUBCASE("all spec labels and annotations removed") {
    DesiredSecret none = desired_secret(resource(), kDoc);
    CHECK(needs_update(base, none) == SecretChange::Update);
    std::string patch = update_patch(base, none).dump();
    for (const char* gone : {R"("team":null)", R"("tier":null)", R"("note":null)",
                             R"("images.banzaicloud.io/managed-labels":null)",
                             R"("images.banzaicloud.io/managed-annotations":null)"}) {
      CAPTURE(gone);
      CHECK(patch.find(gone) != std::string::npos);
    }
  }
  SUBCASE("a key set by someone else is not removed") {
    ObservedSecret labelled = as_created(d, set_in("labels", "foreign", "1"));
    DesiredSecret fewer = desired_secret(resource({{"team", "a"}}, {{"note", "n"}}), kDoc);
    CHECK(update_patch(labelled, fewer).dump().find("foreign") == std::string::npos);
  }
  SUBCASE("our owner reference missing, or a stale ImagePullSecret owner present") {
    ObservedSecret no_owner = as_created(
        d, [](cJSON* secret) { cJSON_DeleteItemFromObject(cJSON_GetObjectItem(secret, "metadata"), "ownerReferences"); });
    CHECK(needs_update(no_owner, d) == SecretChange::Update);
    ObservedSecret stale = as_created(d, add_owner("images.banzaicloud.io/v1alpha1", "ImagePullSecret", "old", "u0", false));
    CHECK(needs_update(stale, d) == SecretChange::Update);
    CHECK(update_patch(stale, d).dump().find("u0") == std::string::npos);
  }
  SUBCASE("extra data keys") {
    ObservedSecret extra = as_created(d, [](cJSON* secret) { json_set_string(cJSON_GetObjectItem(secret, "data"), "extra", "eA=="); });
    CHECK(needs_update(extra, d) == SecretChange::Update);
    CHECK(update_patch(extra, d).dump().find(R"("extra":null)") != std::string::npos);
  }
  SUBCASE("wrong type or immutable data needs a recreate") {
    ObservedSecret opaque = as_created(d, [](cJSON* secret) { json_set_string(secret, "type", "Opaque"); });
    CHECK(needs_update(opaque, d) == SecretChange::Recreate);
    ObservedSecret frozen = base;
    frozen.immutable = true;
    CHECK(needs_update(frozen, d) == SecretChange::None);
    CHECK(needs_update(frozen, desired_secret(r, "{}")) == SecretChange::Recreate);
  }
}

TEST_CASE("adopting the original's Secret drops its last-applied copy in the same patch") {
  DesiredSecret d = desired_secret(resource({{"team", "a"}}), kDoc);
  ObservedSecret o = as_created(d, set_in("annotations", "banzaicloud.com/last-applied", "UEsDBBQACAAIAAAAAAAA"));
  // Everything else already agrees: the annotation alone is worth the write.
  CHECK(needs_update(o, d) == SecretChange::Update);
  const std::string patch = update_patch(o, d).dump();
  CHECK(patch.find(R"("banzaicloud.com/last-applied":null)") != std::string::npos);
  CHECK(patch.find(R"("team":"a")") != std::string::npos);
  // A spec that asks for that annotation itself gets it: only the original's copy is dropped.
  DesiredSecret keeps = desired_secret(resource({}, {{"banzaicloud.com/last-applied", "x"}}), kDoc);
  CHECK(needs_update(as_created(keeps), keeps) == SecretChange::None);
}

TEST_CASE("the update patch carries resourceVersion and keeps other owners") {
  DesiredSecret d = desired_secret(resource(), kDoc);
  ObservedSecret o = as_created(d, kConfigMapOwnerFirst);
  std::string patch = update_patch(o, d).dump();
  CHECK(patch.find(R"("resourceVersion":"41")") != std::string::npos);
  CHECK(patch.find(R"("ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap")") != std::string::npos);
  CHECK(patch.find(R"("uid":"uid-1")") != std::string::npos);
}

TEST_CASE("observing a Secret keeps a hash, not the data") {
  auto doc = Json::parse(R"({"metadata":{"name":"s","namespace":"n","uid":"u","resourceVersion":"1",
      "deletionTimestamp":"x","labels":{"images.banzaicloud.io/owner-uid":"o"}},
      "type":"kubernetes.io/dockerconfigjson","immutable":true,"data":{".dockerconfigjson":"e30=","other":"eA=="}})");
  auto o = observe_secret(doc->get());
  REQUIRE(o.ok());
  CHECK(o->deleting);
  CHECK(o->immutable);
  CHECK(o->has_data);
  CHECK(o->data_hash == content_hash("e30="));
  CHECK(o->other_data_keys == std::vector<std::string>{"other"});
  CHECK(o->owner_uid == "o");
  auto bare = Json::parse(R"({"metadata":{"name":"s","namespace":"n"}})");
  auto b = observe_secret(bare->get());
  REQUIRE(b.ok());
  CHECK(b->type == SecretType::Other);
  CHECK_FALSE(b->has_data);
  CHECK(b->owner_uid.empty());
  for (const char* bad : {"[]", R"({"metadata":[]})", R"({"metadata":{"labels":{"a":1}}})",
                          R"({"metadata":{},"data":{"x":false}})"}) {
    CAPTURE(bad);
    auto j = Json::parse(bad);
    CHECK_FALSE(observe_secret(j->get()).ok());
  }
  CHECK(content_hash("a") != content_hash("b"));
}

TEST_CASE("observing keeps imps' bookkeeping lists, others' owners and a hash of all owners") {
  auto doc = Json::parse(R"({"metadata":{"name":"s","namespace":"n","annotations":{
      "images.banzaicloud.io/managed-labels":"team,tier","images.banzaicloud.io/managed-annotations":"note"},
      "ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"c","uid":"cm"},
        {"apiVersion":"images.banzaicloud.io/v1alpha1","kind":"ImagePullSecret","name":"r","uid":"r1","controller":false}]},
      "type":"kubernetes.io/dockercfg"})");
  auto o = observe_secret(doc->get());
  REQUIRE(o.ok());
  CHECK(o->type == SecretType::DockerCfg);
  CHECK(o->managed_labels == "team,tier");
  CHECK(o->managed_annotations == "note");
  CHECK(o->annotations.contains("images.banzaicloud.io/managed-labels", "team,tier"));
  REQUIRE(o->other_owner_refs.size() == 1);
  CHECK(o->other_owner_refs[0] == OwnerRef{"v1", "ConfigMap", "c", "cm", false});
  const OwnerRef ours{"images.banzaicloud.io/v1alpha1", "ImagePullSecret", "r", "r1", false};
  CHECK(o->owner_refs_hash == owner_refs_hash({o->other_owner_refs[0], ours}));
  CHECK(o->owner_refs_hash != owner_refs_hash({ours, o->other_owner_refs[0]}));  // order counts
  CHECK(owner_refs_hash({}) != owner_refs_hash({ours}));
}
