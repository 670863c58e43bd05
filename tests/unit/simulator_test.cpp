// The run loop in virtual time: reproducibility, valid rows in time order, reloads at the next tick,
// invalid edits that leave traffic flowing, stop requests that leave whole rows.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "platform/clock.h"
#include "contract/csv_parse.h"
#include "app/simulator.h"

using namespace payops;

namespace {

constexpr TimeMs kT0 = 1'800'000'000'000;

// A config source driven by the test: at `switch_at_ms` on `clock`, it reports `next` (or a rejected
// version when next is empty).
class ScriptedSource final : public ConfigSource {
 public:
  ScriptedSource(Config first, Clock& clock) : config_(std::move(first)), clock_(clock) {}
  void script(TimeMs at_ms, std::optional<Config> next) { at_ms_ = at_ms, next_ = std::move(next), armed_ = true; }
  ConfigWatcher::Poll poll() override {
    ++polls;
    if (!armed_ || clock_.now_ms() < at_ms_) return ConfigWatcher::Poll::unchanged;
    armed_ = false;
    if (!next_) {
      error_ = "shared_config.json:3:7: syntax error";
      return ConfigWatcher::Poll::rejected;
    }
    config_ = *next_;
    return ConfigWatcher::Poll::reloaded;
  }
  bool has_config() const override { return true; }
  const Config& current() const override { return config_; }
  const std::string& last_error() const override { return error_; }
  int polls = 0;

 private:
  Config config_;
  Clock& clock_;
  TimeMs at_ms_ = 0;
  std::optional<Config> next_;
  bool armed_ = false;
  std::string error_;
};

struct Captured {
  std::string text;
  std::vector<std::string> lines;  // without the trailing '\n'
  std::size_t writes = 0;
};

Result<SimulationSummary> simulate(SimulatorOptions options, ConfigSource& source, Clock& clock, Captured& out,
                                   const std::function<bool()>& stop = [] { return false; }) {
  options.warning_stream = nullptr;
  const RowSink sink = [&](std::string_view rows) {
    REQUIRE(!rows.empty());
    REQUIRE(rows.back() == '\n');  // whole rows only
    out.text.append(rows);
    ++out.writes;
    return ok_status();
  };
  auto r = run_simulation(options, source, WorldSpec{}, {}, clock, sink, stop);
  std::size_t begin = 0;
  for (std::size_t i = 0; i < out.text.size(); ++i)
    if (out.text[i] == '\n') out.lines.emplace_back(out.text.substr(begin, i - begin)), begin = i + 1;
  return r;
}

}  // namespace

TEST_CASE("--fast: same seed, same bytes; every row valid and in time order") {
  SimulatorOptions o;
  o.fast = true;
  o.count = 20000;
  o.tps = 50;
  o.seed = 99;
  Captured a, b, c;
  ManualClock ca(kT0), cb(kT0), cc(kT0);
  ScriptedSource sa(default_config(), ca), sb(default_config(), cb), sc(default_config(), cc);
  auto ra = simulate(o, sa, ca, a);
  auto rb = simulate(o, sb, cb, b);
  o.seed = 100;
  auto rc = simulate(o, sc, cc, c);
  REQUIRE(ra.ok());
  REQUIRE(rb.ok());
  CHECK(a.text == b.text);
  CHECK(a.text != c.text);
  CHECK(ra->payments == 20000);
  CHECK(ra->rows == a.lines.size());
  CHECK(a.lines.size() > 20000);  // some retries

  TimeMs last = 0;
  std::uint64_t per_bank = 0;
  for (const auto& line : a.lines) {
    RowView row;
    const auto bad = parse_csv_line(line, row);
    REQUIRE_MESSAGE(!bad, line);
    CHECK(row.timestamp_ms >= last);  // one writer: strictly in finish-time order
    last = row.timestamp_ms;
    CHECK(row.timestamp_ms >= kT0);
  }
  for (const auto& bank : ra->banks) per_bank += bank.attempts;
  CHECK(per_bank + ra->no_route == ra->rows);
  CHECK(ra->banks.size() == 4);
  CHECK(a.writes < a.lines.size() / 100);  // batched
}

