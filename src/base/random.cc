#include "base/random.h"

#include <time.h>
#include <unistd.h>

namespace imps {

Random Random::from_entropy() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return Random(uint64_t(ts.tv_nsec) ^ (uint64_t(ts.tv_sec) << 20) ^ (uint64_t(getpid()) << 40));
}

uint64_t Random::next() {  // splitmix64
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double Random::uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }

}  // namespace imps
