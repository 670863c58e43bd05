// Specs of the War Room's pure parts: the snapshot built from a config and rows, the sparkline, the
// text and JSON renderers.
#include <doctest/doctest.h>

#include "report/war_room.h"

using namespace payops;

namespace {

constexpr TimeMs kNow = 1'795'000'000'000;  // a whole minute, so buckets are easy to reason about

// Adds `n` attempts on bank at time t: `ok` of them successes, each a new payment.
void add_rows(RowWindow& rows, std::string_view bank, TimeMs t, int n, int ok, std::int64_t latency_ms,
              std::uint64_t& key) {
  for (int i = 0; i < n; ++i) {
    CompactRow r;
    r.timestamp_ms = t;
    r.txn_key = ++key;
    r.latency_ms = latency_ms;
    r.bank = rows.bank_index(bank);
    r.status = i < ok ? TxnStatus::success : TxnStatus::failed;
    r.error_code = i < ok ? ErrorCode::none : ErrorCode::BANK_UNAVAILABLE;
    rows.add(r);
  }
}

HistoryEntry entry(TimeMs t, std::string action, std::string reason, std::optional<Outcome> outcome) {
  HistoryEntry e;
  e.timestamp = t;
  e.action = std::move(action);
  e.actor = "agent";
  e.reason = std::move(reason);
  e.outcome = outcome;
  return e;
}

SnapshotOptions options() {
  SnapshotOptions o;
  o.short_window_ms = 30'000;
  o.spark_bucket_ms = 15'000;
  o.spark_buckets = 4;
  return o;
}

}  // namespace

TEST_CASE("sparkline maps success rates 0..1 to eight levels, a gap to a space") {
  const std::vector<std::optional<double>> v = {0.0, 0.5, 1.0, std::nullopt, 0.8, 1.7};
  CHECK(sparkline(v, true) == "▁▅█ ▇█");
  CHECK(sparkline(v, false) == "_=# *#");
  CHECK(sparkline({}, true).empty());
}

