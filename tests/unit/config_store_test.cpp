// ConfigStore and ConfigWatcher: the writer's protocol (broken files never overwritten, history
// overflow to jsonl, temp files cleaned, symlinks refused, crash at every step leaves old-or-new) and
// the lockless reader's reload / reject / keep-last-good.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contract/config_store.h"
#include "contract/file_lock.h"

using namespace payops;

namespace {

struct StoreTempDir {
  std::string path;
  StoreTempDir() {
    char tmpl[] = "/tmp/payops_store_test.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~StoreTempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  DataDir data_dir() const { return DataDir{path}; }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& text) {
  // Replace by rename, as an editor or writer would, so watchers see a new identity.
  const std::string tmp = path + ".spit";
  { std::ofstream(tmp, std::ios::binary) << text; }
  REQUIRE(rename(tmp.c_str(), path.c_str()) == 0);
}

std::vector<std::string> temp_files(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.rfind(std::string(kConfigTempPrefix), 0) == 0) out.push_back(name);
  }
  closedir(d);
  return out;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

HistoryEntry entry(int n) {
  HistoryEntry e;
  e.timestamp = *parse_timestamp("2026-11-22T12:00:00.000Z") + n;
  e.action = "set_weights";
  e.details = Json{{"n", n}};
  e.actor = "config-tool";
  e.reason = "entry " + std::to_string(n);
  return e;
}

Status set_weight(Config& c, std::int64_t w) {
  c.banks[1].weight = w;
  return ok_status();
}

}  // namespace

TEST_CASE("config store: load and update on a missing file say to run config-tool init") {
  StoreTempDir dir;
  ConfigStore store(dir.data_dir());
  auto l = store.load();
  REQUIRE_FALSE(l.ok());
  CHECK(l.error().kind == Error::Kind::not_found);
  CHECK(l.error().message.find("config-tool init") != std::string::npos);
  bool called = false;
  auto u = store.update([&](Config&) {
    called = true;
    return ok_status();
  });
  REQUIRE_FALSE(u.ok());
  CHECK(u.error().kind == Error::Kind::not_found);
  CHECK(u.error().message.find("config-tool init") != std::string::npos);
  CHECK_FALSE(called);
}

TEST_CASE("config store: init writes the default, refuses to replace without force") {
  StoreTempDir dir;
  ConfigStore store(dir.data_dir());
  REQUIRE(store.init(default_config(), false).ok());
  CHECK(slurp(dir.data_dir().config_json()) == config_to_text(default_config()));
  auto again = store.init(default_config(), false);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().kind == Error::Kind::conflict);
  CHECK(again.error().message.find("--force") != std::string::npos);

  Config other = default_config();
  other.banks[0].weight = 1;
  CHECK(store.init(other, true).ok());
  CHECK(store.load()->banks[0].weight == 1);

  Config bad = default_config();
  bad.routing_rules.primary_bank = "nope";
  auto refused = store.init(bad, true);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == Error::Kind::invalid_input);
  CHECK(store.load()->banks[0].weight == 1);
  CHECK(temp_files(dir.path).empty());
}

