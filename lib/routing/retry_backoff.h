// Retry timing after a soft failure, per a bank's retry_policy: how many retries, and how long to wait
// before each (exponential backoff with a multiplier and a cap, optionally with full jitter).
#pragma once

#include <cstdint>

#include "contract/config_model.h"
#include "platform/random.h"

namespace payops {

// The ceiling of the wait before retry number retry_index (0 = the first retry):
// min(max_backoff_ms, backoff_ms * backoff_multiplier^retry_index), never negative. Saturates instead
// of overflowing for large indices or multipliers.
std::int64_t backoff_ceiling_ms(const RetryPolicy& policy, std::int64_t retry_index);

// The actual wait before retry number retry_index. With jitter ("full jitter"), uniform in
// [0, ceiling] drawn from rng; without, exactly the ceiling (rng is not touched, so a policy change
// does not shift the rest of a seeded run more than it must).
std::int64_t backoff_delay_ms(const RetryPolicy& policy, std::int64_t retry_index, Random& rng);

// True when a payment that has already made retries_done retries may retry once more after a soft
// failure on a bank with this policy. Negative max_retries counts as 0.
inline bool may_retry(const RetryPolicy& policy, std::int64_t retries_done) {
  return retries_done < policy.max_retries;
}

}  // namespace payops
