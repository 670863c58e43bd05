// simulator: flags, signals and output selection only; the run loop is lib/simulator.cpp.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>

#include <fmt/format.h>
#include <unistd.h>

#include "platform/clock.h"
#include "contract/csv_appender.h"
#include "contract/data_dir.h"
#include "platform/exit_codes.h"
#include "platform/random.h"
#include "app/simulator.h"
#include "platform/terminal.h"
#include "platform/stop_signal.h"
#include "platform/tick_command.h"
#include "platform/time_util.h"
#include "routing/world.h"

namespace {


// "now", "now-1h" / "-1h" (relative to now), or a contract timestamp.
std::optional<payops::TimeMs> parse_start(const std::string& text, payops::TimeMs now) {
  if (text.empty() || text == "now") return now;
  std::string_view rest = text;
  if (rest.starts_with("now")) rest.remove_prefix(3);
  if (rest.starts_with("-")) {
    const auto back = payops::parse_duration_ms(rest.substr(1));
    if (!back) return std::nullopt;
    return now - *back;
  }
  return payops::parse_timestamp(text);
}

}  // namespace

int main(int argc, char** argv) try {
  using namespace payops;
  CLI::App app{
      "simulator: realistic payment traffic through the live shared_config.json, appended to\n"
      "transactions.csv one row per attempt. Routing follows the config (weights, enabled, health,\n"
      "circuit breakers, retry policies, chaos); the banks' real behaviour comes from a built-in world\n"
      "(bank_a fast and reliable ... bank_d slow with a long tail), changed with --world and --incident.\n"
      "Config edits take effect within one tick (100 ms); an invalid edit is reported once and the last\n"
      "good config keeps traffic flowing.\n\n"
      "Examples:\n"
      "  simulator                                  5 payments/s until Ctrl-C, then a summary\n"
      "  simulator --tps 200 --duration 5m\n"
      "  simulator --fast --duration 1h --start -1h the last hour of traffic, generated in seconds\n"
      "  simulator --fast --count 100000 --seed 7 --start 2026-11-22T12:00:00.000Z --out -\n"
      "  simulator --incident bank_b:outage:60s+120s --incident bank_c:latency=4000ms:30s+90s\n\n"
      "Incidents: BANK:KIND[=VALUE]:START[+DURATION], START from the run's start, DURATION omitted =\n"
      "until the end; BANK may be * for every bank; durations take ms, s, m, h.\n"
      "  bank_b:outage:60s+120s          every attempt fails softly (503s, resets, timeouts)\n"
      "  bank_c:latency=4000ms:30s+90s   median latency 4000 ms; the tail hits the 8 s gateway timeout\n"
      "  bank_a:flap=20s:0s+300s         down 20 s, up 20 s, ... for 5 minutes (starts down)\n"
      "  bank_d:errors=0.4:10s+60s       an extra 40% of attempts fail softly\n"
      "Injected failures (incidents and routing_rules.chaos_*) look exactly like real soft failures.\n\n"
      "Reproducible output: --fast with the same --seed, --start and config gives identical bytes.\n\n"
      "Closed loop in virtual time (--fast --tick-every DUR --tick CMD): at every DUR of virtual time\n"
      "the rows finished by then are appended to the log, CMD runs through /bin/sh -c with PAYOPS_NOW\n"
      "set to that instant (2026-11-22T12:00:01.000Z) and is waited for, and shared_config.json is\n"
      "re-read if it changed, so payments started after the tick route by what CMD wrote. The run then\n"
      "waits, in virtual time, for in-flight payments, ticking on. A failing CMD stops the run (exit 1,\n"
      "its status and the virtual time reported). One simplification: the retries of a payment started\n"
      "before a tick were planned with the config of its start. The same seed gives the same bytes.\n"
      "  simulator --fast --start 2026-11-22T12:00:00.000Z --duration 40s --tps 150 --seed 7 \\\n"
      "    --incident bank_b:outage:8s+20s --tick-every 1s --tick 'agent once --now \"$PAYOPS_NOW\"'\n\n"
      "Exit codes: 0 ok (also after Ctrl-C/SIGTERM: rows flushed, summary printed), 1 I/O failure,\n"
      "2 usage, 4 shared_config.json missing or invalid at start (run `config-tool init`)."};
  std::string data_dir, out, start_text, duration_text, world_path;
  std::vector<std::string> incident_specs;
  SimulatorOptions options;
  std::int64_t count = -1;
  std::optional<std::uint64_t> seed;
  bool quiet = false, json = false;
  app.add_option("--data-dir", data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_option("--out", out, "Append rows to FILE, or - for CSV on stdout (default: the data dir's transactions.csv)");
  app.add_option("--tps", options.tps, "Payments per second (default 5)")->check(CLI::Range(0.001, 1e7));
  app.add_option("--duration", duration_text, "Stop after this long (30s, 5m, 1h; virtual time with --fast)");
  app.add_option("--count", count, "Stop after this many payments")->check(CLI::NonNegativeNumber);
  app.add_flag("--oracle", options.oracle,
               "Hindsight-perfect routing for drill baselines: route around banks while a scripted --incident affects them");
  app.add_flag("--fast", options.fast, "Unpaced virtual time: as fast as the machine goes (needs --count or --duration)");
  app.add_option("--start", start_text, "--fast: virtual start time: now (default), -1h (relative), or 2026-11-22T12:00:00.000Z");
  app.add_option("--seed", seed, "Random seed (default: from the OS)");
  app.add_option("--world", world_path, "JSON file overriding bank behaviour (format in docs/simulator.md)");
  app.add_option("--incident", incident_specs, "Scripted incident, repeatable (syntax above)");
  std::string tick_every_text, tick_command;
  app.add_option("--tick-every", tick_every_text, "--fast closed loop: run --tick every this much virtual time (1s)");
  app.add_option("--tick", tick_command, "--fast closed loop: shell command run at each tick, PAYOPS_NOW = the virtual instant");
  app.add_flag("--quiet", quiet, "No live status and no text summary");
  app.add_flag("--json", json, "Print the summary as JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  const auto usage = [](const std::string& message) {
    fmt::print(stderr, "simulator: {}\n", message);
    return kExitUsage;
  };
  if (!duration_text.empty()) {
    const auto d = parse_duration_ms(duration_text);
    if (!d || *d < 0) return usage(fmt::format("--duration \"{}\" is not a duration like 30s, 5m or 1h", duration_text));
    options.duration_ms = *d;
  }
  options.count = count;
  if (options.fast && options.count < 0 && options.duration_ms < 0)
    return usage("--fast needs --count or --duration (unpaced, it would otherwise fill the disk)");
  if (!options.fast && !start_text.empty()) return usage("--start only applies to --fast (paced mode runs on the real clock)");
  if (tick_every_text.empty() != tick_command.empty())
    return usage("--tick-every and --tick go together: how often, and what to run");
  if (!tick_command.empty()) {
    if (!options.fast) return usage("--tick needs --fast (a closed loop in virtual time; paced mode runs beside a real agent)");
    if (out == "-") return usage("--tick cannot be used with --out -: the tick command could not read rows sent to stdout");
    const auto every = parse_duration_ms(tick_every_text);
    if (!every || *every <= 0) return usage(fmt::format("--tick-every \"{}\" is not a positive duration like 1s or 500ms", tick_every_text));
    options.lockstep_every_ms = *every;
    options.lockstep_hook = [&tick_command](TimeMs instant_ms) { return run_tick_command(tick_command, instant_ms); };
  }
  std::vector<Incident> incidents;
  for (const auto& spec : incident_specs) {
    auto inc = parse_incident(spec);
    if (!inc) return usage(inc.error().message);
    incidents.push_back(std::move(*inc));
  }
  WorldSpec world;
  if (!world_path.empty()) {
    auto w = load_world_file(world_path);
    if (!w) return usage(w.error().message);
    world = std::move(*w);
  }
  const TimeMs now = SystemClock::instance().now_ms();
  const auto start = parse_start(start_text, now);
  if (!start) return usage(fmt::format("--start \"{}\" is not now, -DURATION or a timestamp like 2026-11-22T12:00:00.000Z", start_text));
  options.seed = seed ? *seed : Random::os_seed();

  const DataDir dir = resolve_data_dir(data_dir);
  WatcherConfigSource config(dir.config_json());
  switch (config.poll()) {
    case ConfigWatcher::Poll::reloaded:
      break;
    case ConfigWatcher::Poll::missing:
      fmt::print(stderr, "simulator: no config at {}: run `config-tool init --data-dir {}` first\n", dir.config_json(), dir.dir);
      return kExitInvalidConfig;
    default:
      fmt::print(stderr, "simulator: {}\nsimulator: fix the file, or recreate it with `config-tool init --force`\n",
                 config.last_error());
      return kExitInvalidConfig;
  }

  const bool to_stdout = out == "-";
  auto appender = to_stdout ? Result<CsvAppender>(CsvAppender::for_stream(STDOUT_FILENO, true))
                            : CsvAppender::open(out.empty() ? dir.transactions_csv() : out);
  if (!appender) {
    fmt::print(stderr, "simulator: {}\n", appender.error().message);
    return kExitFailure;
  }
  std::FILE* report = to_stdout ? stderr : stdout;  // stdout may carry the CSV
  if (!quiet && is_terminal(stderr)) options.status_stream = stderr;

  install_stop_handlers();
  ManualClock virtual_clock(*start);
  Clock& clock = options.fast ? static_cast<Clock&>(virtual_clock) : SystemClock::instance();
  const RowSink sink = [&](std::string_view rows) { return appender->append(rows); };
  auto summary = run_simulation(options, config, world, incidents, clock, sink, [] { return stop_requested(); });
  if (!summary) {
    fmt::print(stderr, "simulator: {}\n", summary.error().message);
    return kExitFailure;
  }
  if (json) {
    fmt::print(report, "{}\n", summary->to_json().dump(2));
  } else if (!quiet) {
    fmt::print(report, "{}", summary->to_text());
  }
  return kExitOk;
} catch (const std::exception& e) {
  std::fprintf(stderr, "simulator: %s\n", e.what());
  return payops::kExitFailure;
}
