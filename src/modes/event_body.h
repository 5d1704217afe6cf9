// The core/v1 Event body both modes write, shaped like client-go's recorder: named
// `<involved name>.<unix nanos in hex>`, involvedObject = apiVersion/kind/[namespace]/name/[uid],
// first/lastTimestamp = now, count 1, source.component = reportingComponent = the mode's component,
// and no eventTime (setting it switches the API server to events.k8s.io validation). Pure.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/json.h"

namespace imps::modes {

struct InvolvedObject {
  std::string_view api_version;
  std::string_view kind;
  std::string_view namespace_name;  // empty for cluster-scoped objects
  std::string_view name;
  std::string_view uid;             // empty when the object does not exist yet
};

struct CoreEvent {
  bool warning = false;
  std::string_view reason;     // UpperCamelCase
  std::string_view message;    // names and error texts, never Secret data
  std::string_view component;  // "imps" or "imps-refresher"
};

// `event_namespace` must equal the involved object's namespace, or `default` when it is
// cluster-scoped (the API server rejects anything else).
Json core_event_body(const InvolvedObject& involved, std::string_view event_namespace, const CoreEvent& event,
                     uint64_t unix_nanos, std::string_view now_rfc3339);

}  // namespace imps::modes
