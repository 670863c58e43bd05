#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

#include "agent/agent_cycle.h"
#include "agent_test_util.h"
#include "contract/csv_appender.h"
#include "contract/csv_format.h"

using namespace payops;
using payops::test::kT0;

namespace {

struct TempDataDir {
  std::filesystem::path path;
  TempDataDir() {
    char tmpl[] = "/tmp/payops_agent_cycle_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDataDir() { std::filesystem::remove_all(path); }
  DataDir dir() const { return DataDir{path.string()}; }
};

void append_rows(const DataDir& dir, TimeMs from, int n, const std::string& bank, bool fail) {
  auto log = CsvAppender::open(dir.transactions_csv());
  REQUIRE(log.ok());
  std::string out;
  for (int i = 0; i < n; ++i) {
    TransactionRow r;
    r.timestamp_ms = from + i * 100;
    r.transaction_id = fmt::format("txn_{:016x}", static_cast<unsigned long long>(from + i) ^ std::hash<std::string>{}(bank));
    r.amount_minor = 1000;
    r.currency = "USD";
    r.bank_id = bank;
    r.bank_name = bank;
    r.status = fail ? TxnStatus::failed : TxnStatus::success;
    r.error_code = fail ? ErrorCode::BANK_UNAVAILABLE : ErrorCode::none;
    r.latency_ms = 120;
    append_csv_row(out, r);
  }
  REQUIRE(log->append(out).ok());
}

ObserveFn log_observer(const DataDir& dir) {
  return [dir](TimeMs now) { return observe_log(dir.transactions_csv(), now, ObserveOptions{}); };
}

}  // namespace

TEST_CASE("a cycle opens a failing bank's breaker under the lock, records why, and writes metrics") {
  TempDataDir tmp;
  ConfigStore store(tmp.dir());
  REQUIRE(store.init(default_config(), false).ok());
  append_rows(tmp.dir(), kT0, 50, "bank_a", false);
  append_rows(tmp.dir(), kT0 + 1000, 8, "bank_b", true);
  ManualClock clock(kT0 + 10'000);
  auto r = run_cycle(store, clock, log_observer(tmp.dir()), CycleOptions{});
  REQUIRE(r.ok());
  CHECK(r->skipped.empty());
  auto config = store.load();
  REQUIRE(config.ok());
  const Bank* b = config->find_bank("bank_b");
  CHECK(b->circuit_breaker.state == BreakerState::open);
  CHECK(b->health_status == Health::degraded);
  CHECK(b->metrics.total_requests == 8);
  CHECK(b->metrics.updated_at == kT0 + 10'000);
  CHECK(b->circuit_breaker.failure_count == 8);
  CHECK(config->find_bank("bank_a")->metrics.success_rate == doctest::Approx(1.0));
  bool found = false;
  for (const HistoryEntry& e : config->agent_history) {
    found |= e.action == "set_circuit_breaker" && e.reason.find("8 consecutive faults") != std::string::npos &&
             e.cycle_id == r->cycle_id && e.outcome == Outcome::pending;
  }
  CHECK(found);

  SUBCASE("a second cycle at the same moment (an overlapping cron run) does nothing") {
    const auto before = config->agent_history.size();
    auto again = run_cycle(store, clock, log_observer(tmp.dir()), CycleOptions{});
    REQUIRE(again.ok());
    CHECK_FALSE(again->skipped.empty());
    CHECK(store.load()->agent_history.size() == before);
  }
  SUBCASE("the breaker timer is read back from the file: half_open 30 s later") {
    clock.advance(31'000);
    auto later = run_cycle(store, clock, log_observer(tmp.dir()), CycleOptions{});
    REQUIRE(later.ok());
    CHECK(store.load()->find_bank("bank_b")->circuit_breaker.state == BreakerState::half_open);
  }
  SUBCASE("a dry run decides but writes nothing") {
    clock.advance(31'000);
    const std::string before = config_to_text(*store.load());
    CycleOptions dry;
    dry.dry_run = true;
    auto d = run_cycle(store, clock, log_observer(tmp.dir()), dry);
    REQUIRE(d.ok());
    CHECK_FALSE(d->actions.empty());
    CHECK(config_to_text(*store.load()) == before);
  }
}

TEST_CASE("a cycle without a config is an invalid-config error naming the problem") {
  TempDataDir tmp;
  ConfigStore store(tmp.dir());
  ManualClock clock(kT0);
  auto r = run_cycle(store, clock, [](TimeMs now) { return observe_rows(RowWindow{}, now, ObserveOptions{}); },
                     CycleOptions{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == Error::Kind::not_found);
}
