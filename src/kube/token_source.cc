#include "kube/token_source.h"

#include "base/file.h"

namespace imps::kube {
namespace {

void trim_trailing_space(std::string& s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
}

}  // namespace

TokenSource TokenSource::fixed(std::string token) {
  TokenSource source;
  trim_trailing_space(token);
  source.token_ = std::move(token);
  source.have_token_ = true;
  return source;
}

TokenSource TokenSource::from_file(std::string path, const Clock& clock) {
  TokenSource source;
  source.path_ = std::move(path);
  source.clock_ = &clock;
  return source;
}

TokenSource TokenSource::for_config(const ClusterConfig& config, const Clock& clock) {
  if (!config.token_file.empty()) return from_file(config.token_file, clock);
  if (!config.token.empty()) return fixed(config.token);
  return TokenSource();
}

Result<std::string> TokenSource::token() {
  if (path_.empty()) return token_;
  const Millis now = clock_->steady_ms();
  if (!have_token_ || stale_ || now - read_at_ >= kTokenMaxAgeMs) {
    auto text = read_local_file(path_, kMaxTokenFileBytes);
    if (text.ok()) {
      token_ = std::move(text).value();
      trim_trailing_space(token_);
      have_token_ = true;
      stale_ = false;
      read_at_ = now;
    } else if (!have_token_) {
      return std::move(text).error().context("bearer token");
    }
  }
  return token_;
}

}  // namespace imps::kube
