// Process exit statuses, part of the stable command-line interface (README.md, Flags and Troubleshooting).
#pragma once

namespace imps::app {

enum ExitCode : int {
  kExitOk = 0,         // clean shutdown after SIGTERM/SIGINT, or --help/--version
  kExitFatal = 1,      // any other fatal error
  kExitBadConfig = 2,  // bad flags or unusable configuration (one-line reason on stderr)
};

}  // namespace imps::app