TEST_CASE("config store: update applies the change, preserves unknown keys and the file mode") {
  StoreTempDir dir;
  ConfigStore store(dir.data_dir());
  Json doc = config_to_json(default_config());
  doc["x_top"] = 1;
  doc["banks"][2]["x_bank"] = Json{{"a", 1}};
  doc["banks"][2]["retry_policy"]["x_retry"] = "r";
  doc["routing_rules"]["x_rules"] = Json::array({1});
  spit(dir.data_dir().config_json(), doc.dump(2) + "\n");
  REQUIRE(chmod(dir.data_dir().config_json().c_str(), 0640) == 0);

  auto r = store.update([](Config& c) { return set_weight(c, 7); });
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  CHECK(r->banks[1].weight == 7);
  const Json after = *parse_json_text(slurp(dir.data_dir().config_json()), "f");
  doc["banks"][1]["weight"] = 7;
  CHECK(after == doc);
  struct stat st {};
  REQUIRE(stat(dir.data_dir().config_json().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK(temp_files(dir.path).empty());
}

TEST_CASE("config store: a broken file is never overwritten: byte-identical after a refused update") {
  StoreTempDir dir;
  ConfigStore store(dir.data_dir());
  const std::string path = dir.data_dir().config_json();
  Json valid = config_to_json(default_config());
  struct Case {
    const char* name;
    std::string text;
    std::string expect;
  };
  Json wrong_type = valid;
  wrong_type["banks"][0]["weight"] = "fifty";
  Json dup = valid;
  dup["banks"][3]["id"] = "bank_b";
  const std::string good = valid.dump(2);
  const std::vector<Case> cases = {
      {"bad json", good.substr(0, good.size() / 2), path + ":"},
      {"stray comma", "{\n  \"banks\": [],\n}\n", path + ":3:1: "},
      {"wrong type", wrong_type.dump(2), "banks[0].weight: must be an integer >= 0, got \"fifty\""},
      {"duplicate id", dup.dump(2), "banks[3].id: duplicate of banks[1].id \"bank_b\""},
      {"empty", "", path + ":1:1: "},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    { std::ofstream(path, std::ios::binary | std::ios::trunc) << c.text; }
    bool called = false;
    auto r = store.update([&](Config& cfg) {
      called = true;
      return set_weight(cfg, 1);
    });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == Error::Kind::invalid_config);
    CHECK(r.error().message.find(c.expect) != std::string::npos);
    CHECK(r.error().message.find("left as it is") != std::string::npos);
    CHECK_FALSE(called);
    CHECK(slurp(path) == c.text);
    CHECK(temp_files(dir.path).empty());
  }
}

TEST_CASE("config store: a failing or invalidating change writes nothing") {
  StoreTempDir dir;
  ConfigStore store(dir.data_dir());
  REQUIRE(store.init(default_config(), false).ok());
  const std::string before = slurp(dir.data_dir().config_json());

  auto r = store.update([](Config&) -> Status { return make_error("no such bank", Error::Kind::invalid_input); });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "no such bank");

  r = store.update([](Config& c) {
    c.banks[0].retry_policy.max_retries = 42;
    c.routing_rules.primary_bank = "bank_z";
    return ok_status();
  });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == Error::Kind::invalid_input);
  CHECK(r.error().message.find("banks[0].retry_policy.max_retries: must be 0..10, got 42") != std::string::npos);
  CHECK(r.error().message.find("routing_rules.primary_bank: \"bank_z\" is not a bank id") != std::string::npos);
  CHECK(slurp(dir.data_dir().config_json()) == before);
  CHECK(temp_files(dir.path).empty());
}

TEST_CASE("config store: history beyond the limit moves, oldest first, to agent_history.jsonl; nothing is lost") {
  StoreTempDir dir;
  ConfigStoreOptions options;
  options.history_limit = 5;
  ConfigStore store(dir.data_dir(), options);
  REQUIRE(store.init(default_config(), false).ok());
  int n = 0;
  for (int i = 0; i < 23; ++i) {
    // Some updates add two entries, to cross the bound by more than one at a time.
    const int add = i % 3 == 0 ? 2 : 1;
    auto r = store.update([&](Config& c) {
      for (int k = 0; k < add; ++k) c.agent_history.push_back(entry(n++));
      return ok_status();
    });
    REQUIRE(r.ok());
    CHECK(r->agent_history.size() <= 5);
  }
  const auto cfg = store.load();
  REQUIRE(cfg.ok());
  REQUIRE(cfg->agent_history.size() == 5);
  const auto lines = lines_of(dir.data_dir().history_jsonl());
  REQUIRE(lines.size() == static_cast<std::size_t>(n - 5));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Json j = *parse_json_text(lines[i], "jsonl");
    CHECK(j["details"]["n"] == static_cast<int>(i));
    CHECK(j["action"] == "set_weights");
    CHECK(j["timestamp"].is_string());
  }
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(cfg->agent_history[i].details["n"] == static_cast<int>(lines.size() + i));
  }
}

