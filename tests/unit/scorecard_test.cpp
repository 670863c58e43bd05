// The payment-level scorecard on small hand-built logs: payment records (first attempt by start
// time, retries across the window edge, NO_ROUTE), metrics, the gap captured, the bars and the
// timeline.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "report/payment_metrics.h"
#include "report/scorecard.h"

namespace payops {
namespace {

constexpr TimeMs kT0 = 1'795'348'800'000;  // 2026-11-22T12:00:00.000Z

// A temporary directory of hand-written logs, removed at the end of the test.
struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               fmt::format("scorecard-unit.{}.{}", ::getpid(), counter()++);
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// Rows: (finish offset ms, txn number, bank ("" for NO_ROUTE), error code ("" for success), latency).
struct Row {
  std::int64_t finish_ms;
  int txn;  // 0: no transaction id
  std::string bank;
  std::string code;
  std::int64_t latency_ms;
};

std::string write_log(const TempDir& dir, const std::string& name, const std::vector<Row>& rows) {
  const std::string path = dir.file(name);
  std::ofstream out(path);
  out << "timestamp,transaction_id,amount,currency,type,bank_id,bank_name,status,latency_ms,error_code,error_message\n";
  for (const auto& r : rows)
    out << fmt::format("{},{},10.00,USD,card,{},{},{},{},{},{}\n", format_timestamp(kT0 + r.finish_ms),
                       r.txn ? fmt::format("txn_{:016x}", r.txn) : "", r.bank, r.bank.empty() ? "" : "Bank",
                       r.code.empty() ? "success" : "failed", r.latency_ms, r.code, r.code.empty() ? "" : "x");
  return path;
}

// n payments starting every `every_ms` from start_ms; each k-th first attempt (fail_every) fails on
// bank_fail and is retried on bank_ok after a 1 s backoff. Attempts take latency_ms.
void add_traffic(std::vector<Row>& rows, int& txn, std::int64_t start_ms, int n, std::int64_t every_ms,
                 const std::string& bank_first, int fail_every, std::int64_t latency_ms = 200) {
  for (int i = 0; i < n; ++i) {
    const std::int64_t t = start_ms + i * every_ms;
    ++txn;
    if (fail_every > 0 && i % fail_every == 0) {
      rows.push_back({t + latency_ms, txn, bank_first, "BANK_UNAVAILABLE", latency_ms});
      rows.push_back({t + latency_ms + 1000 + latency_ms, txn, "bank_z", "", latency_ms});
    } else {
      rows.push_back({t + latency_ms, txn, bank_first, "", latency_ms});
    }
  }
}

}  // namespace

TEST_CASE("a payment's first attempt is the row that started first, whatever the order rows were written in") {
  TempDir dir;
  // txn 1: its retry (bank_a, started at 4.9 s) is written before the timed-out first attempt on bank_b
  // (started at 1.0 s, finished at 9.0 s).
  const auto path = write_log(dir, "log.csv", {{5000, 1, "bank_a", "", 100}, {9000, 1, "bank_b", "GATEWAY_TIMEOUT", 8000}});
  auto log = read_payment_log(path);
  REQUIRE(log.ok());
  REQUIRE(log->payments.size() == 1);
  const PaymentRecord& p = log->payments[0];
  CHECK(p.start_ms == kT0 + 1000);
  CHECK(p.end_ms == kT0 + 9000);
  CHECK(p.latency_ms() == 8000);
  CHECK(p.attempts == 2);
  CHECK(p.succeeded());
  CHECK_FALSE(p.first_succeeded);
  CHECK(log->banks.id(static_cast<std::size_t>(p.first_bank)) == "bank_b");
  CHECK(p.met_soft_failure);
}

TEST_CASE("payments are counted by when they started; a retry across the window's edge stays with its payment") {
  TempDir dir;
  const auto path = write_log(dir, "log.csv",
                              {
                                  // starts at 9.5 s (inside [5 s, 10 s)), retried at 11 s: in the window, 1.7 s long
                                  {9800, 1, "bank_b", "BANK_UNAVAILABLE", 300},
                                  {11200, 1, "bank_a", "", 200},
                                  // starts at 4.9 s (before the window), its retry lands inside: not counted
                                  {5000, 2, "bank_b", "NETWORK_ERROR", 100},
                                  {6200, 2, "bank_a", "", 200},
                                  // a clean payment in the window
                                  {7300, 3, "bank_a", "", 300},
                              });
  auto log = read_payment_log(path);
  REQUIRE(log.ok());
  const PaymentMetrics m = payment_metrics(*log, kT0 + 5000, kT0 + 10000);
  CHECK(m.payments == 2);
  CHECK(m.succeeded == 2);
  CHECK(m.first_attempt_succeeded == 1);
  CHECK(m.attempts == 3);
  CHECK(m.attempts_per_payment() == doctest::Approx(1.5));
  CHECK(m.met_soft_failure == 1);
  // Latencies 300 and 1700: the project's percentile rule takes rank floor(f * n).
  CHECK(m.latency_p50_ms == 1700);
  CHECK(m.latency_p95_ms == 1700);
  REQUIRE(m.banks.size() == 2);
  CHECK(m.banks[0].bank_id == "bank_b");
  CHECK(m.banks[0].attempts == 1);
  CHECK(m.banks[0].soft_failures == 1);
  CHECK(m.banks[0].first_attempts == 1);
  CHECK(m.banks[1].bank_id == "bank_a");
  CHECK(m.banks[1].attempts == 2);
  CHECK(m.banks[1].first_attempts == 1);
}

TEST_CASE("NO_ROUTE rows are payments that failed at once; a row without a transaction id is malformed") {
  TempDir dir;
  const auto path = write_log(dir, "log.csv",
                              {{1000, 1, "", "NO_ROUTE", 0},
                               {1100, 3, "", "NO_ROUTE", 0},  // refused, then routed on a retry
                               {2300, 3, "bank_a", "", 200},
                               {1200, 0, "", "NO_ROUTE", 0},  // no id: not a row of the contract
                               {1300, 2, "bank_a", "", 100}});
  auto log = read_payment_log(path);
  REQUIRE(log.ok());
  CHECK(log->malformed_rows == 1);
  const PaymentMetrics m = payment_metrics(*log, kT0, kT0 + 2000);
  CHECK(m.payments == 3);
  CHECK(m.no_route == 2);
  CHECK(m.succeeded == 2);
  CHECK(m.first_attempt_succeeded == 1);
  CHECK(m.attempts == 4);
  CHECK(m.met_soft_failure == 0);
  REQUIRE(m.banks.size() == 1);  // NO_ROUTE is no bank's attempt
  CHECK(m.banks[0].attempts == 2);
  CHECK(m.banks[0].first_attempts == 1);
}

TEST_CASE("a log that cannot be read is an error that names it") {
  auto log = read_payment_log("/nonexistent/scorecard/log.csv");
  REQUIRE_FALSE(log.ok());
  CHECK(log.error().message.find("/nonexistent/scorecard/log.csv") != std::string::npos);
}

TEST_CASE("gap captured: (agent - baseline) / (oracle - baseline), for higher- and lower-is-better metrics") {
  const MetricGap up = metric_gap("first_attempt_success", "first-attempt success", true, 0.878, 0.705, 0.932);
  REQUIRE(up.captured);
  CHECK(*up.captured == doctest::Approx((0.878 - 0.705) / (0.932 - 0.705)));
  const MetricGap down = metric_gap("latency_p95_ms", "p95", false, 1100, 8300, 800);
  REQUIRE(down.captured);
  CHECK(*down.captured == doctest::Approx(7200.0 / 7500.0));
  // The agent doing worse than the baseline is a negative gap.
  CHECK(*metric_gap("x", "x", false, 9000, 8300, 800).captured < 0);
  // An oracle no better than the baseline leaves no gap to capture: no value, and says why.
  const MetricGap none = metric_gap("first_attempt_success", "first-attempt success", true, 0.9, 0.9, 0.88);
  CHECK_FALSE(none.captured);
  CHECK(none.why_none.find("no better than the baseline") != std::string::npos);
  CHECK_FALSE(metric_gap("latency_p95_ms", "p95", false, 500, 800, 900).captured);
}

TEST_CASE("an oracle edge within chance over the window's payments leaves no gap to judge") {
  // slow_bank, seed 2 (4,500 payments in the window): the oracle 93.5%, the baseline 93.0%. Two
  // standard errors of that difference are 1.06 points, so a 0.5-point edge could be luck.
  const ChanceRoom chance = proportion_chance_room(0.930, 4500, 0.935, 4500);
  CHECK(chance.value == doctest::Approx(2 * std::sqrt((0.930 * 0.070 + 0.935 * 0.065) / 4500)));
  CHECK(chance.payments == 4500);
  const MetricGap luck = metric_gap("first_attempt_success", "first-attempt success", true, 0.931, 0.930, 0.935, chance);
  CHECK_FALSE(luck.captured);
  CHECK(luck.why_none.find("within chance (two standard errors, 1.06 points over 4500 payments)") !=
        std::string::npos);
  // The same values over 100 times the payments are a real edge, judged as usual.
  const MetricGap real = metric_gap("first_attempt_success", "first-attempt success", true, 0.934, 0.930, 0.935,
                                    proportion_chance_room(0.930, 450000, 0.935, 450000));
  REQUIRE(real.captured);
  CHECK(*real.captured == doctest::Approx(0.8));
  // metric_gaps applies it to the proportions: an outage's 20-point edge over 3,000 payments is judged.
  PaymentMetrics base, oracle;
  base.payments = oracle.payments = 3000;
  base.first_attempt_succeeded = 2100, oracle.first_attempt_succeeded = 2700;
  base.succeeded = 2700, oracle.succeeded = 2703;  // eventual: 0.1 point apart, within chance
  base.attempts = oracle.attempts = 4000;
  const auto gaps = metric_gaps(base, base, oracle);
  CHECK(gaps[0].key == "first_attempt_success");
  CHECK(gaps[0].captured);
  const auto eventual = std::find_if(gaps.begin(), gaps.end(), [](const MetricGap& g) { return g.key == "eventual_success"; });
  REQUIRE(eventual != gaps.end());
  CHECK_FALSE(eventual->captured);
  CHECK(eventual->why_none.find("within chance") != std::string::npos);
}

TEST_CASE("an oracle that completes clearly fewer payments than the baseline is no latency reference") {
  const auto metrics = [](std::uint64_t succeeded, std::int64_t p95_ms) {
    PaymentMetrics m;
    m.payments = 1000;
    m.succeeded = succeeded;
    m.first_attempt_succeeded = succeeded / 2;
    m.attempts = 2500;
    m.latency_p50_ms = p95_ms / 2;
    m.latency_p95_ms = p95_ms;
    m.latency_p99_ms = p95_ms * 2;
    return m;
  };
  const PaymentMetrics agent = metrics(920, 11000), baseline = metrics(900, 14400);
  // The oracle at 72.7% eventual success: its 6.3 s p95 ends many payments early by failing them.
  auto gaps = metric_gaps(agent, baseline, metrics(727, 6300));
  const auto gap = [&](const std::string& key) -> const MetricGap& {
    return *std::find_if(gaps.begin(), gaps.end(), [&](const MetricGap& g) { return g.key == key; });
  };
  CHECK_FALSE(gap("latency_p95_ms").captured);
  CHECK(gap("latency_p95_ms").why_none.find("bought with failed payments (its eventual success 72.7% is below the "
                                            "baseline's 90.0%)") != std::string::npos);
  CHECK_FALSE(gap("latency_p50_ms").captured);
  CHECK(gap("first_attempt_success").why_none.find("bought") == std::string::npos);  // only the latency gaps
  // Within 2 points of the baseline's eventual success it is the reference as usual.
  gaps = metric_gaps(agent, baseline, metrics(885, 6300));
  REQUIRE(gap("latency_p95_ms").captured);
  CHECK(*gap("latency_p95_ms").captured == doctest::Approx(3400.0 / 8100.0));
}

namespace {

// An outage of bank_b from 10 s to 30 s in a 40 s run, 10 payments/s. The baseline keeps sending
// bank_b 30% of the first attempts (all fail in the outage); the oracle sends it none; the
// "agent" moves off it after `agent_reacts_s`.
struct OutageLogs {
  TempDir dir;
  std::string baseline, oracle;
  std::string agent(int agent_reacts_s) {
    std::vector<Row> rows;
    int txn = 0;
    for (int s = 0; s < 40; ++s) {
      const bool outage = s >= 10 && s < 30;
      const bool routed_off = outage && s >= 10 + agent_reacts_s;
      for (int i = 0; i < 10; ++i) {
        const std::string bank = i % 4 == 0 && !routed_off ? "bank_b" : "bank_a";
        add_traffic(rows, txn, s * 1000 + i * 100, 1, 100, bank, bank == "bank_b" && outage ? 1 : 0);
      }
    }
    return write_log(dir, fmt::format("agent{}.csv", agent_reacts_s), rows);
  }
  OutageLogs() {
    baseline = agent(100);
    oracle = agent(0);
  }
};

ScoreInputs inputs(const std::string& log, const OutageLogs& logs) {
  ScoreInputs in;
  in.log_path = log;
  in.baseline_log_path = logs.baseline;
  in.oracle_log_path = logs.oracle;
  in.run_start_ms = kT0;
  in.incidents = {*parse_incident("bank_b:outage:10s+20s")};
  in.agent_interval_ms = 1000;
  return in;
}

const Scorecard::Bar* bar(const Scorecard& s, const std::string& key) {
  for (const auto& b : s.bars)
    if (b.key == key) return &b;
  return nullptr;
}

}  // namespace

TEST_CASE("the baseline's own log as the agent's fails the gap bar; the oracle's passes it") {
  OutageLogs logs;
  auto as_baseline = compute_scorecard(inputs(logs.baseline, logs));
  REQUIRE(as_baseline.ok());
  REQUIRE(as_baseline->gap("first_attempt_success"));
  CHECK(*as_baseline->gap("first_attempt_success")->captured == doctest::Approx(0));
  CHECK_FALSE(bar(*as_baseline, "first_attempt_gap")->passed);
  CHECK_FALSE(as_baseline->passed());
  CHECK(as_baseline->verdict() == "FAIL");

  auto as_oracle = compute_scorecard(inputs(logs.oracle, logs));
  REQUIRE(as_oracle.ok());
  CHECK(*as_oracle->gap("first_attempt_success")->captured == doctest::Approx(1));
  CHECK(bar(*as_oracle, "first_attempt_gap")->passed);
  CHECK(bar(*as_oracle, "p95_gap")->passed);
  CHECK(as_oracle->agent.incident.payments == 200);
  CHECK(as_oracle->agent.incident.first_attempt_success() == doctest::Approx(1.0));
  CHECK(as_oracle->baseline.incident.first_attempt_success() == doctest::Approx(0.7));

  // An agent that reacts after 5 s of a 20 s outage captures 75% of the gap.
  auto late = compute_scorecard(inputs(logs.agent(5), logs));
  REQUIRE(late.ok());
  CHECK(*late->gap("first_attempt_success")->captured == doctest::Approx(0.75));
  CHECK_FALSE(bar(*late, "first_attempt_gap")->passed);
}

TEST_CASE("reachable from the log: the late oracle's share of the gap, and the agent's share of the late oracle's") {
  OutageLogs logs;
  // The late oracle moves off bank_b 2 s into the 20 s outage: 90% of the gap. An agent 5 s in
  // captures 75% of the full gap and 15/18 of the late oracle's.
  const std::string late_oracle = logs.agent(2);
  ScoreInputs in = inputs(logs.agent(5), logs);
  in.late_oracle_log_path = late_oracle;
  auto card = compute_scorecard(in);
  REQUIRE(card.ok());
  REQUIRE(card->reachable.size() == 2);
  const ReachableGap& fa = card->reachable[0];
  CHECK(fa.key == "first_attempt_success");
  REQUIRE(fa.late_share);
  CHECK(*fa.late_share == doctest::Approx(0.9));
  REQUIRE(fa.captured);
  CHECK(*fa.captured == doctest::Approx(15.0 / 18.0));
  CHECK(card->late_oracle_lag_ms == 1000);
  // Reported, never a bar: the verdict is the full gap's; a missed bar names both shares.
  CHECK_FALSE(bar(*card, "first_attempt_gap")->passed);
  CHECK(bar(*card, "first_attempt_gap")->detail.ends_with("; the oracle one cycle late reaches 90% of the gap, the agent 83% of that"));
  const std::string text = scorecard_to_text(*card);
  CHECK(text.find("late oracle 97.0% = 90% of the gap; the agent captures 83% of the late oracle's gap") != std::string::npos);
  CHECK(scorecard_to_json(*card)["reachable"]["gaps"][0]["late_share"].get<double>() == doctest::Approx(0.9));
  // Without the late oracle's log nothing is reported.
  auto plain = compute_scorecard(inputs(logs.agent(5), logs));
  REQUIRE(plain.ok());
  CHECK(plain->reachable.empty());
  CHECK(scorecard_to_text(*plain).find("reachable") == std::string::npos);
}

TEST_CASE("a known-short bar is excused only at or above its floor, so an agent that does nothing never passes") {
  OutageLogs logs;
  // The baseline's own log is an agent that does nothing: every markable bar marked, it still fails.
  ScoreInputs in = inputs(logs.baseline, logs);
  in.known_short = {"first_attempt_gap", "p95_gap", "detect", "mitigate", "eventual_floor"};
  auto idle = compute_scorecard(in);
  REQUIRE(idle.ok());
  CHECK_FALSE(bar(*idle, "first_attempt_gap")->known_short);
  CHECK(bar(*idle, "first_attempt_gap")->detail.find("below its floor of 45% of the gap") != std::string::npos);
  CHECK_FALSE(bar(*idle, "detect")->known_short);  // no agent action at all
  CHECK_FALSE(bar(*idle, "mitigate")->known_short);
  CHECK(bar(*idle, "eventual_floor")->floor_met);  // no worse than no agent, trivially
  CHECK_FALSE(idle->passed());
  CHECK(idle->verdict() == "FAIL");
  CHECK(scorecard_to_text(*idle).find("[FAIL] first-attempt success: gap captured") != std::string::npos);

  // Reacting after 5 s of the 20 s outage captures 75%: short of 90%, above the 45% floor.
  in.known_short = {"first_attempt_gap"};
  in.log_path = logs.agent(5);
  auto late = compute_scorecard(in);
  REQUIRE(late.ok());
  CHECK_FALSE(bar(*late, "first_attempt_gap")->passed);
  CHECK(bar(*late, "first_attempt_gap")->known_short);
  CHECK(bar(*late, "first_attempt_gap")->detail.find("within its floor: 45% of the gap") != std::string::npos);
  CHECK(scorecard_to_text(*late).find("[KNOWN-SHORT] first-attempt success: gap captured") != std::string::npos);
  // After 12 s it captures 40%: below the floor, the mark does not excuse it.
  in.log_path = logs.agent(12);
  auto later = compute_scorecard(in);
  REQUIRE(later.ok());
  CHECK(*later->gap("first_attempt_success")->captured == doctest::Approx(0.4));
  CHECK_FALSE(bar(*later, "first_attempt_gap")->known_short);

  in.log_path = logs.oracle;
  auto o = compute_scorecard(in);
  REQUIRE(o.ok());
  CHECK(bar(*o, "first_attempt_gap")->detail.find("the mark can go") != std::string::npos);
}

TEST_CASE("eventual_floor: the reference is the better of the oracle's and the baseline's eventual success") {
  OutageLogs logs;
  // Logs where 1 in `fail_every` payments of the outage fails for good (no retry).
  const auto log = [&](const std::string& name, int fail_every) {
    std::vector<Row> rows;
    for (int t = 0; t < 400; ++t) {
      const bool failed = t >= 100 && t < 300 && t % fail_every == 0;
      rows.push_back({t * 100 + 200, t + 1, "bank_a", failed ? "BANK_UNAVAILABLE" : "", 200});
    }
    return write_log(logs.dir, name, rows);
  };
  ScoreInputs in = inputs(log("agent.csv", 10), logs);  // 90% of the outage's payments succeed
  in.baseline_log_path = log("baseline.csv", 20);        // 95%
  in.oracle_log_path = log("oracle.csv", 4);             // 75%: an oracle that gives payments up
  auto s = compute_scorecard(in);
  REQUIRE(s.ok());
  const Scorecard::Bar* floor = bar(*s, "eventual_floor");
  INFO(floor->detail);
  CHECK_FALSE(floor->passed);  // 90% < 98% of 95%, though above 98% of the oracle's 75%
  CHECK(floor->detail.find("of the baseline's 95.0%, above the oracle's 75.0%") != std::string::npos);
  in.baseline_log_path = log("baseline2.csv", 8);  // 87.5%: now the oracle's 75% and the baseline's are below the agent's
  auto better = compute_scorecard(in);
  REQUIRE(better.ok());
  CHECK(bar(*better, "eventual_floor")->passed);
}

TEST_CASE("the gain bar's known-short floor is half its points; a gap with no room meets its floor") {
  OutageLogs logs;
  ScoreInputs in = inputs(logs.oracle, logs);
  in.incidents.clear();
  in.calm = true;
  in.known_short = {"gain"};
  in.min_first_attempt_gain_points = 20;  // the oracle gains +15 points over the whole run
  auto half = compute_scorecard(in);
  REQUIRE(half.ok());
  CHECK_FALSE(bar(*half, "gain")->passed);
  CHECK(bar(*half, "gain")->known_short);  // +15 >= +10
  in.min_first_attempt_gain_points = 40;
  auto short_of_floor = compute_scorecard(in);
  REQUIRE(short_of_floor.ok());
  CHECK_FALSE(bar(*short_of_floor, "gain")->known_short);  // +15 < +20
  CHECK_FALSE(short_of_floor->passed());

  in = inputs(logs.baseline, logs);
  in.oracle_log_path = logs.baseline;  // an oracle no better than the baseline: nothing to fall short of
  in.known_short = {"first_attempt_gap"};
  auto no_room = compute_scorecard(in);
  REQUIRE(no_room.ok());
  CHECK(bar(*no_room, "first_attempt_gap")->known_short);
}

TEST_CASE("a missing samples file, an empty window and an oracle with no room are failures, never passes") {
  OutageLogs logs;
  ScoreInputs in = inputs(logs.oracle, logs);
  in.samples_path = logs.dir.file("no-such-samples.jsonl");
  auto missing = compute_scorecard(in);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("no-such-samples.jsonl") != std::string::npos);

