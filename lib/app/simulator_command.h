// `simulator`: the flags as typed (durations and times as the text the user wrote) and the one
// function tools/simulator/main.cpp calls. It checks the flags, opens the config and the log, runs
// the simulation until its end or a signal and prints the summary; returns the exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/simulator.h"

namespace payops {

struct SimulatorFlags {
  std::string data_dir;  // empty: $PAYOPS_DATA_DIR, else the current directory
  std::string out;       // FILE, - (CSV on stdout), or empty: the data dir's transactions.csv
  std::string start;     // --fast: now (empty), -1h / now-1h, or a timestamp
  std::string duration;
  std::string world;     // a JSON world file; empty: the built-in banks
  std::vector<std::string> incidents;
  std::int64_t count = -1;
  std::optional<std::uint64_t> seed;  // nullopt: from the OS
  std::string tick_every, tick;       // the --fast closed loop: how often, what to run
  std::string oracle_lag;             // --oracle-lag: how late the oracle learns incident changes
  bool quiet = false;
  bool json = false;
  SimulatorOptions options;  // tps, fast and oracle from their flags; the rest from the text above
};

int simulator_command(const SimulatorFlags& flags);

}  // namespace payops
