#include <doctest/doctest.h>

#include "base/result.h"

using namespace imps;

TEST_CASE("only Invalid and Forbidden wait for a change instead of a retry") {
  CHECK(waits_for_change(ErrorKind::Invalid));
  CHECK(waits_for_change(ErrorKind::Forbidden));
  for (ErrorKind kind : {ErrorKind::Transient, ErrorKind::Conflict, ErrorKind::Gone, ErrorKind::Unauthorized,
                         ErrorKind::NotFound, ErrorKind::AlreadyExists, ErrorKind::TooLarge, ErrorKind::Fatal})
    CHECK_FALSE(waits_for_change(kind));
}