  in = inputs(logs.oracle, logs);
  in.baseline_log_path = logs.dir.file("no-such-baseline.csv");
  auto no_baseline = compute_scorecard(in);
  REQUIRE_FALSE(no_baseline.ok());
  CHECK(no_baseline.error().message.find("baseline log") != std::string::npos);

  in = inputs(logs.oracle, logs);
  in.incidents = {*parse_incident("bank_b:outage:100s+20s")};  // after the last payment
  auto empty = compute_scorecard(in);
  REQUIRE(empty.ok());
  CHECK_FALSE(bar(*empty, "first_attempt_gap")->passed);
  CHECK(bar(*empty, "first_attempt_gap")->detail.find("no payment started in the incident window") != std::string::npos);
  CHECK_FALSE(empty->passed());

  in = inputs(logs.oracle, logs);
  in.incidents.clear();  // a fault the script does not name (chaos): the gap cannot be judged
  auto unscripted = compute_scorecard(in);
  REQUIRE(unscripted.ok());
  CHECK(bar(*unscripted, "first_attempt_gap")->detail.find("no incident was given") != std::string::npos);
  CHECK(bar(*unscripted, "detect") == nullptr);
  CHECK_FALSE(unscripted->passed());

  in = inputs(logs.oracle, logs);
  in.oracle_log_path = logs.baseline;  // an "oracle" no better than the baseline
  auto no_room = compute_scorecard(in);
  REQUIRE(no_room.ok());
  CHECK_FALSE(bar(*no_room, "first_attempt_gap")->passed);
  CHECK(bar(*no_room, "first_attempt_gap")->detail.find("no better than the baseline") != std::string::npos);
}

