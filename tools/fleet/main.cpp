// fleet: flags only; each subcommand is one function in lib/fleet/nats_commands.cpp, over the bridges
// in lib/fleet/nats_log_up.cpp, nats_log_down.cpp, nats_config_sync.cpp and nats_status.cpp (docs/fleet.md).
#include <CLI/CLI.hpp>

#include <exception>

#include <fmt/format.h>
#include <nats/nats.h>

#include "fleet/fleet_names.h"
#include "fleet/nats_commands.h"
#include "platform/exit_codes.h"

static int run_fleet(int argc, char** argv) {
  using namespace payops;
  CLI::App app{
      "fleet: a fleet of payment hosts coordinated through NATS JetStream (docs/fleet.md).\n"
      "Each host keeps its own transactions.csv and shared_config.json; the tools stay unchanged.\n"
      "  log up       follow this host's log and publish each whole row to payops.log.<host>, exactly once\n"
      "               (message id host:offset; resumes from what the stream holds, no local state)\n"
      "  log down     merge the stream into this data dir's transactions.csv (the agent's host)\n"
      "  config publish   the authority: publish each new valid shared_config.json to KV (compare-and-set)\n"
      "  config watch     every other host: install each published version by the contract's locked write\n"
      "  status       rows per host in the stream, replicas, the config's revision\n\n"
      "Examples:\n"
      "  fleet --nats nats://n1:4222,nats://n2:4222 log up --host pay-1 --data-dir /var/lib/payops\n"
      "  fleet log down --data-dir /var/lib/payops-central\n"
      "  fleet config publish --data-dir /var/lib/payops-central\n"
      "  fleet config watch --data-dir /var/lib/payops\n"
      "  fleet status --json\n\n"
      "Exit codes: 0 ok (stopped by SIGINT/SIGTERM), 1 runtime failure (NATS unreachable, a refused log,\n"
      "a second config publisher), 2 usage, 3 config lock held too long, 4 local config missing or invalid."};
  app.require_subcommand(1);
  app.fallthrough();
  FleetFlags f;
  f.nats = default_nats_servers();
  f.host = default_host_id();
  app.add_option("--nats", f.nats, "NATS servers, comma-separated (default: $PAYOPS_NATS_URL, else nats://127.0.0.1:4222)");
  app.add_option("--data-dir", f.data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_option("--replicas", f.replicas, "Copies of the stream and bucket when this creates them (default 3; 1 for a single server)")
      ->check(CLI::Range(1, 5));
  app.add_option("--connect-timeout", f.connect_timeout, "Keep trying to reach the cluster this long at start (default 30s)");
  app.add_flag("--json", f.json, "Machine-readable output: a JSON summary (log, status), JSON lines of events (config)");
  app.add_option("--report-every", f.report_every, "log up/down: print progress this often (default 0s: only at exit)");

  auto* log = app.add_subcommand("log", "The log stream: up (publish a host's log) or down (merge the stream)");
  log->require_subcommand(1);
  auto* up = log->add_subcommand("up", "Publish this host's transactions.csv, row by row, exactly once");
  up->add_option("--host", f.host, "This host's id in the fleet, one subject token (default: the short host name)");
  up->add_flag("--once", f.once, "Publish what the log holds now, then exit");
  up->add_option("--dedup-window", f.dedup_window, "The stream's deduplication window when this creates it (default 10m)");
  auto* down = log->add_subcommand("down", "Merge every host's rows into this data dir's transactions.csv");
  down->add_flag("--once", f.once, "Merge what the stream holds now, then exit");

  auto* config = app.add_subcommand("config", "The config bucket: publish (the authority) or watch (every other host)");
  config->require_subcommand(1);
  auto* publish = config->add_subcommand("publish", "Publish each new valid version of this data dir's shared_config.json");
  auto* watch = config->add_subcommand("watch", "Install each published version into this data dir, by the locked write");
  watch->add_option("--lock-timeout", f.lock_timeout, "How long to wait for the local config lock (default 5s)");
  auto* status = app.add_subcommand("status", "Rows per host in the stream, replicas and the config's revision");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (*status) return fleet_status(f);
  if (*up) return fleet_log_up(f);
  if (*down) return fleet_log_down(f);
  if (*publish) return fleet_config_publish(f);
  if (*watch) return fleet_config_watch(f);
  return kExitUsage;
}

int main(int argc, char** argv) try {
  const int code = run_fleet(argc, argv);  // every NATS object is destroyed when it returns
  nats_CloseAndWait(2000);                 // then the library's threads and globals (no leak reports)
  return code;
} catch (const std::exception& e) {
  fmt::print(stderr, "fleet: unexpected error: {}\n", e.what());
  return payops::kExitFailure;
}
