// simulator: flags only; the checks and the run are lib/app/simulator_command.cpp, the run loop
// lib/app/simulator.cpp.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "app/cli_parse.h"
#include "app/simulator_command.h"
#include "platform/error_output.h"
#include "platform/exit_codes.h"

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
  SimulatorFlags f;
  SimulatorOptions& options = f.options;
  app.add_option("--data-dir", f.data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_option("--out", f.out, "Append rows to FILE, or - for CSV on stdout (default: the data dir's transactions.csv)");
  app.add_option("--tps", options.tps, "Payments per second (default 5)")->check(between(0.001, 1e7));
  app.add_option("--duration", f.duration, "Stop after this long (30s, 5m, 1h; virtual time with --fast)");
  app.add_option("--count", f.count, "Stop after this many payments")->check(at_least(0));
  app.add_flag("--oracle", options.oracle,
               "Hindsight-perfect routing for drill baselines: route around banks while a scripted --incident affects them");
  app.add_option("--oracle-lag", f.oracle_lag,
                 "With --oracle: learn every incident change this much later (1s: the oracle one agent cycle late)");
  app.add_flag("--fast", options.fast, "Unpaced virtual time: as fast as the machine goes (needs --count or --duration)");
  app.add_option("--start", f.start, "--fast: virtual start time: now (default), -1h (relative), or 2026-11-22T12:00:00.000Z");
  app.add_option("--seed", f.seed, "Random seed (default: from the OS)");
  app.add_option("--world", f.world, "JSON file overriding bank behaviour (format in docs/simulator.md)");
  app.add_option("--incident", f.incidents, "Scripted incident, repeatable (syntax above)");
  app.add_option("--tick-every", f.tick_every, "--fast closed loop: run --tick every this much virtual time (1s)");
  app.add_option("--tick", f.tick, "--fast closed loop: shell command run at each tick, PAYOPS_NOW = the virtual instant");
  app.add_flag("--quiet,-q", f.quiet, "No live status and no text summary");
  app.add_flag("--json", f.json, "Print the summary as JSON (errors too: {\"error\": ..., \"exit_code\": N})");
  add_version_flag(app, "simulator");
  if (auto code = parse_command_line(app, argc, argv, "simulator")) return *code;
  set_json_errors(f.json, f.out == "-" ? stderr : stdout);  // stdout may carry the CSV
  return simulator_command(f);
} catch (const std::exception& e) {
  return payops::report_error("simulator", payops::kExitFailure, e.what());
}
