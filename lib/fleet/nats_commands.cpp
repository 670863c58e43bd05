#include "fleet/nats_commands.h"

#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "contract/data_dir.h"
#include "fleet/fleet_names.h"
#include "fleet/nats_client.h"
#include "fleet/nats_config_sync.h"
#include "fleet/nats_log_down.h"
#include "fleet/nats_log_up.h"
#include "fleet/nats_status.h"
#include "platform/exit_codes.h"
#include "platform/stop_signal.h"
#include "platform/time_util.h"

namespace payops {
namespace {

int fail(const Error& e) {
  fmt::print(stderr, "fleet: {}\n", e.message);
  return exit_code_for(e);
}

int usage(const std::string& message) {
  fmt::print(stderr, "fleet: {}\n", message);
  return kExitUsage;
}

bool should_stop() { return stop_requested(); }

// The duration flags, checked; every subcommand checks all of them (a typo never waits for a connection).
struct FleetDurations {
  std::int64_t connect_timeout_ms = 0, dedup_window_ms = 0, lock_timeout_ms = 0, report_every_ms = 0;
};

Result<FleetDurations> read_durations(const FleetFlags& f) {
  FleetDurations d;
  const auto timeout_ms = parse_duration_ms(f.connect_timeout);
  const auto dedup_ms = parse_duration_ms(f.dedup_window);
  const auto lock_ms = parse_duration_ms(f.lock_timeout);
  const auto report_ms = parse_duration_ms(f.report_every);
  if (!timeout_ms || *timeout_ms <= 0)
    return make_error(fmt::format("--connect-timeout must be a duration like 30s, got \"{}\"", f.connect_timeout));
  if (!dedup_ms || *dedup_ms <= 0)
    return make_error(fmt::format("--dedup-window must be a duration like 10m, got \"{}\"", f.dedup_window));
  if (!lock_ms || *lock_ms <= 0)
    return make_error(fmt::format("--lock-timeout must be a duration like 5s, got \"{}\"", f.lock_timeout));
  if (!report_ms || *report_ms < 0)
    return make_error(fmt::format("--report-every must be a duration like 5s, got \"{}\"", f.report_every));
  return FleetDurations{*timeout_ms, *dedup_ms, *lock_ms, *report_ms};
}

// Installs the stop handlers and connects, named client_name in the server's connection list.
Result<NatsSession> connect(const FleetFlags& f, const FleetDurations& d, const std::string& client_name) {
  NatsSettings settings;
  settings.servers = split_server_list(f.nats);
  settings.connect_timeout_ms = d.connect_timeout_ms;
  settings.client_name = fmt::format("payops-fleet-{}", client_name);
  install_stop_handlers();
  return NatsSession::connect(settings);
}

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

enum class ConfigRole { publish, watch };

int config_sync(const FleetFlags& f, ConfigRole role) {
  const auto d = read_durations(f);
  if (!d) return usage(d.error().message);
  auto session = connect(f, *d, "config");
  if (!session.ok()) return fail(session.error());
  auto kv = session->ensure_config_bucket(f.replicas);
  if (!kv.ok()) return fail(kv.error());
  ConfigSyncOptions o{resolve_data_dir(f.data_dir), 100, d->lock_timeout_ms};
  auto on_event = [&](const ConfigEvent& e) { print_event(e, f.json); };
  const Status st = role == ConfigRole::publish ? run_config_publish(*session, *kv, o, should_stop, on_event)
                                                : run_config_watch(*session, *kv, o, should_stop, on_event);
  kvStore_Destroy(*kv);
  if (!st.ok()) return fail(st.error());
  return kExitOk;
}

}  // namespace

std::string default_nats_servers() {
  const char* env_nats = std::getenv("PAYOPS_NATS_URL");
  return env_nats != nullptr && *env_nats != '\0' ? env_nats : "nats://127.0.0.1:4222";
}

int fleet_status(const FleetFlags& f) {
  const auto d = read_durations(f);
  if (!d) return usage(d.error().message);
  auto session = connect(f, *d, "status");
  if (!session.ok()) return fail(session.error());
  auto st = read_fleet_status(*session);
  if (!st.ok()) return fail(st.error());
  fmt::print("{}", f.json ? fleet_status_to_json(*st).dump() + "\n" : fleet_status_to_text(*st));
  return kExitOk;
}

int fleet_log_up(const FleetFlags& f) {
  const auto d = read_durations(f);
  if (!d) return usage(d.error().message);
  if (auto problem = host_id_problem(f.host)) return usage(fmt::format("--host: {}", *problem));
  auto session = connect(f, *d, f.host);
  if (!session.ok()) return fail(session.error());
  if (auto st = session->ensure_log_stream(f.replicas, d->dedup_window_ms); !st.ok()) return fail(st.error());
  LogUpOptions o;
  o.dir = resolve_data_dir(f.data_dir);
  o.host = f.host;
  o.report_every_ms = d->report_every_ms;
  o.once = f.once;
  return log_up(*session, o, f.json);
}

int fleet_log_down(const FleetFlags& f) {
  const auto d = read_durations(f);
  if (!d) return usage(d.error().message);
  auto session = connect(f, *d, "log");
  if (!session.ok()) return fail(session.error());
  if (auto st = session->ensure_log_stream(f.replicas, d->dedup_window_ms); !st.ok()) return fail(st.error());
  LogDownOptions o;
  o.dir = resolve_data_dir(f.data_dir);
  o.once = f.once;
  o.report_every_ms = d->report_every_ms;
  return log_down(*session, o, f.json);
}

int fleet_config_publish(const FleetFlags& f) { return config_sync(f, ConfigRole::publish); }
int fleet_config_watch(const FleetFlags& f) { return config_sync(f, ConfigRole::watch); }

}  // namespace payops
