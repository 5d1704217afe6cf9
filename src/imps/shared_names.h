// A list of names that copies share until one of them changes it (copy on write). A resource's
// status lists every namespace it manages, thousands of them, and is copied by each plan of one
// namespace and each status submission; only a plan that changes the list pays for its copy.
// Single-threaded like the rest of imps.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace imps {

class SharedNames {
 public:
  SharedNames() = default;
  SharedNames(std::vector<std::string> names)  // NOLINT(google-explicit-constructor): a list is a list
      : names_(names.empty() ? nullptr : std::make_shared<std::vector<std::string>>(std::move(names))) {}
  SharedNames(std::initializer_list<std::string> names) : SharedNames(std::vector<std::string>(names)) {}

  const std::vector<std::string>& get() const { return names_ ? *names_ : empty_list(); }
  auto begin() const { return get().begin(); }
  auto end() const { return get().end(); }
  size_t size() const { return get().size(); }
  bool empty() const { return get().empty(); }

  // The list to change: this copy's own (copied first if it was shared).
  std::vector<std::string>& mutate() {
    if (!names_) names_ = std::make_shared<std::vector<std::string>>();
    else if (names_.use_count() > 1) names_ = std::make_shared<std::vector<std::string>>(*names_);
    return *names_;
  }

  bool operator==(const SharedNames& other) const { return names_ == other.names_ || get() == other.get(); }
  bool operator==(const std::vector<std::string>& other) const { return get() == other; }

 private:
  static const std::vector<std::string>& empty_list() {
    static const std::vector<std::string> empty;
    return empty;
  }
  std::shared_ptr<std::vector<std::string>> names_;  // null: empty
};

}  // namespace imps
