// Silence: the first sign of a bank whose attempts hang. Rows are written when attempts FINISH, so a
// bank that starts taking seconds per attempt shows first as rows that stop arriving, seconds before
// its slow rows (or its gateway timeouts) reach the log. Waiting for those rows costs every payment
// routed to it meanwhile; the missing rows say it as soon as the peers keep finishing theirs.
//
// Detection (bank_silence), over the log's own time (end = the newest row's timestamp, not the wall
// clock, so a writer that flushes late or a log that stopped growing looks the same as a live one):
//   baseline share  = the bank's share of the finished attempts in [end - window - baseline, end - window)
//   expected        = baseline share / (1 - baseline share) x the OTHER banks' finished attempts in
//                     [end - window, end]  (the peers' volume stands for the traffic, so a change of
//                     load does not look like silence)
//   silent          = finished < ratio x expected, AND so few that chance cannot explain it: the
//                     Poisson probability of <= finished when expected are due is below eject_alpha,
//                     AND the peers' own rate held (>= 1 - ratio of theirs in the baseline span): when
//                     the traffic itself ends, the slow banks and the retries finish last and the
//                     fastest bank would look silent (a live drill's last seconds ejected bank_a so).
// The second condition is what keeps calm traffic free of false alarms: with expected = 10, "2 or
// fewer" happens by chance 0.3% of the time, hundreds of times a day for an agent cycling every
// second; with eject_alpha = 1e-9 it takes about 21 expected and none seen (or 48 and <= 8).
// Judged against peers only: a bank alone (share ~1) is never silent.
//
// Recovery (completion_since): the same question for a bank held down after a cut or probing while
// half_open, whose share is known from the config. Its survivors would look healthy (the attempts
// that finish first are the fast ones), so it may come back only when its attempts finish FAST at
// the rate its share predicts, counted over attempts old enough to have done so.
#pragma once

#include <cstdint>
#include <string_view>

#include "agent/observation.h"

namespace payops {

struct SilenceOptions {
  std::int64_t window_ms = 2'000;
  std::int64_t baseline_ms = 4'000;
  double ratio = 0.25;              // silent below ratio x expected; finishing at >= (1 - ratio) x expected
  double eject_alpha = 1e-9;        // chance a healthy bank looks silent, per check
  double hang_ratio = 0.5;          // a held bank's probes hang below hang_ratio x expected
  double hang_alpha = 1e-4;         // chance a healthy held bank's probes look hanging, per check
  double min_expected_since = 5.0;  // completion_since: volume before `finishing` can be said
};

struct BankSilence {
  double expected = 0;         // attempts its baseline share predicts in the window
  std::uint64_t finished = 0;  // attempts of this bank that finished in the window
  double baseline_share = 0;   // its share of finished attempts in the baseline span
  bool traffic_falling = false;  // the peers' own rate fell by more than `ratio`: no verdict
  bool silent = false;
  // Set by the reasoner from bank_crawling when the rows by finish time do not say silent (then
  // expected / finished are the crawl's: attempts started in the span, and those that finished fast).
  bool crawling = false;
};

// The silence verdict for bank_id over rows ending at min(now_ms, newest row). Rows without a bank
// (NO_ROUTE) count for nobody.
BankSilence bank_silence(const RowWindow& rows, std::string_view bank_id, TimeMs now_ms, const SilenceOptions& options);

// Of the attempts that STARTED in [since_ms, until_ms - fast_ms] (finish - latency: each has had
// fast_ms to finish fast), `finished` are the bank's that took < fast_ms; `expected` is what `share`
// (its share of first attempts per the config) predicts from the other banks' attempts of that span.
//   finishing: expected >= min_expected_since and finished >= (1 - ratio) x expected; or share >= 1
//              (no peer to compare with: this rule cannot tell, so it does not hold the bank).
//   hanging:   finished < hang_ratio x expected and the Poisson probability of so few is below
//              hang_alpha: its attempts hang or crawl.
// Neither, early on or in between: too soon to tell, or slower than it should be but not dead.
struct BankCompletion {
  double expected = 0;
  std::uint64_t finished = 0;
  bool finishing = false;
  bool hanging = false;
};
BankCompletion completion_since(const RowWindow& rows, std::string_view bank_id, TimeMs since_ms, TimeMs until_ms,
                                double share, std::int64_t fast_ms, const SilenceOptions& options);

// Crawling: counted by START. Of the bank's attempts that started in the last window_ms that have
// had fast_ms to finish (started in [now - window_ms - fast_ms, now - fast_ms]), too few finished fast:
// under hang_ratio of what its share of the attempts started in the baseline_ms before that span
// predicts from its peers' starts in the span, and so few that chance cannot explain it (Poisson tail
// < eject_alpha, as for silence). Silence counts rows by when they FINISH, so a bank whose median goes
// to 2.5 s still finishes about its share's rows in any 2 s (the slow attempts started seconds before)
// and is never silent; by start, only its fast few (~15%) are there. The share is the log's, not the
// config's (a primary_first router or retries give a bank another share than its weight's).
// `expected` and `finished` are over the span; `hanging` is the verdict; `finishing` is unused.
BankCompletion bank_crawling(const RowWindow& rows, std::string_view bank_id, TimeMs now_ms, std::int64_t fast_ms,
                             const SilenceOptions& options);

}  // namespace payops
