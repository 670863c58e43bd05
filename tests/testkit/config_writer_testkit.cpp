// Test driver for shared_config.json races: many of these run at once against one data dir.
//   --print-default                          the default config text (the committed shared_config.json)
//   --dir D --init [--force]                 write the default config
//   --dir D --updates N --tag K              N locked read-modify-writes; each increments
//                                            routing_rules.race_counter (an unknown key, so it also
//                                            proves unknown keys survive) and appends a history entry
//   --dir D --read-loop-until-file F         lockless reads until F exists; counts parse failures and
//                                            counter regressions (both must be 0)
//   --dir D --crash-after-step S             one update that SIGKILLs itself at protocol step S
//   --dir D --check N                        counter == N and history + jsonl hold counters 1..N
//                                            (N = -1: whatever the counter is)
// Options: --history-limit L, --lock-timeout-ms T. Exit 0 on success, 1 on a failed check, 2 on usage.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "platform/clock.h"
#include "contract/config_store.h"

using namespace payops;

namespace {

struct Args {
  std::string dir;
  std::string mode;
  std::string value;  // the mode's argument
  std::string tag = "w";
  bool force = false;
  ConfigStoreOptions options;
};

int usage() {
  std::fprintf(stderr,
               "usage: config_writer_testkit --print-default | --dir D (--init [--force] | --updates N "
               "--tag K | --read-loop-until-file F | --crash-after-step S | --check N) "
               "[--history-limit L] [--lock-timeout-ms T]\n");
  return 2;
}

std::int64_t counter_of(const Config& c) {
  const auto it = c.routing_rules.extra.find("race_counter");
  if (it == c.routing_rules.extra.end() || !it->is_number_integer()) return 0;
  return it->get<std::int64_t>();
}

Status one_update(Config& c, const std::string& tag, long seq) {
  const std::int64_t next = counter_of(c) + 1;
  c.routing_rules.extra["race_counter"] = next;
  HistoryEntry e;
  e.timestamp = SystemClock::instance().now_ms();
  e.action = "testkit_update";
  e.details = Json{{"tag", tag}, {"seq", seq}, {"counter", next}};
  e.actor = "config-tool";
  e.reason = "race test update " + std::to_string(next);
  c.agent_history.push_back(std::move(e));
  return ok_status();
}

int run_updates(const Args& a, long n) {
  ConfigStore store(DataDir{a.dir}, a.options);
  for (long i = 0; i < n; ++i) {
    auto r = store.update([&](Config& c) { return one_update(c, a.tag, i); });
    if (!r) {
      std::fprintf(stderr, "update %ld failed: %s\n", i, r.error().message.c_str());
      return 1;
    }
  }
  return 0;
}

int run_read_loop(const Args& a) {
  ConfigStore store(DataDir{a.dir}, a.options);
  long reads = 0, failures = 0, regressions = 0;
  std::int64_t last = 0;
  struct stat st {};
  while (stat(a.value.c_str(), &st) != 0) {
    auto c = store.load();
    ++reads;
    if (!c) {
      if (failures++ < 3) std::fprintf(stderr, "read failed: %s\n", c.error().message.c_str());
      continue;
    }
    const std::int64_t counter = counter_of(*c);
    if (counter < last) ++regressions;
    last = counter;
  }
  std::printf("reads=%ld parse_failures=%ld regressions=%ld last_counter=%lld\n", reads, failures,
              regressions, static_cast<long long>(last));
  return failures == 0 && regressions == 0 ? 0 : 1;
}

int run_check(const Args& a, long expected) {
  ConfigStore store(DataDir{a.dir}, a.options);
  auto c = store.load();
  if (!c) {
    std::fprintf(stderr, "load failed: %s\n", c.error().message.c_str());
    return 1;
  }
  std::map<std::int64_t, int> seen;  // counter -> occurrences across history and jsonl
  long in_history = 0, in_jsonl = 0, bad_lines = 0;
  for (const auto& e : c->agent_history) {
    if (e.action != "testkit_update") continue;
    ++in_history;
    ++seen[e.details.value("counter", std::int64_t{-1})];
  }
  std::ifstream jsonl(store.data_dir().history_jsonl());
  std::string line;
  while (std::getline(jsonl, line)) {
    if (line.empty()) continue;
    auto j = parse_json_text(line, "agent_history.jsonl");
    if (!j || !j->is_object() || !j->contains("details")) {
      ++bad_lines;
      continue;
    }
    if (j->value("action", "") != "testkit_update") continue;
    ++in_jsonl;
    ++seen[(*j)["details"].value("counter", std::int64_t{-1})];
  }
  const long long counter = counter_of(*c);
  // expected < 0: the counter is whatever survived (kill -9 tests); entries 1..counter must exist.
  const long long want = expected < 0 ? counter : expected;
  long missing = 0, duplicated = 0;
  for (long long k = 1; k <= want; ++k) {
    const auto it = seen.find(k);
    if (it == seen.end()) ++missing;
    else if (it->second > 1) duplicated += it->second - 1;
  }
  std::printf("counter=%lld history=%ld jsonl=%ld distinct=%zu missing=%ld duplicated=%ld bad_lines=%ld\n",
              counter, in_history, in_jsonl, seen.size(), missing, duplicated, bad_lines);
  // Duplicates are allowed (a writer killed between the jsonl append and the rename leaves its
  // overflow in both places); a missing or unexpected entry is not.
  const bool ok = counter == want && missing == 0 && bad_lines == 0 &&
                  seen.size() == static_cast<std::size_t>(counter);
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& f = args[i];
    const auto next = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : std::string(); };
    if (f == "--print-default") {
      std::fputs(config_to_text(default_config()).c_str(), stdout);
      return 0;
    } else if (f == "--dir") {
      a.dir = next();
    } else if (f == "--init") {
      a.mode = f;
    } else if (f == "--force") {
      a.force = true;
    } else if (f == "--updates" || f == "--read-loop-until-file" || f == "--crash-after-step" ||
               f == "--check") {
      a.mode = f;
      a.value = next();
    } else if (f == "--tag") {
      a.tag = next();
    } else if (f == "--history-limit") {
      a.options.history_limit = std::strtoul(next().c_str(), nullptr, 10);
    } else if (f == "--lock-timeout-ms") {
      a.options.lock_timeout_ms = std::strtoll(next().c_str(), nullptr, 10);
    } else {
      return usage();
    }
  }
  if (a.dir.empty() || a.mode.empty()) return usage();

  if (a.mode == "--init") {
    auto s = ConfigStore(DataDir{a.dir}, a.options).init(default_config(), a.force);
    if (!s) {
      std::fprintf(stderr, "%s\n", s.error().message.c_str());
      return 1;
    }
    return 0;
  }
  if (a.mode == "--updates") return run_updates(a, std::strtol(a.value.c_str(), nullptr, 10));
  if (a.mode == "--read-loop-until-file") return run_read_loop(a);
  if (a.mode == "--check") return run_check(a, std::strtol(a.value.c_str(), nullptr, 10));
  if (a.mode == "--crash-after-step") {
    const std::string crash_step = a.value;
    a.options.on_step = [&](std::string_view s) {
      if (s == crash_step) raise(SIGKILL);
    };
    const int rc = run_updates(a, 1);
    std::fprintf(stderr, "step %s was never reached\n", crash_step.c_str());
    return rc == 0 ? 1 : rc;
  }
  return usage();
}
