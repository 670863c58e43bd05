// `fleet config publish` and `fleet config watch`: shared_config.json across the fleet through one
// NATS KV key (bucket payops_config, key shared_config).
//
// One authority: the publisher runs beside the central config (where the agent and the operators'
// config-tool write it). It publishes each new valid version with compare-and-set on the KV revision
// it last wrote or read (kvStore_Update), so a second publisher cannot silently overwrite it: a
// revision it did not write stops it with a conflict error. At start it takes the bucket's latest
// revision as its base and publishes the central file if it differs (the authority's file wins).
//
// Every other host runs a watcher: it installs each revision through the contract's locked write
// (fleet_config_install.h). An invalid revision is refused, reported, and the local file stays as
// it was. A local edit (someone ran config-tool on a replica) is reported and replaced by the
// fleet's current revision: changes are made on the authority host, or they do not last.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "contract/data_dir.h"
#include "fleet/nats_client.h"
#include "platform/result.h"

namespace payops {

// One line of what happened, for stderr or --json: kind is "published", "installed", "unchanged",
// "refused", "local_change", "conflict", "waiting" or "error".
struct ConfigEvent {
  std::string kind;
  std::uint64_t revision = 0;
  std::string message;       // one human sentence
  std::int64_t latency_ms = -1;  // installed: from the revision being stored to the local rename
};

struct ConfigSyncOptions {
  DataDir dir;
  std::int64_t poll_ms = 100;           // publisher: how often the central file is stat'ed
  std::int64_t lock_timeout_ms = 5000;  // watcher: the local config lock
};

// Runs until stop(); returns a conflict error when another publisher wrote the key.
Status run_config_publish(NatsSession& session, kvStore* kv, const ConfigSyncOptions& options,
                          const std::function<bool()>& stop, const std::function<void(const ConfigEvent&)>& on_event);

// Runs until stop(); transient NATS errors are retried (the watch is recreated).
Status run_config_watch(NatsSession& session, kvStore* kv, const ConfigSyncOptions& options,
                        const std::function<bool()>& stop, const std::function<void(const ConfigEvent&)>& on_event);

}  // namespace payops