TEST_CASE("--calm: false alarms and the whole-run gain over the baseline are the bars") {
  OutageLogs logs;
  ScoreInputs in = inputs(logs.oracle, logs);
  in.incidents.clear();
  in.calm = true;
  auto calm = compute_scorecard(in);
  REQUIRE(calm.ok());
  CHECK(bar(*calm, "first_attempt_gap") == nullptr);
  REQUIRE(bar(*calm, "false_alarms"));
  CHECK(bar(*calm, "false_alarms")->passed);
  CHECK(bar(*calm, "gain")->passed);  // 100% vs 85% of first attempts over the whole run
  CHECK(calm->passed());

  in.history.push_back({kT0 + 5000, "set_health",
                        Json{{"changes", Json::array({Json{{"path", "banks.bank_a.health_status"}, {"before", "healthy"},
                                                           {"after", "degraded"}}})}},
                        "agent", "false alarm", {}, {}, {}, Json::object()});
  in.min_first_attempt_gain_points = 20;
  auto alarmed = compute_scorecard(in);
  REQUIRE(alarmed.ok());
  CHECK_FALSE(bar(*alarmed, "false_alarms")->passed);
  CHECK_FALSE(bar(*alarmed, "gain")->passed);  // +15 points < 20
  CHECK_FALSE(alarmed->passed());
}

