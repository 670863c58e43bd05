// The config's two halves over NATS KV: the authority's publisher (compare-and-set) and the hosts'
// watchers (validated, locked installs).
#include "fleet/nats_config_sync.h"

#include <chrono>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "contract/config_store.h"
#include "fleet/fleet_config_install.h"
#include "fleet/fleet_names.h"

namespace payops {
namespace {

void sleep_ms(std::int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The key's latest entry: nullopt when the key holds none; an error on a transient failure.
struct KvValue {
  std::uint64_t revision = 0;
  std::string text;
};
Result<std::optional<KvValue>> kv_latest(kvStore* kv) {
  const std::string key(kFleetConfigKey);
  kvEntry* e = nullptr;
  const natsStatus s = kvStore_Get(&e, kv, key.c_str());
  if (s == NATS_NOT_FOUND) return std::optional<KvValue>{};
  if (s != NATS_OK) return make_error(nats_error_text(s, fmt::format("reading {}/{}", kFleetConfigBucket, key)));
  KvValue v{kvEntry_Revision(e), std::string(static_cast<const char*>(kvEntry_Value(e)), static_cast<std::size_t>(kvEntry_ValueLen(e)))};
  kvEntry_Destroy(e);
  return std::optional<KvValue>(std::move(v));
}

// One compare-and-set publish of text over base (0: the key must not exist yet). Returns the new
// revision; a conflict error when another writer moved the key; a failed error when NATS is unsure.
Result<std::uint64_t> publish_cas(kvStore* kv, const std::string& text, std::uint64_t base) {
  const std::string key(kFleetConfigKey);
  std::uint64_t rev = 0;
  const int len = static_cast<int>(text.size());
  const natsStatus s = base == 0 ? kvStore_Create(&rev, kv, key.c_str(), text.data(), len)
                                 : kvStore_Update(&rev, kv, key.c_str(), text.data(), len, base);
  if (s == NATS_OK) return rev;
  const std::string why = nats_error_text(s, "publishing the config");
  auto latest = kv_latest(kv);
  if (!latest.ok()) return make_error(why);  // NATS unreachable: retry later
  const std::uint64_t now_rev = latest->has_value() ? (*latest)->revision : 0;
  if (now_rev == base) return make_error(why);  // nothing moved: a transient failure
  if (latest->has_value() && (*latest)->text == text) return now_rev;  // ours, its acknowledgement lost
  return make_error(fmt::format("{}/{} is at revision {}, written by someone else after revision {} (ours): two "
                                "publishers for one fleet; this one stops so it overwrites nothing (one authority: "
                                "run `fleet config publish` on the central host only)",
                                kFleetConfigBucket, key, now_rev, base),
                    Error::Kind::conflict);
}

}  // namespace

Status run_config_publish(NatsSession&, kvStore* kv, const ConfigSyncOptions& options, const std::function<bool()>& stop,
                          const std::function<void(const ConfigEvent&)>& on_event) {
  std::optional<KvValue> base;
  for (;;) {
    auto latest = kv_latest(kv);
    if (latest.ok()) {
      base = latest->value_or(KvValue{});
      break;
    }
    if (stop()) return latest.error();
    sleep_ms(250);
  }
  ConfigWatcher watcher(options.dir.config_json());
  std::string pending;
  bool said_missing = false;
  while (!stop()) {
    switch (watcher.poll()) {
      case ConfigWatcher::Poll::reloaded: {
        std::string text = config_to_text(watcher.current());
        pending = text == base->text ? std::string() : std::move(text);
        break;
      }
      case ConfigWatcher::Poll::rejected:
        on_event({"refused", base->revision,
                  fmt::format("{} is not valid, not published (the fleet keeps revision {}): {}",
                              options.dir.config_json(), base->revision, watcher.last_error())});
        break;
      case ConfigWatcher::Poll::missing:
        if (!said_missing) on_event({"waiting", 0, fmt::format("waiting for {} to exist", options.dir.config_json())});
        said_missing = true;
        break;
      case ConfigWatcher::Poll::unchanged:
        break;
    }
    if (!pending.empty()) {
      auto rev = publish_cas(kv, pending, base->revision);
      if (rev.ok()) {
        base = KvValue{*rev, std::move(pending)};
        pending.clear();
        on_event({"published", *rev, fmt::format("published {} as revision {}", options.dir.config_json(), *rev)});
      } else if (rev.error().kind == Error::Kind::conflict) {
        on_event({"conflict", 0, rev.error().message});
        return rev.error();
      } else {
        on_event({"error", 0, rev.error().message + " (retrying)"});
      }
    }
    sleep_ms(options.poll_ms);
  }
  return ok_status();
}

namespace {

// The watcher's memory between entries: what it last installed, and whether an install is owed.
struct WatchState {
  std::uint64_t revision = 0;            // the newest revision seen (valid or not)
  std::uint64_t good_revision = 0;       // the newest valid one, whose canonical text is good_text
  std::string good_text;                 // the last valid fleet version
  std::optional<FileIdentity> installed; // the local file as we left it
  bool owed = false;                     // the last install failed (lock, a broken local file): retry
};

void install(const ConfigSyncOptions& options, WatchState& st, std::int64_t created_ms, const std::string& kind_if_done,
             const std::function<void(const ConfigEvent&)>& on_event) {
  const std::string label = fmt::format("fleet revision {}", st.good_revision);
  auto r = install_fleet_config(options.dir, st.good_text, label, options.lock_timeout_ms);
  if (!r.ok()) {
    st.owed = true;
    on_event({"error", st.good_revision, fmt::format("cannot install {} into {}: {} (retrying)", label, options.dir.config_json(),
                                                r.error().message)});
    return;
  }
  st.owed = false;
  st.installed = file_identity(options.dir.config_json());
  const bool done = *r == InstallOutcome::installed;
  on_event({done ? kind_if_done : "unchanged", st.good_revision,
            fmt::format("{} {} in {}", label, done ? "installed" : "already", options.dir.config_json()),
            done && created_ms > 0 ? wall_ms() - created_ms : -1});
}

// Between entries: retry an owed install, and put the fleet's version back over a local edit.
void check_local(const ConfigSyncOptions& options, WatchState& st, const std::function<void(const ConfigEvent&)>& on_event) {
  if (st.good_text.empty()) return;
  if (st.owed) return install(options, st, 0, "installed", on_event);
  const auto now = file_identity(options.dir.config_json());
  if (now == st.installed) return;
  auto local = read_small_file(options.dir.config_json());
  auto local_canon = local.ok() ? canonical_config_text(*local, options.dir.config_json()) : Result<std::string>(local.error());
  if (local_canon.ok() && *local_canon == st.good_text) {
    st.installed = now;
    return;
  }
  on_event({"local_change", st.good_revision,
            fmt::format("{} was changed locally, not through the fleet; putting back fleet revision {} (make changes on "
                        "the authority host)",
                        options.dir.config_json(), st.good_revision)});
  install(options, st, 0, "installed", on_event);
}

// A new revision, from the watch or from the fallback poll: validate, then install or refuse.
void take_revision(const ConfigSyncOptions& options, WatchState& st, std::uint64_t rev, const std::string& value,
                   bool is_put, std::int64_t created_ms, const std::function<void(const ConfigEvent&)>& on_event) {
  if (rev <= st.revision) return;
  st.revision = rev;
  auto canon = is_put ? canonical_config_text(value, fmt::format("fleet revision {}", rev))
                      : Result<std::string>(make_error("the key was deleted"));
  if (!canon.ok()) {
    on_event({"refused", rev, fmt::format("refused fleet revision {} ({} keeps fleet revision {}): {}", rev,
                                          options.dir.config_json(), st.good_revision, canon.error().message)});
    return;
  }
  st.good_text = std::move(*canon);
  st.good_revision = rev;
  install(options, st, created_ms, "installed", on_event);
}

}  // namespace

Status run_config_watch(NatsSession&, kvStore* kv, const ConfigSyncOptions& options, const std::function<bool()>& stop,
                        const std::function<void(const ConfigEvent&)>& on_event) {
  const std::string key(kFleetConfigKey);
  WatchState st;
  kvWatcher* w = nullptr;
  std::int64_t last_poll_ms = 0;
  while (!stop()) {
    if (w == nullptr && kvStore_Watch(&w, kv, key.c_str(), nullptr) != NATS_OK) w = nullptr;
    kvEntry* e = nullptr;
    const natsStatus s = w != nullptr ? kvWatcher_Next(&e, w, 250) : NATS_TIMEOUT;
    if (s == NATS_OK && e != nullptr) {
      take_revision(options, st, kvEntry_Revision(e),
                    std::string(static_cast<const char*>(kvEntry_Value(e)), static_cast<std::size_t>(kvEntry_ValueLen(e))),
                    kvEntry_Operation(e) == kvOp_Put, kvEntry_Created(e) / 1000000, on_event);
      kvEntry_Destroy(e);
      continue;
    }
    if (s != NATS_OK && s != NATS_TIMEOUT) {  // the watch broke (a node failed, a reconnect): recreate it
      kvWatcher_Destroy(w);
      w = nullptr;
      sleep_ms(250);
    }
    // A watch can also stall silently for seconds when the node serving its consumer dies (until the
    // library notices missed heartbeats), so between entries the latest revision is also asked for
    // directly, twice a second: a failover delays a config by about that, not by the heartbeat timeout.
    if (wall_ms() - last_poll_ms >= 500) {
      last_poll_ms = wall_ms();
      if (auto latest = kv_latest(kv); latest.ok() && latest->has_value()) {
        take_revision(options, st, (*latest)->revision, (*latest)->text, true, 0, on_event);
      }
    }
    check_local(options, st, on_event);
  }
  if (w != nullptr) kvWatcher_Destroy(w);
  return ok_status();
}

}  // namespace payops
