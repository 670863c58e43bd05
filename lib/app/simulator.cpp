// The simulator's run loop (see simulator.h), its statistics and its summary.
#include "app/simulator.h"
#include "app/simulator_pending.h"
#include "app/simulator_row_writer.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include <fmt/format.h>

#include "agent/window_stats.h"
#include "contract/csv_format.h"
#include "routing/payment_flow.h"
#include "routing/payment_gen.h"
#include "platform/progress.h"
#include "platform/terminal.h"

namespace payops {
namespace {

using Label = SimulatorLabel;

struct BankStats {
  BankSummary summary;
  // The project's one latency rule, so the summary's p95 is the one `agent report` prints.
  LatencyHistogram latency;
  // For the live status line: counts at the last status print.
  std::uint64_t shown_attempts = 0;
  std::uint64_t shown_successes = 0;
};

class Run {
 public:
  Run(const SimulatorOptions& options, ConfigSource& config, const WorldSpec& world,
      const std::vector<Incident>& incidents, Clock& clock, const RowSink& sink)
      : options_(options),
        config_(config),
        clock_(clock),
        sink_(sink),
        rng_(options.seed),
        incidents_(incidents),
        flow_(World(world, incidents, clock.now_ms())) {
    labels_.push_back({"", "", kNoStats});  // NO_ROUTE rows: empty bank id and name
  }

  Result<SimulationSummary> run(const std::function<bool()>& stop);

 private:
  static constexpr std::uint32_t kNoStats = std::numeric_limits<std::uint32_t>::max();

  void adopt_config();
  void apply_oracle(TimeMs start_ms);
  void poll_config();
  void start_payment(TimeMs start_ms);
  Status emit(const SimulatorRow& row);
  Status flush_due(TimeMs now, bool force_write);
  Status drain_all();
  Status lockstep_tick(TimeMs instant_ms);
  // The live status line; `progress` (empty: none) goes first.
  void print_status(double wall_now_s, bool finishing, const std::string& progress);
  // "simulator [n/N] 42%" (--count) or "simulator 12/60 s 20%" (--duration, virtual time) for a
  // --fast run with a bound; empty otherwise (a paced run shows its rate only).
  std::string fast_progress(std::uint64_t started, TimeMs now) const {
    if (!options_.fast) return {};
    if (options_.count >= 0) return progress_text("simulator", started, static_cast<std::uint64_t>(options_.count), ProgressUnit::items);
    if (options_.duration_ms >= 0)
      return progress_text("simulator", static_cast<std::uint64_t>(std::max<TimeMs>(0, now - t0_)),
                           static_cast<std::uint64_t>(options_.duration_ms), ProgressUnit::ms);
    return {};
  }
  // Payment k starts at an absolute deadline from the run's start, so pacing never drifts.
  TimeMs deadline(std::uint64_t k) const {
    return t0_ + static_cast<TimeMs>(static_cast<double>(k) * 1000.0 / options_.tps + 0.5);
  }
  void warn(const std::string& text) {
    if (options_.warning_stream) fmt::print(options_.warning_stream, "simulator: warning: {}\n", text);
  }

  const SimulatorOptions& options_;
  ConfigSource& config_;
  Clock& clock_;
  const RowSink& sink_;
  Random rng_;
  const std::vector<Incident>& incidents_;
  // Per bank of the current config: the oracle's tier and failure probability it last planned with.
  std::vector<double> oracle_key_;
  PaymentGenerator generator_;
  PaymentFlow flow_;
  TimeMs t0_ = 0;

