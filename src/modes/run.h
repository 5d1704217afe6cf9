// The composition root's entry: builds the chosen mode (controller or refresher) from a validated
// Config, runs its event loop until SIGTERM/SIGINT, and returns the process exit status
// (app/exit_code.h). Logging is already configured when this is called.
#pragma once

#include "app/config.h"

namespace imps::modes {

int run(const app::Config& config);

}  // namespace imps::modes
