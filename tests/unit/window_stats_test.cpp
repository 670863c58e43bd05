#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "agent_test_util.h"
#include "platform/random.h"
#include "agent/window_stats.h"
#include "contract/transaction.h"

using namespace payops;
using payops::test::kT0;

namespace {
// Miller's non-interpolated percentile on a sorted copy: the reference our histogram must match.
std::int64_t reference_percentile(std::vector<std::int64_t> v, double p) {
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size()));
  return v[std::min(i, v.size() - 1)];
}
}  // namespace

TEST_CASE("latency percentiles are exact and agree with mlr's definition, overflow included") {
  Random rng(7);
  LatencyHistogram h;
  std::vector<std::int64_t> all;
  for (int i = 0; i < 5000; ++i) {
    const auto v = static_cast<std::int64_t>(rng.lognormal(300, 1.2));  // some beyond 16 s
    h.add(v);
    all.push_back(v);
  }
  CHECK(std::any_of(all.begin(), all.end(), [](auto v) { return v >= LatencyHistogram::kBucketCount; }));
  for (double p : {0.0, 0.5, 0.95, 0.99, 0.999, 1.0}) {
    CAPTURE(p);
    CHECK(h.percentile(p) == reference_percentile(all, p));
  }
  // mlr: p50 of 1..20 is 11, p95 is 20.
  LatencyHistogram small;
  for (int i = 1; i <= 20; ++i) small.add(i);
  CHECK(small.percentile(0.5) == 11);
  CHECK(small.percentile(0.95) == 20);
  CHECK(LatencyHistogram{}.percentile(0.95) == 0);
}

TEST_CASE("one percentile rule: the simulator's old ceil/1-based p95 said 19 on 1..20, the rule says 20") {
  // The same 20 rows through every reader of the rule: the rank, the histogram (agent report, the
  // simulator's summary, payment metrics) and a sorted copy (drill report buckets).
  CHECK(percentile_rank(0.95, 20) == 19);
  CHECK(percentile_rank(0.95, 21) == 19);  // floor(19.95)
  CHECK(percentile_rank(1.0, 20) == 19);   // clamped to the last
  CHECK(percentile_rank(0.0, 1) == 0);
  LatencyHistogram h;
  std::vector<std::int64_t> sorted;
  for (int i = 20; i >= 1; --i) h.add(i), sorted.push_back(i);
  std::sort(sorted.begin(), sorted.end());
  CHECK(h.percentile(0.95) == 20);
  CHECK(sorted[percentile_rank(0.95, sorted.size())] == 20);
}

TEST_CASE("per-bank counts keep hard declines and NO_ROUTE out of the bank's soft-failure rate") {
  WindowStats w;
  w.add(kT0, 1, "bank_a", TxnStatus::success, ErrorCode::none, 100);
  w.add(kT0 + 1, 2, "bank_a", TxnStatus::failed, ErrorCode::INSUFFICIENT_FUNDS, 100);
  w.add(kT0 + 2, 3, "bank_a", TxnStatus::failed, ErrorCode::GATEWAY_TIMEOUT, 8000);
  w.add(kT0 + 3, 4, "", TxnStatus::failed, ErrorCode::NO_ROUTE, 0);
  const BankWindowStats* a = w.find("bank_a");
  REQUIRE(a);
  CHECK(a->attempts == 3);
  CHECK(a->hard_declines == 1);
  CHECK(a->soft_failures == 1);
  CHECK(a->soft_by_code[soft_code_slot(ErrorCode::GATEWAY_TIMEOUT)] == 1);
  CHECK(a->soft_failure_rate() == doctest::Approx(1.0 / 3));
  CHECK(w.no_route == 1);
  CHECK(w.banks.size() == 1);
}

TEST_CASE("trailing soft failures: a success or a hard decline ends the run, and merges continue it") {
  WindowStats w;
  w.add(kT0, 1, "b", TxnStatus::failed, ErrorCode::BANK_UNAVAILABLE, 1);
  w.add(kT0, 2, "b", TxnStatus::success, ErrorCode::none, 1);
  w.add(kT0, 3, "b", TxnStatus::failed, ErrorCode::BANK_UNAVAILABLE, 1);
  w.add(kT0, 4, "b", TxnStatus::failed, ErrorCode::NETWORK_ERROR, 1);
  CHECK(w.find("b")->trailing_soft_failures == 2);
  WindowStats later;
  later.add(kT0, 5, "b", TxnStatus::failed, ErrorCode::RATE_LIMITED, 1);
  WindowStats merged = w;
  merged.merge(later);
  CHECK(merged.find("b")->trailing_soft_failures == 3);
  WindowStats ended;
  ended.add(kT0, 6, "b", TxnStatus::failed, ErrorCode::DO_NOT_HONOR, 1);
  merged.merge(ended);
  CHECK(merged.find("b")->trailing_soft_failures == 0);
}