  std::deque<Label> labels_;  // grows at the end only: the writer holds pointers to labels
  std::vector<std::uint32_t> label_of_bank_;  // current config's bank index -> label
  std::vector<BankStats> stats_;
  PendingQueue in_flight_;  // slots of pending_ in (finish, generation) order
  std::vector<SimulatorRow> pending_;      // rows in flight, by slot; finished slots are reused
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t seq_ = 0;
  // After labels_ (it points into them, so it goes first). A --fast run without lockstep formats and
  // writes on a second thread; otherwise rows are written before the run goes on.
  SimulatorRowWriter writer_{sink_, options_.flush_bytes,
                             options_.fast && !(options_.lockstep_every_ms > 0 && options_.lockstep_hook)};
  Payment payment_;
  SimulationSummary summary_;
  bool missing_reported_ = false;
  // The status line (on a terminal only): fitted to its width, redrawn in place, erased at the end.
  StatusLine status_line_{options_.status_stream};
  std::uint64_t shown_payments_ = 0;
  double shown_wall_s_ = 0;
};

double wall_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Interns (id, name) pairs so pending rows carry a small index; a reload that keeps names adds none.
void Run::adopt_config() {
  const Config& config = config_.current();
  flow_.set_config(config);
  oracle_key_.clear();  // the next payment re-plans the oracle's routes
  label_of_bank_.clear();
  for (const Bank& bank : config.banks) {
    std::uint32_t found = kNoStats;
    for (std::size_t i = 1; i < labels_.size(); ++i)
      if (labels_[i].bank_id == bank.id && labels_[i].bank_name == bank.name) found = static_cast<std::uint32_t>(i);
    if (found == kNoStats) {
      std::uint32_t stats = kNoStats;
      for (std::size_t i = 0; i < stats_.size(); ++i)
        if (stats_[i].summary.bank_id == bank.id) stats = static_cast<std::uint32_t>(i);
      if (stats == kNoStats) {
        stats = static_cast<std::uint32_t>(stats_.size());
        stats_.emplace_back();
        stats_.back().summary.bank_id = bank.id;
      }
      stats_[stats].summary.bank_name = bank.name;
      found = static_cast<std::uint32_t>(labels_.size());
      labels_.push_back({bank.id, bank.name, stats});
    }
    label_of_bank_.push_back(found);
  }
}

// Keeps traffic flowing whatever happens to the file: a bad or vanished version is reported once and
// the last good config stays in force.
void Run::poll_config() {
  switch (config_.poll()) {
    case ConfigWatcher::Poll::unchanged:
      break;
    case ConfigWatcher::Poll::reloaded:
      missing_reported_ = false;
      ++summary_.reloads;
      adopt_config();
      break;
    case ConfigWatcher::Poll::rejected:
      missing_reported_ = false;
      ++summary_.rejected;
      warn(fmt::format("{}; keeping the last good config, traffic continues", config_.last_error()));
      break;
    case ConfigWatcher::Poll::missing:
      if (!missing_reported_) warn("shared_config.json disappeared; keeping the last good config, traffic continues");
      missing_reported_ = true;
      break;
  }
}

// The oracle's plan: how many first attempts per second each bank gets. Tiers, best first: banks no
// incident affects, banks an incident degrades (errors, latency), banks in an outage; banks the
// operator made unroutable are never used. Each tier is filled by the operator's weights up to
// kOracleHeadroom of each bank's true capacity (room for retries bunching in one second) less the
// retries the plan itself sends there; what no bank can take without overload goes to the unaffected
// and degraded banks by capacity (overload is then unavoidable), and only when nothing else is left
// to the banks in an outage.
constexpr double kOracleHeadroom = 0.88;
enum OracleTier : char { kUnaffected, kDegraded, kOutage, kUnroutable };

// Splits demand (attempts/s) over `banks` by weight, none above its cap; returns what is left.
double fill_by_weight(const std::vector<std::size_t>& banks, const std::vector<double>& weight,
                      const std::vector<double>& cap, std::vector<double>& rate, double demand) {
  std::vector<std::size_t> open = banks;
  while (demand > 1e-9 && !open.empty()) {
    double total = 0;
    for (std::size_t i : open) total += weight[i];
    if (total <= 0) break;
    // Banks whose share would pass their cap take their cap; the rest is split again among the others.
    bool saturated = false;
    for (auto it = open.begin(); it != open.end();) {
      const double room = std::max(0.0, cap[*it] - rate[*it]);
      if (demand * weight[*it] / total >= room) {
        rate[*it] += room, demand -= room, saturated = true;
        it = open.erase(it);
      } else {
        ++it;
      }
    }
    if (saturated) continue;
    for (std::size_t i : open) rate[i] += demand * weight[i] / total;
    demand = 0;
  }
  return demand;
}

// What the oracle knows of one bank right now.
struct OracleBank {
  OracleTier tier = kUnroutable;
  double weight = 0;
  double capacity_per_s = 0;
  double failure_probability = 0;  // a soft failure (then a retry) per attempt
};

// The true chance that an attempt fails softly: baseline and incident errors, an outage, and the
// log-normal latency tail past the gateway's timeout.
double soft_failure_probability(const BankBehavior& b, const IncidentEffect& e) {
  if (e.outage) return 1.0;
  const double median = e.latency_median_ms > 0 ? e.latency_median_ms : b.latency_median_ms;
  const double z = (std::log(static_cast<double>(b.timeout_ms)) - std::log(median)) / std::max(b.latency_sigma, 1e-9);
  const double timeout = 0.5 * std::erfc(z / std::sqrt(2.0));
  return 1.0 - (1.0 - b.soft_failure_rate) * (1.0 - e.extra_error_rate) * (1.0 - timeout);
}

// One round of the plan, each bank's cap lowered by the retries the previous round sends it.
std::vector<double> oracle_plan_once(const std::vector<OracleBank>& banks, double tps,
                                     const std::vector<double>& retries_in) {
  const std::size_t n = banks.size();
  std::vector<double> rate(n, 0), cap(n), weight(n), capacity(n);
  for (std::size_t i = 0; i < n; ++i) {
    cap[i] = std::max(0.0, banks[i].capacity_per_s * kOracleHeadroom - retries_in[i]);
    weight[i] = banks[i].weight;
    capacity[i] = banks[i].capacity_per_s;
  }
  const auto in_tiers = [&](std::initializer_list<OracleTier> tiers) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < n; ++i)
      if (std::find(tiers.begin(), tiers.end(), banks[i].tier) != tiers.end()) out.push_back(i);
    return out;
  };
  double left = fill_by_weight(in_tiers({kUnaffected}), weight, cap, rate, tps);
  left = fill_by_weight(in_tiers({kDegraded}), weight, cap, rate, left);
  if (left <= 1e-9) return rate;
  const auto usable = in_tiers({kUnaffected, kDegraded});
  const std::vector<double> no_cap(n, std::numeric_limits<double>::infinity());
  if (!usable.empty()) fill_by_weight(usable, capacity, no_cap, rate, left);
  else fill_by_weight(in_tiers({kOutage}), weight, no_cap, rate, left);
  return rate;
}

