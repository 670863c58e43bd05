// How likely chance alone produces a count: the Poisson tails the rules use to tell an incident from
// noise (silence.h: too few rows; rules_reasoner.h: too many faults). A rule fires only when its count
// is beyond what chance gives once in `alpha` checks, so an agent checking every second stays quiet
// on calm traffic however long it runs.
#pragma once

#include <cstdint>

namespace payops {

// P(X <= k) for X ~ Poisson(mean). 1 when mean <= 0.
double poisson_at_most(std::uint64_t k, double mean);
// P(X >= k) for X ~ Poisson(mean), summed from k up (accurate far into the tail, where
// 1 - poisson_at_most(k - 1) would round to 0). 1 when k == 0; 0 when mean <= 0 < k.
double poisson_at_least(std::uint64_t k, double mean);

}  // namespace payops
