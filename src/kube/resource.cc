#include "kube/resource.h"

#include <cassert>

#include "http/url.h"

namespace imps::kube {
namespace {

void append_param(std::string& query, std::string_view key, std::string_view value) {
  if (!query.empty()) query += '&';
  query.append(key).append("=").append(http::query_escape(value));
}

void append_if_set(std::string& query, std::string_view key, std::string_view value) {
  if (!value.empty()) append_param(query, key, value);
}

}  // namespace

std::string api_version(const ResourceType& type) {
  if (type.group.empty()) return std::string(type.version);
  std::string out(type.group);
  return out.append("/").append(type.version);
}

std::string collection_path(const ResourceType& type, std::string_view ns) {
  std::string path = type.group.empty() ? "/api/" : "/apis/";
  path += api_version(type);
  if (type.namespaced && !ns.empty()) path.append("/namespaces/").append(http::query_escape(ns));
  return path.append("/").append(type.plural);
}

std::string object_path(const ResourceType& type, std::string_view ns, std::string_view name) {
  assert(!name.empty());
  return collection_path(type, ns).append("/").append(http::query_escape(name));
}

std::string status_path(const ResourceType& type, std::string_view ns, std::string_view name) {
  return object_path(type, ns, name).append("/status");
}

std::string eviction_path(std::string_view ns, std::string_view name) {
  return object_path(kPods, ns, name).append("/eviction");
}

std::string list_query(const ListOptions& options) {
  std::string query;
  append_if_set(query, "labelSelector", options.label_selector);
  append_if_set(query, "fieldSelector", options.field_selector);
  if (options.limit > 0) append_param(query, "limit", std::to_string(options.limit));
  append_if_set(query, "continue", options.continue_token);
  append_if_set(query, "resourceVersion", options.resource_version);
  append_if_set(query, "resourceVersionMatch", options.resource_version_match);
  return query;
}

std::string watch_query(const WatchOptions& options) {
  std::string query = "watch=1";
  append_if_set(query, "labelSelector", options.label_selector);
  append_if_set(query, "fieldSelector", options.field_selector);
  append_if_set(query, "resourceVersion", options.resource_version);
  if (options.allow_bookmarks) append_param(query, "allowWatchBookmarks", "true");
  if (options.timeout_seconds > 0) append_param(query, "timeoutSeconds", std::to_string(options.timeout_seconds));
  return query;
}

std::string with_query(std::string_view path, std::string_view query) {
  std::string out(path);
  if (!query.empty()) out.append("?").append(query);
  return out;
}

}  // namespace imps::kube