TEST_CASE("payments: a success after a retry is a success; retries are rows whose id came before") {
  WindowStats w;
  w.add(kT0, 0xabc, "bank_b", TxnStatus::failed, ErrorCode::BANK_UNAVAILABLE, 1);
  w.add(kT0 + 1000, 0xabc, "bank_a", TxnStatus::success, ErrorCode::none, 1);
  w.add(kT0 + 2000, 0xdef, "bank_a", TxnStatus::failed, ErrorCode::CARD_EXPIRED, 1);
  w.add(kT0 + 3000, 0x123, "bank_a", TxnStatus::failed, ErrorCode::GATEWAY_TIMEOUT, 1);
  CHECK(w.payments == 3);
  CHECK(w.payments_succeeded == 1);
  CHECK(w.payments_hard_declined == 1);
  CHECK(w.find("bank_a")->retries == 1);
  CHECK(w.find("bank_b")->retries == 0);
  CHECK(w.payment_success_rate() == doctest::Approx(1.0 / 3));
  CHECK(w.routable_payment_success_rate() == doctest::Approx(0.5));
  // Ids are remembered for the horizon, then forgotten (bounded memory).
  w.add(kT0 + kPaymentHorizonMs / 2, 0xabc, "bank_a", TxnStatus::success, ErrorCode::none, 1);
  CHECK(w.payments == 3);
  w.add(kT0 + 3 * kPaymentHorizonMs, 0x999, "bank_a", TxnStatus::success, ErrorCode::none, 1);
  w.add(kT0 + 3 * kPaymentHorizonMs + 1, 0xabc, "bank_a", TxnStatus::success, ErrorCode::none, 1);
  CHECK(w.payments == 5);
}

TEST_CASE("merging per-chunk stats gives the single-pass numbers") {
  Random rng(3);
  WindowStats whole, a, b;
  for (int i = 0; i < 2000; ++i) {
    const std::string bank = i % 3 == 0 ? "bank_a" : i % 3 == 1 ? "bank_b" : "bank_c";
    const bool fail = rng.chance(0.1);
    const auto lat = static_cast<std::int64_t>(rng.below(3000));
    const auto code = fail ? ErrorCode::NETWORK_ERROR : ErrorCode::none;
    const auto status = fail ? TxnStatus::failed : TxnStatus::success;
    whole.add(kT0 + i, static_cast<std::uint64_t>(i + 1), bank, status, code, lat);
    (i < 777 ? a : b).add(kT0 + i, static_cast<std::uint64_t>(i + 1), bank, status, code, lat);
  }
  a.merge(b);
  for (const char* id : {"bank_a", "bank_b", "bank_c"}) {
    CAPTURE(id);
    CHECK(a.find(id)->attempts == whole.find(id)->attempts);
    CHECK(a.find(id)->soft_failures == whole.find(id)->soft_failures);
    CHECK(a.find(id)->latency.percentile(0.95) == whole.find(id)->latency.percentile(0.95));
    CHECK(a.find(id)->latency.sum_ms() == whole.find(id)->latency.sum_ms());
    CHECK(a.find(id)->trailing_soft_failures == whole.find(id)->trailing_soft_failures);
  }
  CHECK(a.payments == whole.payments);
}

TEST_CASE("transaction keys parse the contract's id form only") {
  CHECK(transaction_key("txn_00000000000000ff") == 255u);
  CHECK_FALSE(transaction_key("txn_00000000000000FF").has_value());
  CHECK_FALSE(transaction_key("txn_123").has_value());
}

TEST_CASE("the id writer and the id reader are one rule: transaction_key(make_transaction_id(v)) == v") {
  CHECK(make_transaction_id(255) == "txn_00000000000000ff");
  for (const std::uint64_t v : {0ull, 1ull, 0xabcdef0123456789ull, ~0ull}) {
    CAPTURE(v);
    CHECK(is_transaction_id(make_transaction_id(v)));
    CHECK(transaction_key(make_transaction_id(v)) == v);
  }
}

