// `fleet status`: what the cluster holds for the fleet, for operators and tests: the log stream's
// rows per host (and where each host's log resumes), its replicas, and the config's KV revision.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "fleet/nats_client.h"
#include "platform/result.h"

namespace payops {

struct FleetHostStatus {
  std::uint64_t rows = 0;         // messages on payops.log.<host>
  std::uint64_t next_offset = 0;  // the Payops-End of its last message: where `log up` resumes
};

struct FleetStatus {
  std::uint64_t stream_rows = 0;
  std::uint64_t stream_last_seq = 0;
  int replicas = 0;
  std::string leader;
  int current_replicas = 0;       // replicas that are current (not lagging or offline)
  std::map<std::string, FleetHostStatus> hosts;
  std::uint64_t config_revision = 0;  // 0: no config published yet
};

Result<FleetStatus> read_fleet_status(NatsSession& session);
nlohmann::json fleet_status_to_json(const FleetStatus& s);
std::string fleet_status_to_text(const FleetStatus& s);

}  // namespace payops