// A bank's soft failures are retried on the plan's other banks by their share (the router's retry
// rule: the next untried eligible bank by weight), so the retries each bank receives follow from the
// plan; a few rounds settle it.
std::vector<double> oracle_plan(const std::vector<OracleBank>& banks, double tps) {
  const std::size_t n = banks.size();
  std::vector<double> retries_in(n, 0), rate;
  for (int round = 0; round < 4; ++round) {
    rate = oracle_plan_once(banks, tps, retries_in);
    double total = 0;
    for (double r : rate) total += r;
    std::fill(retries_in.begin(), retries_in.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double others = total - rate[i];
      if (others <= 0) continue;
      for (std::size_t j = 0; j < n; ++j)
        if (j != i) retries_in[j] += rate[i] * banks[i].failure_probability * rate[j] / others;
    }
  }
  return rate;
}

// Re-binds the flow to a copy of the config whose weights are the oracle's plan (banks it does not use
// marked down), only when the incidents' effects change (a few times per run), so the hot path stays
// allocation-free.
void Run::apply_oracle(TimeMs start_ms) {
  const Config& config = config_.current();
  const std::size_t n = config.banks.size();
  std::vector<OracleBank> banks(n);
  std::vector<double> key(2 * n, kUnroutable);  // (tier, failure probability) per bank
  for (std::size_t i = 0; i < n; ++i) {
    const Bank& bank = config.banks[i];
    if (!is_routable(bank)) continue;
    const IncidentEffect e = incident_effect(incidents_, bank.id, start_ms - t0_ - options_.oracle_lag_ms);
    const BankBehavior& behavior = flow_.world().behavior(static_cast<std::int32_t>(i));
    const OracleTier tier = e.outage ? kOutage : e.extra_error_rate > 0 || e.latency_median_ms > 0 ? kDegraded : kUnaffected;
    banks[i] = {tier, static_cast<double>(bank.weight), behavior.capacity_per_s, soft_failure_probability(behavior, e)};
    key[2 * i] = tier;
    key[2 * i + 1] = banks[i].failure_probability;
  }
  if (key == oracle_key_) return;
  oracle_key_ = key;
  const std::vector<double> rate = oracle_plan(banks, options_.tps);
  if (std::all_of(rate.begin(), rate.end(), [](double r) { return r <= 0; })) {
    flow_.set_config(config);  // nothing routable: leave the operator's config as it is
    return;
  }
  Config routed = config;
  for (std::size_t i = 0; i < n; ++i) {
    // Weights are integers: hundredths of an attempt per second keep the plan's proportions.
    routed.banks[i].weight = rate[i] > 0 ? std::max<std::int64_t>(1, std::llround(rate[i] * 100)) : 0;
    if (rate[i] <= 0) routed.banks[i].health_status = Health::down;
  }
  flow_.set_config(routed);
}

