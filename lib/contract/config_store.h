// The contract's protocol for shared_config.json. Writers: sidecar lock (bounded wait) -> read and
// validate the current file (a broken file is never overwritten) -> apply the change -> validate ->
// temp file (O_EXCL) -> fsync -> rename -> fsync the directory -> release. Readers take no lock.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "contract/config_model.h"
#include "contract/data_dir.h"
#include "platform/result.h"

namespace payops {

struct ConfigStoreOptions {
  std::int64_t lock_timeout_ms = 5000;
  std::size_t history_limit = kDefaultHistoryLimit;
  // Fault-injection seam for crash tests: called with the name of each protocol step, in this order,
  // before moving on: "locked", "read", "changed" (change applied and validated), "history_appended"
  // (overflow, if any, is in agent_history.jsonl), "temp_written", "temp_synced", "renamed",
  // "dir_synced". init() skips "read", "changed" and "history_appended". A test may _exit() or
  // raise(SIGKILL) here to simulate a crash at that point.
  std::function<void(std::string_view step)> on_step;
  // Test seam: the temp file's base name. Default ".shared_config.json.tmp.<pid>.<16 hex random>".
  // The temp file is created with O_EXCL|O_NOFOLLOW, so whatever sits at that name (a planted
  // symlink included) makes the write fail rather than be followed; a default name is retried with a
  // new random part a few times first.
  std::function<std::string()> temp_name;
};

// The one size limit for shared_config.json: readers refuse a larger file (kind invalid_config, exit
// 4 in every tool) and writers refuse to produce one (same kind), so no write makes a file the
// readers refuse.
inline constexpr std::size_t kMaxConfigBytes = 64u << 20;

inline constexpr std::string_view kConfigTempPrefix = ".shared_config.json.tmp.";

class ConfigStore {
 public:
  explicit ConfigStore(DataDir dir, ConfigStoreOptions options = {});

  // Lockless read and validation of the current file. Errors: not_found (no file), invalid_config
  // (parse error with line:column, or every validation problem with its path).
  Result<Config> load() const;

  // The locked read-modify-write. `change` edits the config in place; an error from it aborts with
  // nothing written. The result is validated before it is written. agent_history beyond
  // history_limit is moved, oldest first, to agent_history.jsonl (appended and fsynced before the
  // rename, so no entry is ever lost; a crash between that append and the rename can leave an entry
  // in both places, never in neither). Returns the config as written.
  // Errors: lock_timeout (names the holder pid); not_found (no config: run `config-tool init`);
  // invalid_config (the current file is broken: line:column or every problem; the file is left
  // byte-identical); invalid_input (the change would make the config invalid); whatever `change`
  // returns; failed (I/O). Temp files are removed on every error path, and temp files left by
  // writers that died (their pid is gone) are removed by the next writer under the lock.
  // The new file keeps the old file's permission bits.
  Result<Config> update(const std::function<Status(Config&)>& change);

  // Writes `config` as the file under the lock. Refuses to replace an existing file unless force
  // (error kind conflict). The config is validated first (invalid_input). With force, the history of
  // the file it replaces (when that file parses) is appended to agent_history.jsonl first.
  Status init(const Config& config, bool force);

  const DataDir& data_dir() const { return dir_; }

 private:
  // REQUIRES: the lock is held. Temp file, fsync, rename, directory fsync.
  Status write_locked(const std::string& text, mode_t mode);
  void remove_stale_temp_files() const;
  DataDir dir_;
  ConfigStoreOptions options_;
};

// What identifies a version of the file for lockless readers: a new inode (rename), size or mtime.
struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = -1;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};
// One stat(2) of path (following symlinks); nullopt when it cannot be stat'ed.
std::optional<FileIdentity> file_identity(const std::string& path);

// Reads a whole regular file of at most kMaxConfigBytes, without blocking on a FIFO. Errors:
// not_found, invalid_config (not a regular file, too large), failed.
Result<std::string> read_small_file(const std::string& path);

// A long-running reader's view of the config: re-reads only when the file's identity changes, keeps
// the last good copy when a new version fails to parse or validate, and reports that once per bad
// version.
class ConfigWatcher {
 public:
  explicit ConfigWatcher(std::string path);

  enum class Poll { unchanged, reloaded, rejected, missing };
  // Checks identity (one stat); re-reads and validates only on change. On `rejected`, last_error()
  // says why and current() is still the last good config.
  Poll poll();

  bool has_config() const { return config_.has_value(); }
  const Config& current() const { return *config_; }  // REQUIRES: has_config()
  const std::string& last_error() const { return last_error_; }
  std::uint64_t reload_count() const { return reloads_; }

 private:
  std::string path_;
  std::optional<FileIdentity> seen_;
  std::optional<Config> config_;
  std::string last_error_;
  std::uint64_t reloads_ = 0;
};

}  // namespace payops
