// Synthetic rows and configs for the agent's unit tests.
#pragma once

#include <string>

#include <fmt/format.h>

#include "contract/config_model.h"
#include "agent/observation.h"

namespace payops::test {

inline constexpr TimeMs kT0 = 1'795'348'800'000;  // 2026-11-22T12:00:00.000Z

// Builds rows in compact form: txn ids are unique unless a key is given.
struct Rows {
  RowWindow window;
  std::uint64_t next_key = 1;
  void add(TimeMs t, const std::string& bank, ErrorCode code = ErrorCode::none, std::int64_t latency_ms = 100,
           std::uint64_t key = 0) {
    CompactRow r;
    r.timestamp_ms = t;
    r.txn_key = key ? key : next_key++;
    r.latency_ms = latency_ms;
    r.bank = bank.empty() ? kNoBank : window.bank_index(bank);
    r.status = code == ErrorCode::none ? TxnStatus::success : TxnStatus::failed;
    r.error_code = code;
    window.add(r);
  }
  // n rows spread evenly over [from, to), every k-th (k = every) failing with code.
  void spread(TimeMs from, TimeMs to, int n, const std::string& bank, int fail_every = 0,
              ErrorCode code = ErrorCode::BANK_UNAVAILABLE) {
    for (int i = 0; i < n; ++i) {
      const TimeMs t = from + (to - from) * i / n;
      add(t, bank, fail_every > 0 && i % fail_every == fail_every - 1 ? code : ErrorCode::none);
    }
  }
  Observation observe(TimeMs now) const { return observe_rows(window, now, ObserveOptions{}); }
};

inline Config two_bank_config() {
  Config c = default_config();
  c.banks.resize(2);
  c.banks[0].weight = 60;
  c.banks[1].weight = 40;
  c.routing_rules.primary_bank = c.banks[0].id;
  return c;
}

inline HistoryEntry operator_entry(TimeMs t, const std::string& path, Json before, Json after) {
  HistoryEntry e;
  e.timestamp = t;
  e.action = "set";
  e.actor = "config-tool";
  e.reason = "operator";
  e.details = Json{{"changes", Json::array({Json{{"path", path}, {"before", before}, {"after", after}}})}};
  return e;
}

}  // namespace payops::test
