// imps: argv → configuration → the chosen mode on one event loop → exit status.
// Everything that can be decided before touching the network is decided here, so a bad flag costs
// one line on stderr and exit status 2, before any connection or log line.
#include <cJSON.h>
#include <mbedtls/version.h>
#include <yaml.h>

#include <cstdio>

#include "app/exit_code.h"
#include "app/flags.h"
#include "modes/run.h"
#include "obs/log.h"

namespace {

void print_version() {
  std::printf("imps %s\nbuilt with gcc %s, mbedTLS %s, cJSON %d.%d.%d, libyaml %s\n", IMPS_VERSION, __VERSION__,
              MBEDTLS_VERSION_STRING, CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR, CJSON_VERSION_PATCH,
              yaml_get_version_string());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace imps;
  auto config = app::parse_flags(argc, argv, app::process_environment());
  if (!config.ok()) {
    std::fprintf(stderr, "imps: %s (see imps --help)\n", config.error().message.c_str());
    return app::kExitBadConfig;
  }
  switch (config->action) {
    case app::Action::Help:
      std::fputs(app::usage_text().c_str(), stdout);
      return app::kExitOk;
    case app::Action::Version:
      print_version();
      return app::kExitOk;
    case app::Action::Run:
      break;
  }
  obs::configure_logging(config->log_level, config->log_format);
  return modes::run(*config);
}
