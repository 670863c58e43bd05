// fleet: flags, signals and output only; the bridges live in lib/nats_log_up.cpp,
// lib/nats_log_down.cpp, lib/nats_config_sync.cpp and lib/nats_status.cpp (docs/fleet.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "contract/data_dir.h"
#include "platform/exit_codes.h"
#include "fleet/fleet_names.h"
#include "fleet/nats_client.h"
#include "fleet/nats_config_sync.h"
#include "fleet/nats_log_down.h"
#include "fleet/nats_log_up.h"
#include "fleet/nats_status.h"
#include "platform/stop_signal.h"
#include "platform/time_util.h"

namespace {

using namespace payops;

int fail(const Error& e) {
  fmt::print(stderr, "fleet: {}\n", e.message);
  return exit_code_for(e);
}

int usage(const std::string& message) {
  fmt::print(stderr, "fleet: {}\n", message);
  return kExitUsage;
}

bool should_stop() { return stop_requested(); }

nlohmann::json up_stats_json(const LogUpStats& s, const std::string& host) {
  return {{"host", host},          {"resumed_from_offset", s.resumed_from_offset}, {"offset", s.offset},
          {"published", s.published}, {"duplicates", s.duplicates},             {"resent_batches", s.resent_batches},
          {"rows_read", s.summary.rows}, {"malformed", s.summary.malformed},     {"first_malformed", s.summary.describe()}};
}

nlohmann::json down_stats_json(const LogDownStats& s) {
  return {{"resumed_after_seq", s.resumed_after_seq}, {"committed_seq", s.committed_seq}, {"written", s.written},
          {"written_per_host", s.written_per_host},   {"malformed", s.malformed},         {"first_malformed", s.first_malformed},
          {"late", s.late},                           {"max_late_ms", s.max_late_ms},     {"note", s.note}};
}

void print_event(const ConfigEvent& e, bool json) {
  if (json) {
    nlohmann::json j = {{"event", e.kind}, {"revision", e.revision}, {"message", e.message}};
    if (e.latency_ms >= 0) j["latency_ms"] = e.latency_ms;
    fmt::print("{}\n", j.dump());
    std::fflush(stdout);
  } else {
    fmt::print(stderr, "fleet: {}{}\n", e.message, e.latency_ms >= 0 ? fmt::format(" ({} ms after it was stored)", e.latency_ms) : "");
  }
}


int log_up(NatsSession& session, const LogUpOptions& o, bool json) {
  bool resumed = false;
  auto progress = [&](const LogUpStats& s) {
    if (!resumed) {
      fmt::print(stderr, "fleet: log up {}: following {} from byte {}\n", o.host, o.dir.transactions_csv(), s.offset);
    } else {
      fmt::print(stderr, "fleet: log up {}\n", up_stats_json(s, o.host).dump());
    }
    resumed = true;
  };
  auto r = run_log_up(session, o, should_stop, progress);
  if (!r.ok()) return fail(r.error());
  fmt::print("{}\n", json ? up_stats_json(*r, o.host).dump()
                          : fmt::format("log up {}: {} rows published, {} duplicates dropped, {} batches resent, resumed "
                                        "at byte {}{}{}",
                                        o.host, r->published, r->duplicates, r->resent_batches, r->resumed_from_offset,
                                        r->summary.malformed ? "; " : "", r->summary.describe()));
  return kExitOk;
}

int log_down(NatsSession& session, const LogDownOptions& o, bool json) {
  bool resumed = false;
  auto progress = [&](const LogDownStats& s) {
    if (!resumed) {
      if (!s.note.empty()) fmt::print(stderr, "fleet: {}\n", s.note);
      fmt::print(stderr, "fleet: log down: merging into {} after stream sequence {}\n", o.dir.transactions_csv(),
                 s.committed_seq);
    } else {
      fmt::print(stderr, "fleet: log down {}\n", down_stats_json(s).dump());
    }
    resumed = true;
  };
  auto r = run_log_down(session, o, should_stop, progress);
  if (!r.ok()) return fail(r.error());
  fmt::print("{}\n", json ? down_stats_json(*r).dump()
                          : fmt::format("log down: {} rows merged into {} (stream sequence {}), {} late (max {} ms behind), "
                                        "{} malformed skipped{}{}",
                                        r->written, o.dir.transactions_csv(), r->committed_seq, r->late, r->max_late_ms,
                                        r->malformed, r->malformed ? ": " : "", r->first_malformed));
  return kExitOk;
}

}  // namespace