namespace {

HistoryEntry change(TimeMs t, const std::string& actor, const std::string& path, Json before, Json after) {
  return {t, "change", Json{{"changes", Json::array({Json{{"path", path}, {"before", before}, {"after", after}}})}},
          actor, "test", {}, {}, {}, Json::object()};
}

}  // namespace

TEST_CASE("the timeline: detect from the first action, mitigate from the shares (never before detect), recover to intent") {
  OutageLogs logs;
  const std::string agent = logs.agent(3);  // traffic leaves bank_b from 13 s
  auto agent_log = read_payment_log(agent);
  auto baseline_log = read_payment_log(logs.baseline);
  REQUIRE(agent_log.ok());
  std::vector<HistoryEntry> history = {
      change(kT0 + 2000, "config-tool", "banks.bank_b.weight", 20, 25),  // the operator's intent: 25
      change(kT0 + 12000, "agent", "banks.bank_b.health_status", "healthy", "down"),
      change(kT0 + 12500, "agent", "banks.bank_b.weight", 25, 0),
      change(kT0 + 33000, "agent", "banks.bank_b.health_status", "down", "healthy"),
      change(kT0 + 36000, "agent", "banks.bank_b.weight", 0, 25),
  };
  TimelineInputs in;
  in.agent_log = &*agent_log;
  in.baseline_log = &*baseline_log;
  in.affected_banks = {"bank_b"};
  in.incident_start_ms = kT0 + 10000;
  in.incident_end_ms = kT0 + 30000;
  in.origin_ms = in.incident_start_ms;
  in.history = &history;
  Timeline t = compute_timeline(in);
  REQUIRE(t.detect_ms);
  CHECK(*t.detect_ms == 2000);
  REQUIRE(t.mitigate_ms);
  CHECK(*t.mitigate_ms == 4000);  // the first whole second without bank_b traffic after the action is 13 s..14 s
  REQUIRE(t.recover_ms);
  CHECK(*t.recover_ms == 6000);  // weight back at 36 s, the incident ended at 30 s

  // The share drops before the agent acts (it was not the agent's doing): mitigate is still >= detect.
  history[1].timestamp = kT0 + 20000;
  history[2].timestamp = kT0 + 20500;
  t = compute_timeline(in);
  CHECK(*t.detect_ms == 10000);
  CHECK(*t.mitigate_ms == 11000);

  // Not back at the operator's weight at the end: no recovery, and says what is off.
  history.pop_back();
  t = compute_timeline(in);
  CHECK_FALSE(t.recover_ms);
  CHECK(t.recover_note.find("bank_b's weight is 0") != std::string::npos);
}

}  // namespace payops