TEST_CASE("config store: a symlink at the history jsonl is refused and nothing is written") {
  StoreTempDir dir;
  ConfigStoreOptions options;
  options.history_limit = 0;
  ConfigStore store(dir.data_dir(), options);
  REQUIRE(store.init(default_config(), false).ok());
  const std::string target = dir.path + "/precious";
  { std::ofstream(target) << "keep\n"; }
  REQUIRE(symlink(target.c_str(), dir.data_dir().history_jsonl().c_str()) == 0);
  const std::string before = slurp(dir.data_dir().config_json());
  auto r = store.update([](Config& c) {
    c.agent_history.push_back(entry(1));
    return ok_status();
  });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("symbolic link") != std::string::npos);
  CHECK(slurp(target) == "keep\n");
  CHECK(slurp(dir.data_dir().config_json()) == before);
}

TEST_CASE("config store: a symlink planted at the temp path is refused, not followed") {
  StoreTempDir dir;
  const std::string target = dir.path + "/precious";
  { std::ofstream(target) << "keep\n"; }
  ConfigStoreOptions options;
  options.temp_name = [] { return std::string(".shared_config.json.tmp.predictable"); };
  ConfigStore store(dir.data_dir(), options);
  REQUIRE(ConfigStore(dir.data_dir()).init(default_config(), false).ok());
  const std::string planted = dir.path + "/.shared_config.json.tmp.predictable";
  REQUIRE(symlink(target.c_str(), planted.c_str()) == 0);
  const std::string before = slurp(dir.data_dir().config_json());

  auto r = store.update([](Config& c) { return set_weight(c, 3); });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("could not create temp file " + planted) != std::string::npos);
  CHECK(slurp(target) == "keep\n");
  CHECK(slurp(dir.data_dir().config_json()) == before);
  struct stat st {};
  REQUIRE(lstat(planted.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));  // the planted link was not ours to remove

  // Also as a dangling link: its target must not be created.
  REQUIRE(unlink(planted.c_str()) == 0);
  REQUIRE(symlink((dir.path + "/not_created").c_str(), planted.c_str()) == 0);
  CHECK_FALSE(store.update([](Config& c) { return set_weight(c, 3); }).ok());
  CHECK(lstat((dir.path + "/not_created").c_str(), &st) != 0);
}

TEST_CASE("config store: temp files left by dead writers are removed by the next writer; live ones are not") {
  StoreTempDir dir;
  ConfigStore store(dir.data_dir());
  REQUIRE(store.init(default_config(), false).ok());
  const pid_t dead = fork();
  REQUIRE(dead >= 0);
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const std::string stale = std::string(kConfigTempPrefix) + std::to_string(dead) + ".0123456789abcdef";
  const std::string live = std::string(kConfigTempPrefix) + std::to_string(getpid()) + ".fedcba9876543210";
  const std::string target = dir.path + "/precious";
  { std::ofstream(target) << "keep\n"; }
  { std::ofstream(dir.path + "/" + stale) << "{half"; }
  { std::ofstream(dir.path + "/" + live) << "{half"; }
  const std::string stale_link = std::string(kConfigTempPrefix) + std::to_string(dead) + ".link";
  REQUIRE(symlink(target.c_str(), (dir.path + "/" + stale_link).c_str()) == 0);

  REQUIRE(store.update([](Config& c) { return set_weight(c, 9); }).ok());
  CHECK(temp_files(dir.path) == std::vector<std::string>{live});
  CHECK(slurp(target) == "keep\n");
}

TEST_CASE("config store: the lock is honoured: a held lock makes update time out naming the holder") {
  StoreTempDir dir;
  ConfigStoreOptions options;
  options.lock_timeout_ms = 100;
  ConfigStore store(dir.data_dir(), options);
  REQUIRE(store.init(default_config(), false).ok());
  auto held = FileLock::acquire(dir.data_dir().config_lock(), 100);
  REQUIRE(held.ok());
  auto r = store.update([](Config& c) { return set_weight(c, 2); });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == Error::Kind::lock_timeout);
  CHECK(r.error().message.find("held by pid " + std::to_string(getpid())) != std::string::npos);
  held->release();
  CHECK(store.update([](Config& c) { return set_weight(c, 2); }).ok());
}

