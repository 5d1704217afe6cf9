#include <doctest/doctest.h>

#include "modes/work_queue.h"

using namespace imps;
using namespace imps::modes;

TEST_CASE("a burst of adds for one key yields one pop") {
  WorkQueue q;
  q.add("a");
  q.add("b");
  q.add("a");
  q.add("a");
  CHECK(q.waiting() == 2);
  CHECK(q.pop() == "a");
  CHECK(q.pop() == "b");
  CHECK_FALSE(q.pop().has_value());
}

TEST_CASE("a key in progress is not handed out again until done") {
  WorkQueue q;
  q.add("a");
  REQUIRE(q.pop() == "a");
  CHECK(q.is_active("a"));
  q.add("a");
  q.add("a");
  CHECK_FALSE(q.pop().has_value());
  q.done("a");
  CHECK_FALSE(q.is_active("a"));
  CHECK(q.pop() == "a");
  q.done("a");
  CHECK_FALSE(q.pop().has_value());
}

TEST_CASE("done without a re-add leaves nothing queued") {
  WorkQueue q;
  q.add("a");
  REQUIRE(q.pop() == "a");
  q.done("a");
  CHECK(q.waiting() == 0);
  CHECK(q.in_progress() == 0);
}

TEST_CASE("keys are handed out in the order they were first added") {
  WorkQueue q;
  for (const char* k : {"c", "a", "b", "a", "c"}) q.add(k);
  CHECK(q.pop() == "c");
  CHECK(q.pop() == "a");
  CHECK(q.pop() == "b");
}

TEST_CASE("failures back off exponentially per key up to the cap, forget resets") {
  WorkQueue q(RetryParams{100, 1000});
  CHECK(q.failed("a") == 100);
  CHECK(q.failed("a") == 200);
  CHECK(q.failed("b") == 100);
  CHECK(q.failed("a") == 400);
  CHECK(q.failed("a") == 800);
  CHECK(q.failed("a") == 1000);
  for (int i = 0; i < 100; ++i) CHECK(q.failed("a") == 1000);
  q.forget("a");
  CHECK(q.failed("a") == 100);
}

TEST_CASE("adds and retries are counted as client-go's workqueue metrics count them") {
  WorkQueue q;
  q.add("a");
  q.add("a");  // collapsed into the waiting key: not an add
  q.add("b");
  CHECK(q.adds() == 2);
  REQUIRE(q.pop() == "a");
  q.add("a");  // while in progress: an add, handed out after done()
  q.add("a");
  CHECK(q.adds() == 3);
  q.done("a");
  CHECK(q.adds() == 3);
  CHECK(q.waiting() == 2);
  CHECK(q.retries() == 0);
  q.failed("a");
  q.failed("b");
  CHECK(q.retries() == 2);
  q.forget("a");
  CHECK(q.retries() == 2);
}

TEST_CASE("keys in progress are found by prefix, so a whole plan can wait for its namespace keys") {
  WorkQueue q;
  q.add("app/ns-1");
  q.add("apple");
  REQUIRE(q.pop() == "app/ns-1");
  REQUIRE(q.pop() == "apple");
  CHECK(q.any_active_with_prefix("app/"));
  CHECK_FALSE(q.any_active_with_prefix("apple/"));
  CHECK_FALSE(q.any_active_with_prefix("ap/"));
  q.done("app/ns-1");
  CHECK_FALSE(q.any_active_with_prefix("app/"));
}
