// libFuzzer harness: a ServiceAccount or a Pod object from the API server (list item, watch
// object, patch answer) through the ServiceAccount projection and plan, and the stuck-pod reading.
// Any input must give a value or an error, never a crash, with removals allowed or on hold.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/json.h"
#include "imps/service_account_plan.h"
#include "imps/stuck_pod.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = imps::Json::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!doc.ok()) return 0;
  if (auto pod = imps::stuck_pod(doc->get())) {
    (void)pod->restartable();
    (void)pod->lacks("pull");
  }
  auto account = imps::observe_service_account(doc->get());
  if (!account.ok()) return 0;
  for (bool may_remove : {true, false}) {
    auto patch = imps::plan_service_account(*account, {"pull", "other"}, may_remove);
    if (patch) (void)patch->body.dump();
  }
  return 0;
}