TEST_CASE("config store: a crash at any step leaves the old or the new document, whole, and no stale lock") {
  const char* steps[] = {"locked", "read", "changed", "history_appended", "temp_written",
                         "temp_synced", "renamed", "dir_synced"};
  for (const char* crash_step : steps) {
    CAPTURE(crash_step);
    StoreTempDir dir;
    ConfigStoreOptions base_options;
    base_options.history_limit = 2;
    ConfigStore store(dir.data_dir(), base_options);
    REQUIRE(store.init(default_config(), false).ok());
    for (int i = 0; i < 3; ++i) {
      REQUIRE(store.update([&](Config& c) {
        c.agent_history.push_back(entry(i));
        return ok_status();
      }).ok());
    }
    const std::string old_text = slurp(dir.data_dir().config_json());

    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ConfigStoreOptions options = base_options;
      const std::string s = crash_step;
      options.on_step = [s](std::string_view step) {
        if (step == s) _exit(42);
      };
      auto r = ConfigStore(DataDir{dir.path}, options).update([](Config& c) {
        c.banks[1].weight = 77;
        c.agent_history.push_back(entry(100));
        return ok_status();
      });
      _exit(r.ok() ? 0 : 1);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 42);

    const std::string now = slurp(dir.data_dir().config_json());
    auto parsed = parse_config_text(now, "after crash");
    REQUIRE(parsed.ok());
    const bool renamed = std::string_view(crash_step) == "renamed" || std::string_view(crash_step) == "dir_synced";
    if (renamed) {
      CHECK(parsed->banks[1].weight == 77);
    } else {
      CHECK(now == old_text);
    }

    // No stale lock and no leftover temp file after the next writer: it succeeds at once.
    ConfigStoreOptions quick = base_options;
    quick.lock_timeout_ms = 200;
    auto next = ConfigStore(dir.data_dir(), quick).update([](Config& c) { return set_weight(c, 5); });
    REQUIRE_MESSAGE(next.ok(), (next.ok() ? "" : next.error().message));
    CHECK(temp_files(dir.path).empty());
    // Every history entry ever written is in the config or the jsonl (possibly twice after a crash
    // between the jsonl append and the rename; never missing).
    std::set<int> seen;
    for (const auto& e : next->agent_history) seen.insert(e.details["n"].get<int>());
    for (const auto& line : lines_of(dir.data_dir().history_jsonl())) {
      seen.insert((*parse_json_text(line, "jsonl"))["details"]["n"].get<int>());
    }
    CHECK(seen.count(0) == 1);
    CHECK(seen.count(1) == 1);
    CHECK(seen.count(2) == 1);
    CHECK(seen.count(100) == (renamed ? 1u : 0u));
  }
}

