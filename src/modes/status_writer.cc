#include "modes/status_writer.h"

#include <algorithm>

#include "kube/resource.h"
#include "obs/log.h"

namespace imps::modes {

const ResourceStatus& StatusWriter::latest(const ImagePullSecret& resource) const {
  auto it = entries_.find(resource.name);
  if (it != entries_.end() && it->second.uid == resource.uid && it->second.submitted) return *it->second.submitted;
  return resource.status;
}

void StatusWriter::submit(const ImagePullSecret& resource, ResourceStatus status) {
  auto it = entries_.find(resource.name);
  if (it != entries_.end() && it->second.uid != resource.uid) {  // deleted and recreated unseen
    entries_.erase(it);
    it = entries_.end();
  }
  if (it == entries_.end()) {
    it = entries_.try_emplace(resource.name).first;
    it->second.generation = ++generations_;
    it->second.uid = resource.uid;
    it->second.timer.bind(loop_);
  }
  Entry& e = it->second;
  e.resource_version = resource.resource_version == e.own_from ? e.own_to : resource.resource_version;
  e.submitted = std::move(status);
  e.waiting = true;
  schedule(resource.name, e);
}

bool StatusWriter::is_own_write(const ImagePullSecret& resource) const {
  auto it = entries_.find(resource.name);
  if (it == entries_.end() || !it->second.in_flight || it->second.uid != resource.uid) return false;
  const ImagePullSecret* cached = cache_.find_resource(resource.name);
  return cached && cached->uid == resource.uid && cached->generation == resource.generation &&
         cached->deleting == resource.deleting && it->second.sent == resource.status;
}

void StatusWriter::forget(const std::string& name) { entries_.erase(name); }

void StatusWriter::schedule(const std::string& name, Entry& entry) {
  if (entry.in_flight || entry.timer.pending()) return;  // the answer, or the timer, sends it
  Millis delay = entry.answered_ms ? std::max<Millis>(0, *entry.answered_ms + interval_ - loop_.now()) : 0;
  entry.timer.start(delay, [this, name] { send(name); });
}

void StatusWriter::send(const std::string& name) {
  auto it = entries_.find(name);
  if (it == entries_.end() || !it->second.waiting) return;
  Entry& e = it->second;
  Json body = Json::object();
  json_set_string(body.get(), "apiVersion", kApiVersion);
  json_set_string(body.get(), "kind", kKind);
  cJSON* meta = json_add_object(body.get(), "metadata");
  json_set_string(meta, "name", name);
  json_set_string(meta, "resourceVersion", e.resource_version);
  cJSON_AddItemToObject(body.get(), "status", status_to_json(*e.submitted).release());
  e.waiting = false;
  e.in_flight = true;
  e.sent = *e.submitted;
  e.sent_version = e.resource_version;
  client_.update_status(
      kube::kImagePullSecrets, "", name, body,
      [this, name, generation = e.generation](Result<Json> answer) { answered(name, generation, std::move(answer)); },
      kube::Priority::Low);
}

void StatusWriter::answered(const std::string& name, uint64_t generation, Result<Json> answer) {
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.generation != generation) return;
  Entry& e = it->second;
  e.in_flight = false;
  e.answered_ms = loop_.now();
  if (!answer.ok()) {
    obs::warn("status write failed", {{"imagepullsecret", name}, {"error", answer.error().message}});
    e.submitted.reset();
    e.waiting = false;
    if (failed_) failed_(name, make_error(answer.error().kind, "status of " + name + ": " + answer.error().message,
                                          answer.error().code));
    return;
  }
  auto updated = parse_image_pull_secret(answer->get());
  if (updated.ok()) {
    obs::info("status written", {{"imagepullsecret", name}, {"status", updated->status.status},
                                 {"reason", updated->status.reason}});
    e.own_from = e.sent_version;
    e.own_to = updated->resource_version;
    if (e.waiting && e.resource_version == e.own_from) e.resource_version = e.own_to;
    auto cached = cache_.resources.find(name);
    if (cached != cache_.resources.end() && cached->second.uid == updated->uid &&
        !older_version(updated->resource_version, cached->second.resource_version))
      cached->second = std::move(updated).value();
  }
  if (e.waiting)
    schedule(name, e);
  else
    e.submitted.reset();
}

}  // namespace imps::modes
