// A seeded pseudo-random source for jitter (not for cryptography: mbedTLS has its own DRBG).
// Injected so tests can fix the sequence.
#pragma once

#include <cstdint>

namespace imps {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed ? seed : 0x9e3779b97f4a7c15ull) {}
  // Seeded from the clock and pid: good enough to de-synchronise replicas.
  static Random from_entropy();
  uint64_t next();
  // Uniform in [0, 1).
  double uniform();

 private:
  uint64_t state_;
};

}  // namespace imps
