// The subcommands of `fleet`, one function each, called by tools/fleet/main.cpp with the flags as
// typed. Each checks the flags, connects to the cluster, runs until done or SIGINT/SIGTERM and
// returns the exit code (platform/exit_codes.h). In payops_nats (linked only into fleet).
#pragma once

#include <string>

namespace payops {

struct FleetFlags {
  std::string nats;      // comma-separated server URLs
  std::string data_dir;  // empty: $PAYOPS_DATA_DIR, else the current directory
  std::string connect_timeout = "30s";
  std::string dedup_window = "10m";
  std::string lock_timeout = "5s";
  std::string report_every = "0s";
  int replicas = 3;
  bool json = false;
  std::string host;   // log up: this host's id
  bool once = false;  // log up/down: what is there now, then exit
};

// The default of --nats: $PAYOPS_NATS_URL, else nats://127.0.0.1:4222.
std::string default_nats_servers();

int fleet_status(const FleetFlags& flags);
int fleet_log_up(const FleetFlags& flags);
int fleet_log_down(const FleetFlags& flags);
int fleet_config_publish(const FleetFlags& flags);
int fleet_config_watch(const FleetFlags& flags);

}  // namespace payops
