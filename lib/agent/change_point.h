// Where a bank's success rate last changed, read from the log alone: the start of "what it does now"
// for success-rate routing (rules_reasoner.h, rule 5).
//
// Why a change point and not a shorter half-life: a recency-weighted rate mixes the seconds before a
// change with those after it until the old ones have decayed (a 30 s half-life needs ~50 s to put a
// bank that went from 93.5% to 99.5% above a steady 97.5% one). Comparing a short half-life against a
// long one sees a drop only while the bank still has traffic: once its share is cut to exploration,
// the short rate has too few attempts to be judged and the stale long-run rate ranks it among the best
// again (drift drill, main 49f953a: bank_a, down 5 points at 90 s, was back at ~25% of first attempts
// from 120 s). A change point stays found however thin the traffic after it.
//
// The test: the bank's served attempts (RATE_LIMITED and hard declines left out, as in its rate) are
// counted per second; every split of those seconds into before and after, each side with >=
// min_samples attempts, is scored by the log-likelihood ratio of two success rates against one
// (binomial); the best split counts when its ratio is >= min_llr. The search repeats on the seconds
// after it, so the LATEST change is found (a bank that fell and then recovered is judged on its
// recovery). min_llr = 8 is a factor e^8 ~ 3000: on a stationary bank the best of a few hundred splits
// reaches it rarely, and a false split only shortens the evidence, it does not bias it much.
#pragma once

#include <optional>
#include <string_view>

#include "agent/observation.h"

namespace payops {

struct ChangePointOptions {
  double min_samples = 30;  // attempts on each side of a split
  double min_llr = 8.0;     // log-likelihood ratio a split needs
};

// The start (a whole second from since_ms) of the bank's latest segment of steady success among its
// rows with since_ms <= timestamp <= until_ms, or nullopt when no split passes (the rate did not
// change). Unknown bank: nullopt.
std::optional<TimeMs> success_change_since(const RowWindow& rows, std::string_view bank_id, TimeMs since_ms,
                                           TimeMs until_ms, const ChangePointOptions& options);

}  // namespace payops