TEST_CASE("row windows keep time order and answer per-bank questions since a time") {
  payops::test::Rows rows;
  rows.add(kT0 + 2000, "bank_a");
  rows.add(kT0 + 1000, "bank_a", ErrorCode::BANK_UNAVAILABLE);  // late writer
  rows.add(kT0 + 3000, "bank_b");
  CHECK(rows.window.rows()[0].timestamp_ms == kT0 + 1000);
  const BankWindowStats a = rows.window.bank_stats("bank_a", kT0 + 1500, kT0 + 5000);
  CHECK(a.attempts == 1);
  CHECK(a.trailing_soft_failures == 0);
  rows.window.drop_before(kT0 + 2500);
  CHECK(rows.window.size() == 1);
}

TEST_CASE("by start: a bank's attempts started since a time, not the slow ones that finish after it") {
  payops::test::Rows rows;
  rows.add(kT0 + 1000, "bank_a", ErrorCode::GATEWAY_TIMEOUT, 8000);  // started at kT0 - 7000
  rows.add(kT0 + 1200, "bank_a", ErrorCode::none, 300);              // started at kT0 + 900
  rows.add(kT0 + 1500, "bank_a", ErrorCode::none, 500);              // started at kT0 + 1000: counts
  rows.add(kT0 + 1600, "bank_b", ErrorCode::none, 100);              // another bank
  rows.add(kT0 + 9000, "bank_a", ErrorCode::none, 100);              // after until
  const BankWindowStats by_finish = rows.window.bank_stats("bank_a", kT0 + 1000, kT0 + 5000);
  CHECK(by_finish.attempts == 3);
  CHECK(by_finish.faults() == 1);
  const BankWindowStats by_start = rows.window.bank_stats_started("bank_a", kT0 + 1000, kT0 + 5000);
  CHECK(by_start.attempts == 1);
  CHECK(by_start.faults() == 0);
  CHECK(rows.window.bank_stats_started("bank_z", kT0, kT0 + 5000).attempts == 0);
}

TEST_CASE("newest served: the stragglers of before a change are left out when it is given") {
  payops::test::Rows rows;
  for (int i = 0; i < 10; ++i) rows.add(kT0 + 100 * i, "bank_b", ErrorCode::none, 200);  // calm
  // An outage from kT0 + 1000: every attempt started since fails fast; 4 started before it succeed late.
  for (int i = 0; i < 10; ++i) rows.add(kT0 + 1050 + 50 * i, "bank_b", ErrorCode::BANK_UNAVAILABLE, 40);
  for (int i = 0; i < 4; ++i) rows.add(kT0 + 1100 + 100 * i, "bank_b", ErrorCode::none, 400 + 100 * i);
  rows.add(kT0 + 1500, "bank_b", ErrorCode::RATE_LIMITED, 10);  // load: never counted
  const NewestServed by_finish = newest_served(rows.window, "bank_b", kT0, kT0 + 2000, 10);
  CHECK(by_finish.served == 10);
  CHECK(by_finish.faults == 7);  // 3 of the newest 10 rows are the stragglers' successes
  const NewestServed since_change = newest_served(rows.window, "bank_b", kT0, kT0 + 2000, 10, kT0 + 1000);
  CHECK(since_change.served == 10);
  CHECK(since_change.faults == 10);
}

TEST_CASE("faults leave RATE_LIMITED out: the run skips it, the rate is over served attempts") {
  WindowStats w;
  w.add(kT0, 1, "b", TxnStatus::failed, ErrorCode::BANK_UNAVAILABLE, 1);
  w.add(kT0, 2, "b", TxnStatus::failed, ErrorCode::RATE_LIMITED, 1);
  w.add(kT0, 3, "b", TxnStatus::failed, ErrorCode::NETWORK_ERROR, 1);
  w.add(kT0, 4, "b", TxnStatus::success, ErrorCode::none, 1);
  w.add(kT0, 5, "b", TxnStatus::failed, ErrorCode::GATEWAY_TIMEOUT, 1);
  w.add(kT0, 6, "b", TxnStatus::failed, ErrorCode::RATE_LIMITED, 1);
  const BankWindowStats& b = *w.find("b");
  CHECK(b.trailing_soft_failures == 2);
  CHECK(b.trailing_faults == 1);
  CHECK(b.rate_limited() == 2);
  CHECK(b.faults() == 3);
  CHECK(b.fault_rate() == doctest::Approx(3.0 / 4));
  WindowStats later;  // only rate limits: the fault run carries over unbroken
  later.add(kT0, 7, "b", TxnStatus::failed, ErrorCode::RATE_LIMITED, 1);
  WindowStats merged = w;
  merged.merge(later);
  CHECK(merged.find("b")->trailing_faults == 1);
  WindowStats more;
  more.add(kT0, 8, "b", TxnStatus::failed, ErrorCode::NETWORK_ERROR, 1);
  merged.merge(more);
  CHECK(merged.find("b")->trailing_faults == 2);
}

