#include "agent/change_point.h"

#include <cmath>
#include <cstddef>
#include <vector>

namespace payops {
namespace {

struct Second {
  double ok = 0, all = 0;
};

// Binomial log-likelihood of `ok` successes in `all` at their own rate (0 log 0 = 0).
double log_likelihood(double ok, double all) {
  if (all <= 0) return 0;
  const auto term = [all](double k) { return k > 0 ? k * std::log(k / all) : 0.0; };
  return term(ok) + term(all - ok);
}

// The served attempts of bank `index` per second from since_ms.
std::vector<Second> per_second(const RowWindow& rows, std::uint32_t index, TimeMs since_ms, TimeMs until_ms) {
  std::vector<Second> seconds(static_cast<std::size_t>((until_ms - since_ms) / 1000 + 1));
  for (std::size_t i = rows.first_at(since_ms); i < rows.size(); ++i) {
    const CompactRow& r = rows.rows()[i];
    if (r.timestamp_ms > until_ms) break;
    if (r.bank != index || !counts_for_success_rate(r)) continue;
    Second& s = seconds[static_cast<std::size_t>((r.timestamp_ms - since_ms) / 1000)];
    s.all += 1;
    if (r.status == TxnStatus::success) s.ok += 1;
  }
  return seconds;
}

// The best split of seconds[from..] (the index of the first second after it) when it passes.
std::optional<std::size_t> best_split(const std::vector<Second>& seconds, std::size_t from, const ChangePointOptions& o) {
  Second total;
  for (std::size_t i = from; i < seconds.size(); ++i) total.ok += seconds[i].ok, total.all += seconds[i].all;
  const double one_rate = log_likelihood(total.ok, total.all);
  Second before;
  std::optional<std::size_t> best;
  double best_llr = o.min_llr;
  for (std::size_t i = from + 1; i < seconds.size(); ++i) {
    before.ok += seconds[i - 1].ok, before.all += seconds[i - 1].all;
    const double after_all = total.all - before.all;
    if (before.all < o.min_samples || after_all < o.min_samples) continue;
    const double llr = log_likelihood(before.ok, before.all) + log_likelihood(total.ok - before.ok, after_all) - one_rate;
    if (llr >= best_llr) best_llr = llr, best = i;
  }
  return best;
}

}  // namespace

std::optional<TimeMs> success_change_since(const RowWindow& rows, std::string_view bank_id, TimeMs since_ms,
                                           TimeMs until_ms, const ChangePointOptions& options) {
  const auto index = rows.banks().find(bank_id);
  if (!index || until_ms < since_ms) return std::nullopt;
  const std::vector<Second> seconds = per_second(rows, static_cast<std::uint32_t>(*index), since_ms, until_ms);
  std::optional<std::size_t> from;
  // Each split found narrows the search to the seconds after it; at most one pass per second.
  while (const auto split = best_split(seconds, from.value_or(0), options)) from = split;
  if (!from) return std::nullopt;
  return since_ms + static_cast<TimeMs>(*from) * 1000;
}

}  // namespace payops
