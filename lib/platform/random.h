// The randomness seam: one small deterministic generator (xoshiro256**, seeded by splitmix64), so a
// seed makes a simulator run byte-for-byte reproducible. Not for cryptography.
#pragma once

#include <cmath>
#include <cstdint>

namespace payops {

class Random {
 public:
  explicit Random(std::uint64_t seed);
  // A seed from the OS (getrandom), for runs that need no reproducibility.
  static std::uint64_t os_seed();

  std::uint64_t next_u64();
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n). REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n);
  bool chance(double probability) { return uniform() < probability; }
  // Standard normal via Box-Muller (no cached second value, so the stream stays simple to reason about).
  double normal();
  // Log-normal with the given median and sigma of the underlying normal.
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

 private:
  std::uint64_t s_[4];
};

}  // namespace payops
