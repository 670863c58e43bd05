// Exponential backoff with cap and full jitter (see the AWS architecture blog's "full jitter").
#include "routing/retry_backoff.h"

#include <algorithm>
#include <cmath>

namespace payops {

std::int64_t backoff_ceiling_ms(const RetryPolicy& policy, std::int64_t retry_index) {
  const double base = static_cast<double>(std::max<std::int64_t>(policy.backoff_ms, 0));
  const double cap = static_cast<double>(std::max<std::int64_t>(policy.max_backoff_ms, 0));
  const double multiplier = std::max(policy.backoff_multiplier, 1.0);
  const double index = static_cast<double>(std::max<std::int64_t>(retry_index, 0));
  // pow may give inf for absurd inputs; min with the cap keeps the result finite.
  const double wait = std::min(cap, base * std::pow(multiplier, index));
  return static_cast<std::int64_t>(std::llround(wait));
}

std::int64_t backoff_delay_ms(const RetryPolicy& policy, std::int64_t retry_index, Random& rng) {
  const std::int64_t ceiling = backoff_ceiling_ms(policy, retry_index);
  if (!policy.jitter || ceiling <= 0) return ceiling;
  return static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(ceiling) + 1));
}

}  // namespace payops
