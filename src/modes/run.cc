// Placeholder until the modes are wired together; the integrator replaces this file.
#include "modes/run.h"

#include "app/exit_code.h"
#include "obs/log.h"

namespace imps::modes {

int run(const app::Config& config) {
  obs::error("mode not implemented yet", {{"mode", config.mode == app::Mode::Refresher ? "refresher" : "controller"}});
  return app::kExitFatal;
}

}  // namespace imps::modes