void Run::start_payment(TimeMs start_ms) {
  if (options_.oracle) apply_oracle(start_ms);
  generator_.next(rng_, payment_);
  const auto attempts = flow_.run(payment_, start_ms, rng_);
  ++summary_.payments;
  if (flow_.succeeded()) ++summary_.payments_succeeded;
  for (const AttemptRecord& a : attempts) {
    SimulatorRow row;
    row.finish_ms = a.finish_ms;
    row.amount_minor = payment_.amount_minor;
    row.latency_ms = a.latency_ms;
    row.currency = payment_.currency;
    row.label = &labels_[a.bank_index < 0 ? 0 : label_of_bank_[static_cast<std::size_t>(a.bank_index)]];
    row.message = a.message;
    std::copy(std::begin(payment_.transaction_id), std::end(payment_.transaction_id), row.transaction_id);
    row.method = payment_.method;
    row.code = a.code;
    std::uint32_t slot;
    if (free_slots_.empty()) {
      slot = static_cast<std::uint32_t>(pending_.size());
      pending_.push_back(row);
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
      pending_[slot] = row;
    }
    in_flight_.push(row.finish_ms, seq_++, slot);

    if (a.bank_index < 0) {
      ++summary_.no_route;
      continue;
    }
    BankStats& s = stats_[row.label->stats];
    ++s.summary.attempts;
    if (a.attempt > 0) ++s.summary.retries;
    switch (kind_of(a.code)) {
      case ErrorKind::none: ++s.summary.successes; break;
      case ErrorKind::soft: ++s.summary.soft_failures; break;
      case ErrorKind::hard: ++s.summary.hard_declines; break;
      case ErrorKind::routing: break;
    }
    s.latency.add(a.latency_ms);
  }
}

Status Run::emit(const SimulatorRow& row) {
  ++summary_.rows;
  summary_.last_finish_ms = std::max(summary_.last_finish_ms, row.finish_ms);
  return writer_.add(row);
}

// Moves the rows whose finish time has passed to the writer, which writes whenever it holds a write's
// worth; force_write: everything is written before this returns (paced mode writes every tick so
// readers see rows promptly).
Status Run::flush_due(TimeMs now, bool force_write) {
  std::uint32_t slot;
  while (in_flight_.pop_due(now, slot)) {
    const Status status = emit(pending_[slot]);
    free_slots_.push_back(slot);
    if (!status.ok()) return status;
  }
  return force_write ? writer_.flush() : ok_status();
}

Status Run::drain_all() { return flush_due(std::numeric_limits<TimeMs>::max(), true); }

// The outside process must see exactly the rows finished by the instant, and traffic after it must
// see whatever the process wrote: flush (forced), run the hook, then poll the config.
Status Run::lockstep_tick(TimeMs instant_ms) {
  if (auto s = flush_due(instant_ms, true); !s.ok()) return s;
  ++summary_.lockstep_ticks;
  if (auto s = options_.lockstep_hook(instant_ms); !s.ok()) return s;
  poll_config();
  return ok_status();
}