TEST_CASE("--duration in virtual time bounds the payments' start times") {
  SimulatorOptions o;
  o.fast = true;
  o.duration_ms = 60000;
  o.tps = 10;
  ManualClock clock(kT0);
  ScriptedSource source(default_config(), clock);
  Captured out;
  auto r = simulate(o, source, clock, out);
  REQUIRE(r.ok());
  CHECK(r->payments == 600);
}

TEST_CASE("paced: a config change takes effect at the next tick") {
  SimulatorOptions o;
  o.tps = 200;
  o.duration_ms = 10000;
  o.tick_ms = 100;
  ManualClock clock(kT0);  // paced mode over a manual clock: sleeping advances it
  ScriptedSource source(default_config(), clock);
  Config without_b = default_config();
  without_b.find_bank("bank_b")->enabled = false;
  const TimeMs change_at = kT0 + 5000;
  source.script(change_at, without_b);
  Captured out;
  auto r = simulate(o, source, clock, out);
  REQUIRE(r.ok());
  CHECK(r->reloads == 1);
  std::set<std::string> seen;
  int b_before = 0, b_after = 0;
  for (const auto& line : out.lines) {
    RowView row;
    REQUIRE_FALSE(parse_csv_line(line, row));
    if (!seen.insert(std::string(row.transaction_id)).second) continue;  // first attempts only
    const TimeMs start = row.timestamp_ms - row.latency_ms;
    if (row.bank_id != "bank_b") continue;
    if (start < change_at) ++b_before;
    if (start >= change_at + o.tick_ms) ++b_after;
  }
  CHECK(b_before > 100);
  CHECK(b_after == 0);
}

TEST_CASE("paced: an invalid edit is reported once and traffic continues on the last good config") {
  SimulatorOptions o;
  o.tps = 100;
  o.duration_ms = 4000;
  ManualClock clock(kT0);
  ScriptedSource source(default_config(), clock);
  source.script(kT0 + 1000, std::nullopt);
  std::FILE* warnings = std::tmpfile();
  REQUIRE(warnings);
  Captured out;
  o.warning_stream = warnings;
  const RowSink sink = [&](std::string_view rows) {
    out.text.append(rows);
    return ok_status();
  };
  auto r = run_simulation(o, source, WorldSpec{}, {}, clock, sink, [] { return false; });
  REQUIRE(r.ok());
  CHECK(r->rejected == 1);
  CHECK(r->payments == 400);
  std::rewind(warnings);
  char buf[512] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, warnings);
  std::fclose(warnings);
  const std::string text(buf, n);
  CHECK(text.find("shared_config.json:3:7: syntax error; keeping the last good config") != std::string::npos);
  CHECK(text.find('\n') == text.size() - 1);  // one line
  CHECK(source.polls >= 35);  // polled every 100 ms tick
}

TEST_CASE("a stop request ends the run with whole rows and every started payment written") {
  SimulatorOptions o;
  o.tps = 50;
  ManualClock clock(kT0);
  ScriptedSource source(default_config(), clock);
  Captured out;
  auto r = simulate(o, source, clock, out, [&] { return clock.now_ms() >= kT0 + 3000; });
  REQUIRE(r.ok());
  CHECK(r->stopped);
  CHECK(r->payments == 150);
  CHECK(out.text.back() == '\n');
  std::set<std::string> ids;
  for (const auto& line : out.lines) {
    RowView row;
    REQUIRE_FALSE(parse_csv_line(line, row));
    ids.insert(std::string(row.transaction_id));
  }
  CHECK(ids.size() == 150);
}

