// Reading a whole small local file (credentials, CA bundles, kubeconfigs) with a size cap, so
// that a wrong path to a large file costs an error, not the process's memory. Errors name the
// path and the errno text, never the contents: kind TooLarge past the cap, Invalid when the file
// cannot be opened or read.
#pragma once

#include <cstddef>
#include <string>

#include "base/result.h"

namespace imps {

Result<std::string> read_local_file(const std::string& path, size_t max_bytes);

}  // namespace imps
