#include "modes/work_queue.h"

#include <algorithm>

namespace imps::modes {

void WorkQueue::add(std::string_view key) {
  if (active_.count(key)) {
    if (again_.emplace(key).second) ++adds_;
    return;
  }
  if (waiting_.emplace(key).second) {
    order_.emplace_back(key);
    ++adds_;
  }
}

std::optional<std::string> WorkQueue::pop() {
  if (order_.empty()) return std::nullopt;
  std::string key = std::move(order_.front());
  order_.pop_front();
  waiting_.erase(key);
  active_.insert(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  active_.erase(key);
  if (again_.erase(key) && waiting_.emplace(key).second) order_.emplace_back(key);  // counted when added
}

bool WorkQueue::any_active_with_prefix(std::string_view prefix) const {
  auto it = active_.lower_bound(prefix);
  return it != active_.end() && std::string_view(*it).starts_with(prefix);
}

Millis WorkQueue::failed(const std::string& key) {
  ++retries_;
  int n = ++failures_[key];
  Millis delay = params_.initial_ms;
  for (int i = 1; i < n && delay < params_.cap_ms; ++i) delay *= 2;
  return std::min(delay, params_.cap_ms);
}

}  // namespace imps::modes
