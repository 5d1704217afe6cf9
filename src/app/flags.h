// Command line and environment → Config (README.md, Flags). A pure function of its inputs.
// Syntax: "--flag=value" and "--flag value"; boolean flags take no separate value ("--flag",
// "--flag=false"). One leading dash works too ("-metrics-addr=:8080"), as with Go's flag package,
// so manifests written for the original Go operator keep working; "-h" is --help. A repeated flag
// takes its last value (Go's behaviour), except --source-secret, which accumulates.
// --mode defaults to controller, or to refresher when refresher flags are given (the original's
// refresher Deployments name no mode).
// Precedence: flag, then environment (LOG_LEVEL, LOG_FORMAT, KUBECONFIG; empty counts as unset),
// then the default. --help and --version stop parsing where they appear.
// Errors are one line without a trailing period, naming the flag or variable at fault.
#pragma once

#include <map>
#include <string>

#include "app/config.h"
#include "base/result.h"

namespace imps::app {

using Environment = std::map<std::string, std::string, std::less<>>;

// The variables parse_flags reads, taken from this process's environment.
Environment process_environment();

Result<Config> parse_flags(int argc, const char* const* argv, const Environment& env);

// --help text: every flag with its default, then the environment variables.
std::string usage_text();

}  // namespace imps::app