static int run_fleet(int argc, char** argv) {
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
  const char* env_nats = std::getenv("PAYOPS_NATS_URL");
  std::string nats = env_nats != nullptr && *env_nats != '\0' ? env_nats : "nats://127.0.0.1:4222";
  std::string data_dir, connect_timeout = "30s", dedup_window = "10m", lock_timeout = "5s", report_every = "0s";
  int replicas = 3;
  bool json = false;
  app.add_option("--nats", nats, "NATS servers, comma-separated (default: $PAYOPS_NATS_URL, else nats://127.0.0.1:4222)");
  app.add_option("--data-dir", data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_option("--replicas", replicas, "Copies of the stream and bucket when this creates them (default 3; 1 for a single server)")
      ->check(CLI::Range(1, 5));
  app.add_option("--connect-timeout", connect_timeout, "Keep trying to reach the cluster this long at start (default 30s)");
  app.add_flag("--json", json, "Machine-readable output: a JSON summary (log, status), JSON lines of events (config)");
  app.add_option("--report-every", report_every, "log up/down: print progress this often (default 0s: only at exit)");

  auto* log = app.add_subcommand("log", "The log stream: up (publish a host's log) or down (merge the stream)");
  log->require_subcommand(1);
  std::string host = default_host_id();
  bool once = false;
  auto* up = log->add_subcommand("up", "Publish this host's transactions.csv, row by row, exactly once");
  up->add_option("--host", host, "This host's id in the fleet, one subject token (default: the short host name)");
  up->add_flag("--once", once, "Publish what the log holds now, then exit");
  up->add_option("--dedup-window", dedup_window, "The stream's deduplication window when this creates it (default 10m)");
  auto* down = log->add_subcommand("down", "Merge every host's rows into this data dir's transactions.csv");
  down->add_flag("--once", once, "Merge what the stream holds now, then exit");

  auto* config = app.add_subcommand("config", "The config bucket: publish (the authority) or watch (every other host)");
  config->require_subcommand(1);
  auto* publish = config->add_subcommand("publish", "Publish each new valid version of this data dir's shared_config.json");
  auto* watch = config->add_subcommand("watch", "Install each published version into this data dir, by the locked write");
  watch->add_option("--lock-timeout", lock_timeout, "How long to wait for the local config lock (default 5s)");
  auto* status = app.add_subcommand("status", "Rows per host in the stream, replicas and the config's revision");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  NatsSettings settings;
  settings.servers = split_server_list(nats);
  const auto timeout_ms = parse_duration_ms(connect_timeout);
  const auto dedup_ms = parse_duration_ms(dedup_window);
  const auto lock_ms = parse_duration_ms(lock_timeout);
  const auto report_ms = parse_duration_ms(report_every);
  if (!timeout_ms || *timeout_ms <= 0) return usage(fmt::format("--connect-timeout must be a duration like 30s, got \"{}\"", connect_timeout));
  if (!dedup_ms || *dedup_ms <= 0) return usage(fmt::format("--dedup-window must be a duration like 10m, got \"{}\"", dedup_window));
  if (!lock_ms || *lock_ms <= 0) return usage(fmt::format("--lock-timeout must be a duration like 5s, got \"{}\"", lock_timeout));
  if (!report_ms || *report_ms < 0) return usage(fmt::format("--report-every must be a duration like 5s, got \"{}\"", report_every));
  if (auto problem = host_id_problem(host); problem && *up) return usage(fmt::format("--host: {}", *problem));
  settings.connect_timeout_ms = *timeout_ms;
  settings.client_name = fmt::format("payops-fleet-{}", *up ? host : app.get_subcommands().front()->get_name());
  const DataDir dir = resolve_data_dir(data_dir);

  install_stop_handlers();
  auto session = NatsSession::connect(settings);
  if (!session.ok()) return fail(session.error());

  if (*status) {
    auto st = read_fleet_status(*session);
    if (!st.ok()) return fail(st.error());
    fmt::print("{}", json ? fleet_status_to_json(*st).dump() + "\n" : fleet_status_to_text(*st));
    return kExitOk;
  }
  if (*log) {
    if (auto st = session->ensure_log_stream(replicas, *dedup_ms); !st.ok()) return fail(st.error());
    if (*up) {
      LogUpOptions o;
      o.dir = dir;
      o.host = host;
      o.report_every_ms = *report_ms;
      o.once = once;
      return log_up(*session, o, json);
    }
    LogDownOptions o;
    o.dir = dir;
    o.once = once;
    o.report_every_ms = *report_ms;
    return log_down(*session, o, json);
  }
  auto kv = session->ensure_config_bucket(replicas);
  if (!kv.ok()) return fail(kv.error());
  ConfigSyncOptions o{dir, 100, *lock_ms};
  auto on_event = [&](const ConfigEvent& e) { print_event(e, json); };
  const Status st = *publish ? run_config_publish(*session, *kv, o, should_stop, on_event)
                             : run_config_watch(*session, *kv, o, should_stop, on_event);
  kvStore_Destroy(*kv);
  if (!st.ok()) return fail(st.error());
  return kExitOk;
}

int main(int argc, char** argv) try {
  const int code = run_fleet(argc, argv);  // every NATS object is destroyed when it returns
  nats_CloseAndWait(2000);                 // then the library's threads and globals (no leak reports)
  return code;
} catch (const std::exception& e) {
  fmt::print(stderr, "fleet: unexpected error: {}\n", e.what());
  return payops::kExitFailure;
}
