// What imps keeps of the API's answers (see base/json_projection.h). By default everything but
// metadata.managedFields: the server's field-ownership bookkeeping, often half of an object's
// bytes, which nothing in imps reads. A reader that needs less of a large collection (Pods,
// Namespaces) names its own object projection; it must keep metadata.resourceVersion, which
// watches resume from, and should keep metadata.namespace and name, which logs show.
#pragma once

#include <string_view>

#include "base/json_projection.h"

namespace imps::kube {

inline constexpr JsonProjection::Member kWithoutManagedFieldsMembers[] = {{"managedFields", nullptr}};
inline constexpr JsonProjection kMetadataWithoutManagedFields{kWithoutManagedFieldsMembers, true};
inline constexpr JsonProjection::Member kObjectMembers[] = {{"metadata", &kMetadataWithoutManagedFields}};
inline constexpr JsonProjection kObjectProjection{kObjectMembers, true};

// A list answer: its metadata (resourceVersion, continue) and each of its items through `object`.
Result<Json> parse_list(std::string_view text, const JsonProjection& object);
// A watch event: its type and its object through `object`.
Result<Json> parse_watch_event(std::string_view text, const JsonProjection& object);

}  // namespace imps::kube