void Run::print_status(double wall_now_s, bool finishing, const std::string& progress) {
  const double dt = wall_now_s - shown_wall_s_;
  if (dt <= 0) return;
  std::string line = progress.empty() ? std::string() : progress + "  ";
  line += fmt::format("{:.1f} payments/s", static_cast<double>(summary_.payments - shown_payments_) / dt);
  std::uint64_t interval_attempts = 0;
  for (const auto& s : stats_) interval_attempts += s.summary.attempts - s.shown_attempts;
  for (auto& s : stats_) {
    const std::uint64_t a = s.summary.attempts - s.shown_attempts;
    const std::uint64_t ok = s.summary.successes - s.shown_successes;
    if (a == 0) continue;
    line += fmt::format("  {} {:.0f}% ok {:.1f}%", s.summary.bank_id,
                        100.0 * static_cast<double>(a) / static_cast<double>(interval_attempts),
                        100.0 * static_cast<double>(ok) / static_cast<double>(a));
    s.shown_attempts = s.summary.attempts;
    s.shown_successes = s.summary.successes;
  }
  if (summary_.no_route) line += fmt::format("  NO_ROUTE {}", summary_.no_route);
  line += fmt::format("  reloads {}", summary_.reloads);
  if (finishing) line += fmt::format("  (all payments started, waiting for in-flight rows: {})", in_flight_.size());
  status_line_.show(line);  // escapes the bank ids, fits the line to the terminal's width
  shown_payments_ = summary_.payments;
  shown_wall_s_ = wall_now_s;
}

Result<SimulationSummary> Run::run(const std::function<bool()>& stop) {
  const double wall_start = wall_seconds();
  shown_wall_s_ = wall_start;
  t0_ = clock_.now_ms();
  summary_.first_start_ms = t0_;
  adopt_config();

  const auto count_limit = options_.count < 0 ? std::numeric_limits<std::uint64_t>::max()
                                              : static_cast<std::uint64_t>(options_.count);
  const TimeMs end_ms = options_.duration_ms < 0 ? std::numeric_limits<TimeMs>::max() : t0_ + options_.duration_ms;
  std::uint64_t k = 0;  // payments started
  TimeMs next_start = deadline(0);  // deadline(k), cached: it is read several times per loop
  TimeMs next_poll_ms = t0_ + options_.tick_ms;
  const std::uint64_t poll_every = std::max<std::uint64_t>(options_.fast_poll_every, 1);
  std::uint64_t next_poll_k = poll_every;  // --fast: the config is polled before this payment
  // A fast run shows its progress from 0.2 s on (it may be over within a second); a paced one after 1 s.
  double next_status_s = wall_start + (options_.fast ? 0.2 : 1.0);
  const auto generating = [&] { return k < count_limit && next_start < end_ms; };
  const bool lockstep = options_.fast && options_.lockstep_every_ms > 0 && options_.lockstep_hook;
  TimeMs next_lockstep_ms = lockstep ? t0_ + options_.lockstep_every_ms : std::numeric_limits<TimeMs>::max();
  // Ticks stop at the run's end: the drain of in-flight attempts that follows carries no new traffic,
  // only the slowest attempts (timeouts) finishing, which no real bank's log looks like; an agent
  // cycle over it would judge a healthy bank by its tail alone.
  const auto ticking = [&] { return lockstep && k < count_limit && next_lockstep_ms <= end_ms; };

  while (true) {
    if (stop()) {
      summary_.stopped = true;
      break;
    }
    const TimeMs now = clock_.now_ms();
    if (ticking() && now >= next_lockstep_ms) {  // before the payments that start at this very instant
      if (auto s = lockstep_tick(next_lockstep_ms); !s.ok()) {
        if (stop()) continue;  // the signal reached the hook's process too: a stop, not a failure
        return s.error();
      }
      next_lockstep_ms += options_.lockstep_every_ms;
    }
    if (!options_.fast && now >= next_poll_ms) {
      poll_config();
      next_poll_ms = now + options_.tick_ms;
    }
    // Payments whose start time has come (paced mode catches up after a late wake-up).
    while (generating() && next_start <= now) {
      if (options_.fast && k == next_poll_k) {  // every fast_poll_every payments, no division per payment
        poll_config();
        next_poll_k += poll_every;
      }
      start_payment(next_start);
      next_start = deadline(++k);
      if (options_.fast && (k & 1023) == 0 && stop()) break;
    }
    if (auto s = flush_due(now, !options_.fast); !s.ok()) return s.error();

    if (status_line_.active() && (!options_.fast || (k & 1023) == 0)) {
      const double w = wall_seconds();
      if (w >= next_status_s) {
        print_status(w, !generating(), fast_progress(k, now));
        // A fast run is over in seconds: its progress moves 5 times a second (at most ~10 redraws/s).
        next_status_s = w + (options_.fast ? 0.2 : 1.0);
      }
    }
    const bool in_flight = !in_flight_.empty();
    if (!generating() && (!in_flight || (options_.fast && !lockstep) || !options_.wait_for_in_flight)) break;

    // Sleep until the next thing happens: a payment start, a row coming due, a tick.
    TimeMs next = generating() ? next_start : std::numeric_limits<TimeMs>::max();
    // A --fast run without lockstep wakes for payment starts only: rows come out in (finish, seq)
    // order whenever they are released, so waking for each one's finish would write the same bytes.
    if (in_flight && (!options_.fast || lockstep)) next = std::min(next, in_flight_.earliest());
    if (!options_.fast) next = std::min(next, next_poll_ms);
    if (ticking()) next = std::min(next, next_lockstep_ms);
    clock_.sleep_ms(std::max<TimeMs>(next - now, options_.fast ? 0 : 1));
  }
  if (auto s = drain_all(); !s.ok()) return s.error();
  status_line_.erase();

  summary_.wall_seconds = wall_seconds() - wall_start;
  for (const BankStats& s : stats_) {
    BankSummary b = s.summary;
    b.p95_latency_ms = s.latency.percentile(0.95);
    summary_.banks.push_back(std::move(b));
  }
  return summary_;
}

}  // namespace