TEST_CASE("NO_ROUTE rows when nothing is eligible, counted in the summary") {
  Config c = default_config();
  for (auto& b : c.banks) b.enabled = false;
  c.banks[0].enabled = true;
  c.banks[0].circuit_breaker.state = BreakerState::open;
  c.routing_rules.primary_bank = c.banks[1].id;  // disabled primary: no last resort
  SimulatorOptions o;
  o.fast = true;
  o.count = 10;
  ManualClock clock(kT0);
  ScriptedSource source(c, clock);
  Captured out;
  auto r = simulate(o, source, clock, out);
  REQUIRE(r.ok());
  CHECK(r->no_route == 10);
  REQUIRE(out.lines.size() == 10);
  RowView row;
  REQUIRE_FALSE(parse_csv_line(out.lines[0], row));
  CHECK(row.error_code == ErrorCode::NO_ROUTE);
  CHECK(row.bank_id.empty());
  CHECK(r->to_json()["no_route"] == 10);
}

TEST_CASE("--fast lockstep: at each tick exactly the rows finished by then are written, then the hook, then the config") {
  SimulatorOptions o;
  o.fast = true;
  o.tps = 100;
  o.duration_ms = 6000;
  o.lockstep_every_ms = 1000;
  ManualClock clock(kT0);
  ScriptedSource source(default_config(), clock);
  Config without_b = default_config();
  without_b.find_bank("bank_b")->enabled = false;
  Captured out;
  std::vector<TimeMs> instants;
  std::vector<std::size_t> written_at_tick;  // lines in the log when the hook ran
  const TimeMs change_at = kT0 + 3000;
  o.lockstep_hook = [&](TimeMs instant) {
    instants.push_back(instant);
    CHECK(clock.now_ms() == instant);
    written_at_tick.push_back(static_cast<std::size_t>(std::count(out.text.begin(), out.text.end(), '\n')));
    if (instant == change_at) source.script(instant, without_b);  // what an agent's write looks like
    return ok_status();
  };
  auto r = simulate(o, source, clock, out);
  REQUIRE(r.ok());
  REQUIRE(instants.size() == 6);  // 1 s .. 6 s: none during the drain after the 6 s run
  for (std::size_t i = 0; i < instants.size(); ++i) {
    CHECK(instants[i] == kT0 + 1000 * static_cast<TimeMs>(i + 1));
    // The log at the tick is exactly the final log's rows finished by the instant (ticks stop at the
    // run's end; in-flight rows past it are drained without agent cycles).
    std::size_t finished_by = 0;
    for (const auto& line : out.lines) {
      RowView row;
      REQUIRE_FALSE(parse_csv_line(line, row));
      finished_by += row.timestamp_ms <= instants[i];
    }
    CHECK(written_at_tick[i] == finished_by);
  }
  CHECK(r->lockstep_ticks == instants.size());
  CHECK(r->reloads == 1);
  std::set<std::string> seen;
  int b_before = 0, b_after = 0;
  for (const auto& line : out.lines) {
    RowView row;
    REQUIRE_FALSE(parse_csv_line(line, row));
    if (!seen.insert(std::string(row.transaction_id)).second || row.bank_id != "bank_b") continue;
    (row.timestamp_ms - row.latency_ms < change_at ? b_before : b_after)++;
  }
  CHECK(b_before > 20);
  CHECK(b_after == 0);  // payments started at or after the tick route by the config written in it
}

TEST_CASE("--fast lockstep: a failing hook stops the run with its error") {
  SimulatorOptions o;
  o.fast = true;
  o.tps = 100;
  o.duration_ms = 10000;
  o.lockstep_every_ms = 1000;
  ManualClock clock(kT0);
  ScriptedSource source(default_config(), clock);
  Captured out;
  int calls = 0;
  o.lockstep_hook = [&](TimeMs instant) -> Status {
    ++calls;
    if (instant == kT0 + 3000) return make_error("the tick command exited with status 3");
    return ok_status();
  };
  auto r = simulate(o, source, clock, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("status 3") != std::string::npos);
  CHECK(calls == 3);
}