TEST_CASE("a snapshot joins the config's banks with the short window and the sparkline buckets") {
  Config config = default_config();
  Bank& b = *config.find_bank("bank_b");
  b.health_status = Health::down;
  b.circuit_breaker.state = BreakerState::open;
  b.circuit_breaker.opened_at = kNow - 10'000;
  b.circuit_breaker.open_duration_s = 30;
  config.routing_rules.chaos_mode = true;
  config.routing_rules.chaos_failure_rate = 0.3;
  config.routing_rules.chaos_targets = std::vector<std::string>{"bank_c"};
  config.agent_history = {entry(kNow - 20'000, "set_circuit_breaker", "first", Outcome::effective),
                          entry(kNow - 5'000, "update_bank_health", "second", std::nullopt),
                          entry(kNow + 60'000, "set_weights", "from the future", std::nullopt)};

  RowWindow rows;
  std::uint64_t key = 0;
  add_rows(rows, "bank_a", kNow - 50'000, 4, 4, 100, key);  // bucket 0 (older than the short window)
  add_rows(rows, "bank_a", kNow - 20'000, 6, 3, 200, key);  // bucket 2
  add_rows(rows, "bank_b", kNow - 5'000, 2, 0, 900, key);   // bucket 3
  add_rows(rows, "bank_zz", kNow - 1'000, 2, 2, 50, key);   // not in the config

  const StatusSnapshot s = build_snapshot(&config, rows, kNow, options());
  REQUIRE(s.banks.size() == 5);
  CHECK(s.attempts == 10);
  CHECK(s.payments == 10);
  CHECK(s.payments_per_s == doctest::Approx(10.0 / 30.0));
  CHECK(s.payment_success_rate == doctest::Approx(0.5));

  const BankSnapshot& a = s.banks[0];
  CHECK(a.id == "bank_a");
  CHECK(a.name == "Stripe Gateway");
  CHECK(a.weight == 50);
  CHECK(a.attempts == 6);
  CHECK(a.success_rate == doctest::Approx(0.5));
  CHECK(a.p95_latency_ms == 200);
  CHECK(a.actual_share == doctest::Approx(0.6));
  REQUIRE(a.spark.size() == 4);
  CHECK(a.spark[0] == doctest::Approx(1.0));
  CHECK_FALSE(a.spark[1].has_value());
  CHECK(a.spark[2] == doctest::Approx(0.5));
  CHECK_FALSE(a.spark[3].has_value());

  const BankSnapshot& bb = s.banks[1];
  CHECK(bb.health == Health::down);
  CHECK(bb.breaker == BreakerState::open);
  CHECK(bb.configured_share == 0.0);  // down and open: ineligible
  CHECK(bb.spark[3] == doctest::Approx(0.0));

  CHECK(s.banks[4].id == "bank_zz");
  CHECK_FALSE(s.banks[4].in_config);

  CHECK(s.chaos_mode);
  CHECK(s.chaos_targets == std::vector<std::string>{"bank_c"});
  REQUIRE(s.history.size() == 2);  // newest first; the future entry is not shown
  CHECK(s.history[0].reason == "second");
  CHECK(s.history[1].reason == "first");
}

TEST_CASE("without a config the snapshot still shows the banks of the log") {
  RowWindow rows;
  std::uint64_t key = 0;
  add_rows(rows, "bank_a", kNow - 1'000, 3, 3, 100, key);
  const StatusSnapshot s = build_snapshot(nullptr, rows, kNow, options());
  REQUIRE(s.banks.size() == 1);
  CHECK_FALSE(s.banks[0].in_config);
  CHECK(s.banks[0].attempts == 3);
  CHECK(s.history.empty());
}

TEST_CASE("the text view names every bank with its state and escapes what came from files") {
  Config config = default_config();
  Bank& b = *config.find_bank("bank_b");
  b.health_status = Health::down;
  b.circuit_breaker.state = BreakerState::open;
  b.circuit_breaker.opened_at = kNow - 10'000;
  b.circuit_breaker.open_duration_s = 30;
  config.find_bank("bank_c")->circuit_breaker.state = BreakerState::half_open;
  config.find_bank("bank_c")->circuit_breaker.opened_at = kNow - 35'000;
  config.find_bank("bank_d")->name = "Evil\x1b[2J Bank";
  config.agent_history = {entry(kNow - 5'000, "update_bank_health", "bank_b: 80% soft\x1b]0;pwned\x07", Outcome::pending)};
  RowWindow rows;
  std::uint64_t key = 0;
  add_rows(rows, "bank_a", kNow - 2'000, 10, 9, 120, key);
  const StatusSnapshot s = build_snapshot(&config, rows, kNow, options());

  RenderOptions plain;
  plain.unicode = false;
  const std::string text = render_status_text(s, plain);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("Evil\\x1b[2J Bank") != std::string::npos);
  CHECK(text.find("\\x1b]0;pwned\\x07") != std::string::npos);
  CHECK(text.find("open 10s (half-open in 20s)") != std::string::npos);
  CHECK(text.find("half_open 5s") != std::string::npos);
  CHECK(text.find("down") != std::string::npos);
  CHECK(text.find("90.0%") != std::string::npos);  // bank_a's success
  CHECK(text.find("120ms") != std::string::npos);  // bank_a's p95
  CHECK(text.find("chaos: off") != std::string::npos);
  CHECK(text.find("pending") != std::string::npos);
  CHECK(text.find("|   *|") != std::string::npos);  // bank_a's sparkline: only the last bucket

  RenderOptions colored;
  colored.color = true;
  const std::string tty = render_status_text(s, colored);
  CHECK(tty.find("\x1b[31m") != std::string::npos);  // bank_b's line in red
  CHECK(tty.find("▇") != std::string::npos);

  RenderOptions narrow = plain;
  narrow.width = 40;
  const std::string cut = render_status_text(s, narrow);
  for (std::size_t pos = 0, nl; (nl = cut.find('\n', pos)) != std::string::npos; pos = nl + 1)
    CHECK(nl - pos <= 40);  // plain ASCII here: bytes are columns
}

TEST_CASE("the JSON snapshot carries the same numbers under stable names") {
  Config config = default_config();
  config.find_bank("bank_b")->circuit_breaker.state = BreakerState::open;
  config.find_bank("bank_b")->circuit_breaker.opened_at = kNow - 10'000;
  config.agent_history = {entry(kNow - 5'000, "reroute_traffic", "why", Outcome::effective)};
  RowWindow rows;
  std::uint64_t key = 0;
  add_rows(rows, "bank_a", kNow - 2'000, 4, 3, 120, key);
  const Json j = status_to_json(build_snapshot(&config, rows, kNow, options()));
  CHECK(j["now"] == format_timestamp(kNow));
  CHECK(j["payments"] == 4);
  CHECK(j["payment_success_rate"].get<double>() == doctest::Approx(0.75));
  CHECK(j["chaos"]["mode"] == false);
  REQUIRE(j["banks"].size() == 4);
  CHECK(j["banks"][0]["id"] == "bank_a");
  CHECK(j["banks"][0]["success_rate"].get<double>() == doctest::Approx(0.75));
  CHECK(j["banks"][0]["p95_latency_ms"] == 120);
  CHECK(j["banks"][0]["success_rate_buckets"].size() == 4);
  CHECK(j["banks"][1]["success_rate"].is_null());  // no attempts: no rate, not 0
  CHECK(j["banks"][1]["circuit_breaker"]["state"] == "open");
  CHECK(j["banks"][1]["circuit_breaker"]["half_open_in_ms"] == 20'000);
  CHECK(j["agent_history"][0]["outcome"] == "effective");
  CHECK(j["agent_history"][0]["reason"] == "why");
}