std::string SimulationSummary::to_text() const {
  std::string out = fmt::format(
      "{} payments ({} succeeded, {} NO_ROUTE), {} rows in {:.2f} s ({:.0f} rows/s){}; {} config reloads, "
      "{} invalid versions skipped\n",
      payments, payments_succeeded, no_route, rows, wall_seconds,
      wall_seconds > 0 ? static_cast<double>(rows) / wall_seconds : 0.0, stopped ? ", stopped by signal" : "",
      reloads, rejected);
  Table table({"bank", "name", "attempts", "success", "soft", "hard", "retries", "p95 ms"});
  for (std::size_t c = 2; c < 8; ++c) table.align_right(c);
  for (const BankSummary& b : banks) {
    table.add_row({escape_for_terminal(b.bank_id), escape_for_terminal(b.bank_name), std::to_string(b.attempts),
                   format_percent(b.success_rate()), std::to_string(b.soft_failures), std::to_string(b.hard_declines),
                   std::to_string(b.retries), std::to_string(b.p95_latency_ms)});
  }
  return out + table.render();
}

Json SimulationSummary::to_json() const {
  Json banks_json = Json::array();
  for (const BankSummary& b : banks) {
    banks_json.push_back({{"bank_id", b.bank_id},
                          {"bank_name", b.bank_name},
                          {"attempts", b.attempts},
                          {"successes", b.successes},
                          {"success_rate", b.success_rate()},
                          {"soft_failures", b.soft_failures},
                          {"hard_declines", b.hard_declines},
                          {"retries", b.retries},
                          {"p95_latency_ms", b.p95_latency_ms}});
  }
  return Json{{"payments", payments},
              {"payments_succeeded", payments_succeeded},
              {"rows", rows},
              {"no_route", no_route},
              {"config_reloads", reloads},
              {"config_rejected", rejected},
              {"lockstep_ticks", lockstep_ticks},
              {"start", format_timestamp(first_start_ms)},
              {"last_row", rows ? Json(format_timestamp(last_finish_ms)) : Json()},  // null: no row written
              {"wall_seconds", wall_seconds},
              {"stopped_by_signal", stopped},
              {"banks", std::move(banks_json)}};
}

Result<SimulationSummary> run_simulation(const SimulatorOptions& options, ConfigSource& config,
                                         const WorldSpec& world, const std::vector<Incident>& incidents,
                                         Clock& clock, const RowSink& sink, const std::function<bool()>& stop) {
  Run run(options, config, world, incidents, clock, sink);
  return run.run(stop);
}

}  // namespace payops
