// The descriptor budget: shares per part, refusals when a part is full (others unaffected),
// slots released on destruction and moves, and the reserve.
#include "http/connection_budget.h"

#include <doctest/doctest.h>
#include <sys/select.h>

#include <vector>

namespace imps::http {
namespace {

TEST_CASE("the usable descriptors are shared out: 10 % each (with floors) for requests, AWS, others; watches the rest") {
  ConnectionBudget budget(1024);
  CHECK(budget.usable() == 1024 - 128);
  CHECK(budget.usage(Part::KubeWatches).limit == 629);
  CHECK(budget.usage(Part::KubeRequests).limit == 89);
  CHECK(budget.usage(Part::Aws).limit == 89);
  CHECK(budget.usage(Part::Other).limit == 89);
  size_t total = 0;
  for (size_t i = 0; i < kParts; ++i) total += budget.usage(static_cast<Part>(i)).limit;
  CHECK(total <= FD_SETSIZE - 128);

  ConnectionBudget small(64);  // RLIMIT_NOFILE 64: the reserve is at least 16
  CHECK(small.usable() == 48);
  CHECK(small.usage(Part::KubeRequests).limit == 16);
  CHECK(small.usage(Part::Aws).limit == 8);
  CHECK(small.usage(Part::Other).limit == 4);
  CHECK(small.usage(Part::KubeWatches).limit == 20);
  CHECK(ConnectionBudget(8).usage(Part::KubeWatches).limit == 1);  // never 0
}

TEST_CASE("a full part refuses with a Transient error naming it, and only that part") {
  ManualClock clock;
  ConnectionBudget budget(64, clock);
  std::vector<ConnectionBudget::Slot> watches;
  for (size_t i = 0; i < budget.usage(Part::KubeWatches).limit; ++i) {
    auto slot = budget.acquire(Part::KubeWatches);
    REQUIRE(slot.ok());
    watches.push_back(std::move(slot).value());
  }
  auto refused = budget.acquire(Part::KubeWatches);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == ErrorKind::Transient);
  CHECK(refused.error().message.find("kubernetes_watches") != std::string::npos);
  CHECK(budget.usage(Part::KubeWatches).refusals == 1);
  CHECK(budget.acquire(Part::KubeRequests).ok());  // writes and lease renewals still get theirs
  CHECK(budget.acquire(Part::Aws).ok());

  watches.pop_back();  // a watch ends: its slot is free again
  CHECK(budget.usage(Part::KubeWatches).open == budget.usage(Part::KubeWatches).limit - 1);
  CHECK(budget.acquire(Part::KubeWatches).ok());
}

TEST_CASE("slots are released once, whether moved, reassigned or destroyed") {
  ConnectionBudget budget(64);
  {
    auto first = budget.acquire(Part::Aws);
    REQUIRE(first.ok());
    ConnectionBudget::Slot moved = std::move(first).value();
    CHECK(budget.usage(Part::Aws).open == 1);
    ConnectionBudget::Slot other = std::move(budget.acquire(Part::Aws)).value();
    CHECK(budget.usage(Part::Aws).open == 2);
    other = std::move(moved);
    CHECK(budget.usage(Part::Aws).open == 1);
    other = ConnectionBudget::Slot();
    CHECK(budget.usage(Part::Aws).open == 0);
  }
  CHECK(budget.usage(Part::Aws).open == 0);
}

}  // namespace
}  // namespace imps::http