TEST_CASE("first attempts: what a customer felt before any retry, per bank and over payments") {
  WindowStats w;
  w.add(kT0, 0xa, "bank_b", TxnStatus::failed, ErrorCode::BANK_UNAVAILABLE, 1);
  w.add(kT0 + 1, 0xa, "bank_a", TxnStatus::success, ErrorCode::none, 1);  // a retry: not a first attempt
  w.add(kT0 + 2, 0xb, "bank_a", TxnStatus::success, ErrorCode::none, 1);
  CHECK(w.payments == 2);
  CHECK(w.payments_first_attempt_succeeded == 1);
  CHECK(w.first_attempt_success_rate() == doctest::Approx(0.5));
  CHECK(w.find("bank_b")->first_attempts == 1);
  CHECK(w.find("bank_b")->first_attempt_successes == 0);
  CHECK(w.find("bank_a")->first_attempts == 1);
  CHECK(w.find("bank_a")->first_attempt_successes == 1);
}

TEST_CASE("count_at_least counts the slow calls, overflow included") {
  LatencyHistogram h;
  for (std::int64_t ms : {100, 1499, 1500, 3000, 20000}) h.add(ms);
  CHECK(h.count_at_least(1500) == 3);
  CHECK(h.count_at_least(0) == 5);
  CHECK(h.count_at_least(16000) == 1);
  CHECK(h.count_at_least(30000) == 0);
}

namespace {
// The tracker's contract as two plain maps of generations (the design it had before one table held
// both): ids rotate every horizon, a gap of two horizons forgets everything, an id found only in the
// previous generation is carried into the current one with its flags.
class ReferenceTracker {
 public:
  PaymentTracker::Seen add(std::uint64_t key, TimeMs t, bool success, bool hard) {
    if (!start_) start_ = t;
    if (t - *start_ >= kPaymentHorizonMs) {
      previous_ = t - *start_ >= 2 * kPaymentHorizonMs ? Map{} : std::move(current_);
      current_ = Map{};
      start_ = t;
    }
    PaymentTracker::Seen seen;
    auto it = current_.find(key);
    if (it == current_.end()) {
      Flags flags;
      if (const auto old = previous_.find(key); old != previous_.end()) {
        flags = old->second;
        seen.earlier = true;
      }
      it = current_.emplace(key, flags).first;
    } else {
      seen.earlier = true;
    }
    if (success && !it->second.success) seen.first_success = it->second.success = true;
    if (hard && !it->second.hard) seen.first_hard_decline = it->second.hard = true;
    return seen;
  }

 private:
  struct Flags {
    bool success = false, hard = false;
  };
  using Map = std::map<std::uint64_t, Flags>;
  Map current_, previous_;
  std::optional<TimeMs> start_;
};
}  // namespace

TEST_CASE("payment tracker: same answers as two maps of generations, across rotations, gaps and growth") {
  Random rng(11);
  PaymentTracker tracker;
  ReferenceTracker reference;
  TimeMs t = kT0;
  std::vector<std::uint64_t> recent;
  int earlier = 0, firsts = 0;
  for (int i = 0; i < 300000; ++i) {
    // Mostly forward in small steps, sometimes a jump past one or two horizons, sometimes backwards.
    const auto step = rng.below(1000);
    t += i % 50000 == 49999 ? 2 * kPaymentHorizonMs + 1 : i % 70001 == 70000 ? kPaymentHorizonMs : static_cast<TimeMs>(step) - 20;
    std::uint64_t key = rng.next_u64();
    if (!recent.empty() && rng.chance(0.3)) key = recent[rng.below(recent.size())];  // a retry, maybe old
    if (recent.size() < 200000) recent.push_back(key); else recent[rng.below(recent.size())] = key;
    const bool success = rng.chance(0.6), hard = !success && rng.chance(0.3);
    const PaymentTracker::Seen got = tracker.add(key, t, success, hard);
    const PaymentTracker::Seen want = reference.add(key, t, success, hard);
    REQUIRE(got.earlier == want.earlier);
    REQUIRE(got.first_success == want.first_success);
    REQUIRE(got.first_hard_decline == want.first_hard_decline);
    earlier += want.earlier;
    firsts += want.first_success;
  }
  CHECK(earlier > 2000);  // retries within the horizon were exercised (most picks are long forgotten)
  CHECK(firsts > 10000);
}