TEST_CASE("config store: watcher: reload on change, reject once and keep the last good copy, missing") {
  StoreTempDir dir;
  ConfigStore store(dir.data_dir());
  const std::string path = dir.data_dir().config_json();
  ConfigWatcher w(path);
  CHECK(w.poll() == ConfigWatcher::Poll::missing);
  CHECK_FALSE(w.has_config());

  REQUIRE(store.init(default_config(), false).ok());
  CHECK(w.poll() == ConfigWatcher::Poll::reloaded);
  REQUIRE(w.has_config());
  CHECK(w.current().banks[1].weight == 25);
  CHECK(w.poll() == ConfigWatcher::Poll::unchanged);
  CHECK(w.reload_count() == 1);

  REQUIRE(store.update([](Config& c) { return set_weight(c, 11); }).ok());
  CHECK(w.poll() == ConfigWatcher::Poll::reloaded);
  CHECK(w.current().banks[1].weight == 11);
  CHECK(w.reload_count() == 2);

  spit(path, "{\n  \"banks\": oops\n}\n");
  CHECK(w.poll() == ConfigWatcher::Poll::rejected);
  CHECK(w.last_error().find(path + ":2:12: ") == 0);
  CHECK(w.current().banks[1].weight == 11);  // last good copy kept
  CHECK(w.poll() == ConfigWatcher::Poll::unchanged);  // reported once per bad version

  Json invalid = config_to_json(default_config());
  invalid["routing_rules"]["primary_bank"] = "bank_z";
  spit(path, invalid.dump(2));
  CHECK(w.poll() == ConfigWatcher::Poll::rejected);
  CHECK(w.last_error().find("routing_rules.primary_bank") != std::string::npos);
  CHECK(w.current().banks[1].weight == 11);

  Json fixed = config_to_json(default_config());
  fixed["banks"][1]["weight"] = 12;
  spit(path, fixed.dump(2));
  CHECK(w.poll() == ConfigWatcher::Poll::reloaded);
  CHECK(w.current().banks[1].weight == 12);
  CHECK(w.last_error().empty());

  REQUIRE(unlink(path.c_str()) == 0);
  CHECK(w.poll() == ConfigWatcher::Poll::missing);
  CHECK(w.current().banks[1].weight == 12);
}

TEST_CASE("config store: file_identity changes with each replace") {
  StoreTempDir dir;
  ConfigStore store(dir.data_dir());
  CHECK_FALSE(file_identity(dir.data_dir().config_json()).has_value());
  REQUIRE(store.init(default_config(), false).ok());
  const auto a = file_identity(dir.data_dir().config_json());
  REQUIRE(a.has_value());
  CHECK(file_identity(dir.data_dir().config_json()) == a);
  REQUIRE(store.update([](Config& c) { return set_weight(c, 1); }).ok());
  CHECK(file_identity(dir.data_dir().config_json()) != a);
}

TEST_CASE("config store: one size limit: a write that would exceed it is refused (invalid_config) and nothing changes") {
  StoreTempDir dir;
  ConfigStore store(dir.data_dir());
  REQUIRE(store.init(default_config(), false).ok());
  const std::string before = slurp(dir.data_dir().config_json());
  auto r = store.update([](Config& c) {
    c.banks[0].name = std::string(kMaxConfigBytes, 'n');  // the text alone is over the limit
    return ok_status();
  });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == Error::Kind::invalid_config);  // exit 4, as readers give for such a file
  CHECK(r.error().message.find("MiB") != std::string::npos);
  CHECK(slurp(dir.data_dir().config_json()) == before);
  CHECK(temp_files(dir.path).empty());
}

TEST_CASE("config store: readers refuse an over-size file and a FIFO with invalid_config, without blocking") {
  StoreTempDir dir;
  const std::string path = dir.data_dir().config_json();
  REQUIRE(mkfifo(path.c_str(), 0644) == 0);
  auto fifo = ConfigStore(dir.data_dir()).load();
  REQUIRE_FALSE(fifo.ok());
  CHECK(fifo.error().kind == Error::Kind::invalid_config);
  CHECK(fifo.error().message.find("not a regular file") != std::string::npos);
  REQUIRE(unlink(path.c_str()) == 0);
  { std::ofstream(path) << ""; }
  REQUIRE(truncate(path.c_str(), static_cast<off_t>(kMaxConfigBytes) + 1) == 0);  // sparse: no real data
  auto big = read_small_file(path);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().kind == Error::Kind::invalid_config);
}

TEST_CASE("config store: init --force archives the history it replaces to agent_history.jsonl") {
  StoreTempDir dir;
  ConfigStore store(dir.data_dir());
  Config c = default_config();
  c.agent_history = {entry(1), entry(2)};
  REQUIRE(store.init(c, false).ok());
  REQUIRE(store.init(default_config(), true).ok());
  const auto archived = lines_of(dir.data_dir().history_jsonl());
  REQUIRE(archived.size() == 2);
  CHECK(Json::parse(archived[0])["reason"] == entry(1).reason);
  CHECK(Json::parse(archived[1])["reason"] == entry(2).reason);
  CHECK(store.load()->agent_history.empty());
}
