// agent: flags, signals and output selection only; the cycle lives in lib/agent_cycle.cpp, the
// rules in lib/rules_reasoner.cpp, the report in lib/agent_report.cpp.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "agent_cycle.h"
#include "agent_report.h"
#include "clock.h"
#include "config_store.h"
#include "data_dir.h"
#include "exit_codes.h"
#include "time_util.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

// No SA_RESTART: a signal cuts the sleep (or a blocking read) short, so the daemon finishes the
// cycle in hand and exits at once.
void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int fail(const payops::Error& e) {
  fmt::print(stderr, "agent: {}\n", e.message);
  return payops::exit_code_for(e);
}

int usage(const std::string& message) {
  fmt::print(stderr, "agent: {}\n", message);
  return payops::kExitUsage;
}

std::optional<std::int64_t> duration_flag(const std::string& text) {
  auto v = payops::parse_duration_ms(text);
  if (!v || *v <= 0) return std::nullopt;
  return v;
}

void print_report(const payops::CycleReport& r, bool json) {
  if (json) {
    fmt::print("{}\n", payops::cycle_report_to_json(r).dump());
  } else {
    fmt::print("{}", payops::cycle_report_to_text(r));
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) try {
  using namespace payops;
  CLI::App app{
      "agent: watches transactions.csv and heals routing in shared_config.json.\n"
      "Each cycle observes a short and a long window per bank (read from the end of the log),\n"
      "judges its earlier actions, decides by deterministic rules (circuit breakers, health with\n"
      "hysteresis, bounded reroutes back to the operator's weights, retry policy, chaos safety) and\n"
      "acts under the config lock. Every action is an agent_history entry with its reason.\n"
      "Stateless: cooldowns, timers and pending actions are read back from the config, so cron\n"
      "(`agent once`) and the daemon (`agent run`) decide alike; two overlapping runs never both act.\n\n"
      "Examples:\n"
      "  agent once                                  one cycle now (cron)\n"
      "  agent run --interval 10s                    daemon; Ctrl-C/SIGTERM finish the cycle and exit\n"
      "  simulator --fast --out - | agent run --input - --interval 10s   event time from the rows\n"
      "  agent once --dry-run --json                 decide and print, change nothing\n"
      "  agent report transactions.csv --since 2026-11-22T12:00:00.000Z\n\n"
      "Exit codes: 0 ok, 1 other failure (I/O), 2 usage (also --reasoner llm: not yet implemented),\n"
      "3 config lock held too long by another process, 4 shared_config.json missing or invalid."};
  app.require_subcommand(1);
  app.fallthrough();

  std::string data_dir, short_window = "30s", long_window = "5m", lock_timeout = "5s", cooldown = "120s";
  std::string reasoner = "rules";
  bool json = false, dry_run = false;
  CycleOptions options;
  app.add_option("--data-dir", data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_flag("--json", json, "One JSON object per cycle (observations, reasoning, actions, outcomes)");
  app.add_flag("--dry-run", dry_run, "Decide and print; write nothing");
  app.add_option("--short-window", short_window, "Short observation window (default 30s)");
  app.add_option("--long-window", long_window, "Long observation window (default 5m)");
  app.add_option("--chaos-abort-below", options.rules.chaos_abort_below,
                 "Turn chaos off when the payment success rate falls below this (default 0.85)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--operator-cooldown", cooldown, "Never undo an operator's change younger than this (default 120s)");
  std::string min_dwell = "60s";
  app.add_option("--min-dwell", min_dwell, "Least time between two health verdicts of a bank (default 60s)");
  app.add_option("--lock-timeout", lock_timeout, "How long to wait for the config lock (default 5s)");
  app.add_option("--reasoner", reasoner, "rules (default) or llm")->check(CLI::IsMember({"rules", "llm"}));

  auto* once = app.add_subcommand("once", "Run one cycle now and exit (for cron)");
  std::string interval = "10s", input;
  auto* run = app.add_subcommand("run", "Run cycles every --interval until SIGINT/SIGTERM (or the end of --input)");
  run->add_option("--interval", interval, "Time between cycles (default 10s; event time with --input)");
  run->add_option("--input", input, "Read rows from FILE or - (stdin) instead of the data dir's log");

  std::string report_file, since_text, until_text;
  unsigned threads = 0;
  auto* report = app.add_subcommand("report", "Per-bank statistics over a whole log (or --since/--until)");
  report->add_option("FILE", report_file, "Log file or - for stdin (default: the data dir's transactions.csv)");
  report->add_option("--since", since_text, "Only rows at or after this timestamp");
  report->add_option("--until", until_text, "Only rows before this timestamp");
  report->add_option("--threads", threads, "Scanning threads (default: one per core)");
  bool no_payments = false;
  report->add_flag("--no-payments", no_payments, "Skip retries and payment-level success (faster: per-bank numbers only)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  const DataDir dir = resolve_data_dir(data_dir);

  if (*report) {
    ReportOptions ro;
    ro.path = report_file.empty() ? dir.transactions_csv() : report_file;
    ro.threads = threads;
    ro.payments = !no_payments;
    if (!since_text.empty()) {
      ro.since_ms = parse_timestamp(since_text);
      if (!ro.since_ms) return usage(fmt::format("--since must be a timestamp like 2026-11-22T12:00:00.000Z, got \"{}\"", since_text));
    }
    if (!until_text.empty()) {
      ro.until_ms = parse_timestamp(until_text);
      if (!ro.until_ms) return usage(fmt::format("--until must be a timestamp like 2026-11-22T12:00:00.000Z, got \"{}\"", until_text));
    }
    auto r = build_report(ro);
    if (!r.ok()) {
      fmt::print(stderr, "agent: report: {}\n", r.error().message);
      return kExitFailure;  // a log problem, not a config one
    }
    fmt::print("{}", json ? report_to_json(*r).dump(2) + "\n" : report_to_text(*r));
    return kExitOk;
  }

  if (reasoner == "llm") {
    return usage("--reasoner llm is not yet implemented in this build; use --reasoner rules");
  }
  const auto short_ms = duration_flag(short_window), long_ms = duration_flag(long_window);
  const auto lock_ms = parse_duration_ms(lock_timeout), cooldown_ms = parse_duration_ms(cooldown);
  if (!short_ms) return usage(fmt::format("--short-window must be a positive duration like 30s, got \"{}\"", short_window));
  if (!long_ms) return usage(fmt::format("--long-window must be a positive duration like 5m, got \"{}\"", long_window));
  if (!lock_ms || *lock_ms < 0) return usage(fmt::format("--lock-timeout must be a duration like 5s, got \"{}\"", lock_timeout));
  if (!cooldown_ms || *cooldown_ms < 0) return usage(fmt::format("--operator-cooldown must be a duration like 120s, got \"{}\"", cooldown));
  options.observe.short_window_ms = *short_ms;
  options.observe.long_window_ms = *long_ms;
  options.rules.operator_cooldown_ms = *cooldown_ms;
  const auto dwell_ms = parse_duration_ms(min_dwell);
  if (!dwell_ms || *dwell_ms < 0) return usage(fmt::format("--min-dwell must be a duration like 60s, got \"{}\"", min_dwell));
  options.rules.min_dwell_ms = *dwell_ms;
  options.dry_run = dry_run;
  options.reasoner = reasoner;
  ConfigStoreOptions store_options;
  store_options.lock_timeout_ms = *lock_ms;
  ConfigStore store(dir, store_options);

  // The data dir's log; a log that does not exist yet is an empty one (nothing has happened).
  const std::string log_path = dir.transactions_csv();
  ObserveFn observe_log_fn = [&](TimeMs now) -> Result<Observation> {
    auto obs = observe_log(log_path, now, options.observe);
    if (!obs.ok() && obs.error().kind == Error::Kind::not_found) return observe_rows(RowWindow{}, now, options.observe);
    return obs;
  };

  if (*once) {
    auto r = run_cycle(store, SystemClock::instance(), observe_log_fn, options);
    if (!r.ok()) return fail(r.error());
    print_report(*r, json);
    return kExitOk;
  }

  // run
  const auto interval_ms = duration_flag(interval);
  if (!interval_ms) return usage(fmt::format("--interval must be a positive duration like 10s, got \"{}\"", interval));
  install_signal_handlers();
  // Keep cycles that run back to back (short intervals) from mistaking each other for a rival.
  options.min_cycle_gap_ms = std::min<std::int64_t>(options.min_cycle_gap_ms, *interval_ms / 2);

  if (!input.empty()) {
    int fd = STDIN_FILENO;
    if (input != "-") {
      fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return fail(make_error(fmt::format("cannot open {}: {}", input, std::strerror(errno))));
    }
    int code = kExitOk;
    auto status = run_stream(
        store, fd, *interval_ms, options,
        [&](const Result<CycleReport>& r) {
          if (!r.ok()) {
            code = fail(r.error());
            return r.error().kind != Error::Kind::invalid_config && r.error().kind != Error::Kind::not_found;
          }
          print_report(*r, json);
          return true;
        },
        [] { return g_stop != 0; });
    if (fd != STDIN_FILENO) ::close(fd);
    if (!status.ok()) return fail(status.error());
    return code;
  }

  // The daemon: a failing first cycle (no config, broken config) ends it with that error; later
  // failures (a lock held for a while, a human's broken edit) are reported and the next cycle retries.
  bool first = true;
  Clock& clock = SystemClock::instance();
  while (g_stop == 0) {
    const TimeMs started = clock.now_ms();
    auto r = run_cycle(store, clock, observe_log_fn, options);
    if (!r.ok()) {
      if (first) return fail(r.error());
      fmt::print(stderr, "agent: {} (retrying next cycle)\n", r.error().message);
    } else {
      print_report(*r, json);
    }
    first = false;
    if (g_stop != 0) break;
    clock.sleep_ms(started + *interval_ms - clock.now_ms());
  }
  return kExitOk;
} catch (const std::exception& e) {
  fmt::print(stderr, "agent: unexpected error: {}\n", e.what());
  return payops::kExitFailure;
}
