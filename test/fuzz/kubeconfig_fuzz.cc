// libFuzzer harness: arbitrary bytes as a kubeconfig must yield a config or a one-line error,
// never a crash, a hang or unbounded memory. Referenced files (paths in the input) are read if
// they exist; that is harmless under a fuzzer and keeps the harness on the real code path.
#include <cstddef>
#include <cstdint>
#include <string>

#include "kube/kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const imps::kube::KubeconfigFile file{"/fuzz/config", std::string(reinterpret_cast<const char*>(data), size)};
  auto config = imps::kube::parse_kubeconfig({&file, 1}, {});
  if (!config.ok() && config.error().message.find('\n') != std::string::npos) __builtin_trap();
  return 0;
}
