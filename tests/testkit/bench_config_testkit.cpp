// Bench driver for bench/run: N locked read-modify-writes of shared_config.json through ConfigStore
// (the contract's sidecar flock, validate, temp file, fsync, rename, directory fsync), timing each.
//   bench_config_testkit --dir D --updates N [--tag K]
// Prints one line per update: its latency in microseconds (lock wait included). Each update bumps
// routing_rules.bench_counter (an unknown key, preserved) and appends one agent_history entry, as the
// agent's own cycle does. Exit 0 ok, 1 an update failed, 2 usage.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "contract/config_store.h"

using namespace payops;

namespace {

int usage() {
  std::fprintf(stderr, "usage: bench_config_testkit --dir D --updates N [--tag K]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, tag = "b";
  long updates = -1;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto next = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : std::string(); };
    if (args[i] == "--dir") {
      dir = next();
    } else if (args[i] == "--updates") {
      updates = std::strtol(next().c_str(), nullptr, 10);
    } else if (args[i] == "--tag") {
      tag = next();
    } else {
      return usage();
    }
  }
  if (dir.empty() || updates < 0) return usage();
  ConfigStore store(DataDir{dir});
  std::vector<long long> micros;
  micros.reserve(static_cast<std::size_t>(updates));
  for (long i = 0; i < updates; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = store.update([&](Config& c) {
      const auto it = c.routing_rules.extra.find("bench_counter");
      const std::int64_t next =
          (it != c.routing_rules.extra.end() && it->is_number_integer()) ? it->get<std::int64_t>() + 1 : 1;
      c.routing_rules.extra["bench_counter"] = next;
      HistoryEntry e;
      e.timestamp = SystemClock::instance().now_ms();
      e.action = "bench_update";
      e.details = Json{{"tag", tag}, {"seq", i}, {"counter", next}};
      e.actor = "config-tool";
      e.reason = "bench update " + std::to_string(next);
      c.agent_history.push_back(std::move(e));
      return ok_status();
    });
    const auto t1 = std::chrono::steady_clock::now();
    if (!r) {
      std::fprintf(stderr, "update %ld failed: %s\n", i, r.error().message.c_str());
      return 1;
    }
    micros.push_back(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count());
  }
  for (const long long us : micros) std::printf("%lld\n", us);
  return 0;
}
