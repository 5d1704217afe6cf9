// libFuzzer harness: an ImagePullSecret object from the API server (watch object or GET body)
// through the CR parser, selectors and planner-facing helpers. Any input must give a value or an
// error, never a crash, and a parsed resource's selectors must be usable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "imps/resource.h"
#include "imps/selection.h"
#include "imps/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = imps::parse_image_pull_secret(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok()) return 0;
  const imps::ImagePullSecret& r = *parsed;
  imps::StringMap labels = {{"istio.io/rev", "1"}, {"env", "prod"}};
  imps::StringMap annotations = {{"sidecar.istio.io/inject", "true"}};
  (void)imps::namespace_selected(r.spec.target, {r.name, labels, annotations, false, false});
  (void)imps::pod_matches(r.spec.target, labels, annotations);
  (void)imps::status_to_json(r.status).dump();
  return 0;
}
