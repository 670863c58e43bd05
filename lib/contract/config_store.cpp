// The writer's protocol for shared_config.json (lock -> read+validate -> change -> validate ->
// history overflow to jsonl -> temp file -> fsync -> rename -> fsync dir -> unlock) and the
// lockless reader's identity-based reload.
#include "contract/config_store.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "contract/file_lock.h"
#include "platform/random.h"

namespace payops {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Closes a descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  // close() reports deferred write errors on some file systems, so callers that wrote check it.
  int reset() {
    int rc = 0;
    if (fd_ >= 0) rc = close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Unlinks a temp file on scope exit unless dismissed (after the rename made it the config).
class TempFileGuard {
 public:
  explicit TempFileGuard(std::string path) : path_(std::move(path)) {}
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  ~TempFileGuard() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  void dismiss() { path_.clear(); }

 private:
  std::string path_;
};

FileIdentity identity_of(const struct stat& st) {
  return FileIdentity{st.st_dev, st.st_ino, st.st_size,
                      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                          static_cast<std::int64_t>(st.st_mtim.tv_nsec)};
}

struct FileContents {
  std::string text;
  mode_t mode = 0644;
  FileIdentity identity;
};

Error too_large(const std::string& path, std::uint64_t bytes) {
  return make_error(fmt::format("{} is {} bytes, larger than the {} MiB every payops tool accepts for a config",
                                path, bytes, kMaxConfigBytes >> 20),
                    Error::Kind::invalid_config);
}

// The writers' side of the one size limit: a text that no reader would accept is never written.
Status check_writable_size(const std::string& path, std::size_t bytes) {
  if (bytes <= kMaxConfigBytes) return ok_status();
  return make_error(fmt::format("the change was not written: it would make {} {} bytes, larger than the {} MiB "
                                "every payops tool accepts (long reasons or names?)",
                                path, bytes, kMaxConfigBytes >> 20),
                    Error::Kind::invalid_config);
}

// One open, one fstat, reads to EOF: text, mode and identity all describe the same inode.
Result<FileContents> read_file(const std::string& path) {
  // O_NONBLOCK so a FIFO planted at the path cannot block the open; refused by the fstat below.
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT) return make_error(path + " does not exist", Error::Kind::not_found);
    return make_error("could not open " + path + ": " + errno_text(err));
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return make_error("could not stat " + path + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode))
    return make_error(path + " is not a regular file (a FIFO, device or directory is never a config)",
                      Error::Kind::invalid_config);
  if (static_cast<std::uint64_t>(st.st_size) > kMaxConfigBytes) return too_large(path, static_cast<std::uint64_t>(st.st_size));
  FileContents out;
  out.mode = st.st_mode & 0777;
  out.identity = identity_of(st);
  char buf[65536];
  while (true) {
    const ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("could not read " + path + ": " + errno_text(errno));
    }
    if (n == 0) break;
    out.text.append(buf, static_cast<std::size_t>(n));
    if (out.text.size() > kMaxConfigBytes) return too_large(path, out.text.size());
  }
  return out;
}

Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("could not write " + path + ": " + errno_text(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_status();
}

Status fsync_directory(const std::string& dir) {
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return make_error("could not open directory " + dir + ": " + errno_text(errno));
  if (fsync(fd.get()) != 0) {
    return make_error("could not fsync directory " + dir + ": " + errno_text(errno) +
                      " (the new config is in place but may not survive a power loss)");
  }
  return ok_status();
}

std::string not_found_message(const std::string& path) {
  return path + " does not exist: run `config-tool init` to create it (with --data-dir DIR if the "
                "data directory is elsewhere)";
}

std::string default_temp_name() {
  char rnd[17];
  std::snprintf(rnd, sizeof rnd, "%016llx", static_cast<unsigned long long>(Random::os_seed()));
  return std::string(kConfigTempPrefix) + std::to_string(getpid()) + "." + rnd;
}

// Appends entries as JSON lines and fsyncs. A line left unfinished by a crashed writer is ended
// first, so it costs only itself.
Status append_history_lines(const std::string& path, const std::vector<HistoryEntry>& entries) {
  std::string lines;
  for (const auto& e : entries) {
    lines += history_entry_to_json(e).dump(-1, ' ', false, Json::error_handler_t::replace);
    lines += '\n';
  }
  Fd fd(open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644));
  if (fd.get() < 0) {
    const int err = errno;
    return make_error("could not open " + path + ": " + errno_text(err) +
                      (err == ELOOP ? " (it is a symbolic link; refusing to follow it)" : ""));
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_error("could not append to " + path + ": it is not a regular file");
  if (st.st_size > 0) {
    char last = '\n';
    if (pread(fd.get(), &last, 1, st.st_size - 1) == 1 && last != '\n') lines.insert(0, "\n");
  }
  if (auto s = write_all(fd.get(), lines, path); !s) return s;
  if (fsync(fd.get()) != 0) return make_error("could not fsync " + path + ": " + errno_text(errno));
  if (fd.reset() != 0) return make_error("could not close " + path + ": " + errno_text(errno));
  return ok_status();
}

}  // namespace

std::optional<FileIdentity> file_identity(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  return identity_of(st);
}

Result<std::string> read_small_file(const std::string& path) {
  auto contents = read_file(path);
  if (!contents) return contents.error();
  return std::move(contents->text);
}

ConfigStore::ConfigStore(DataDir dir, ConfigStoreOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {}

Result<Config> ConfigStore::load() const {
  const std::string path = dir_.config_json();
  auto contents = read_file(path);
  if (!contents) {
    if (contents.error().kind == Error::Kind::not_found) {
      return make_error(not_found_message(path), Error::Kind::not_found);
    }
    return contents.error();
  }
  return parse_config_text(contents->text, path);
}

void ConfigStore::remove_stale_temp_files() const {
  DIR* d = opendir(dir_.dir.c_str());
  if (d == nullptr) return;
  while (const dirent* entry = readdir(d)) {
    const std::string_view name = entry->d_name;
    if (name.substr(0, kConfigTempPrefix.size()) != kConfigTempPrefix) continue;
    const std::string rest(name.substr(kConfigTempPrefix.size()));
    char* end = nullptr;
    const long pid = std::strtol(rest.c_str(), &end, 10);
    if (end == rest.c_str() || *end != '.' || pid <= 0) continue;
    // Only a dead writer's file: under the lock no live payops writer has one, but a process that
    // does not follow the protocol might, and its file is not ours to take.
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    unlinkat(dirfd(d), entry->d_name, 0);  // a planted symlink is removed, never followed
  }
  closedir(d);
}

Status ConfigStore::write_locked(const std::string& text, mode_t mode) {
  const auto step = [&](std::string_view s) {
    if (options_.on_step) options_.on_step(s);
  };
  constexpr int kAttempts = 8;
  std::string tmp;
  int raw_fd = -1;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    tmp = dir_.dir + "/" + (options_.temp_name ? options_.temp_name() : default_temp_name());
    raw_fd = open(tmp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (raw_fd >= 0) break;
    const int err = errno;
    if (err == EEXIST && !options_.temp_name) continue;  // a fresh random name next time
    return make_error("could not create temp file " + tmp + ": " + errno_text(err) +
                      (err == EEXIST ? " (something is already there; refusing to follow or reuse it)"
                                     : ""));
  }
  if (raw_fd < 0) return make_error("could not create a unique temp file in " + dir_.dir);
  Fd fd(raw_fd);
  TempFileGuard guard(tmp);

  if (fchmod(fd.get(), mode) != 0) {
    return make_error("could not set the mode of " + tmp + ": " + errno_text(errno));
  }
  if (auto s = write_all(fd.get(), text, tmp); !s) return s;
  step("temp_written");
  if (fsync(fd.get()) != 0) return make_error("could not fsync " + tmp + ": " + errno_text(errno));
  step("temp_synced");
  if (fd.reset() != 0) return make_error("could not close " + tmp + ": " + errno_text(errno));
  const std::string path = dir_.config_json();
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    return make_error("could not rename " + tmp + " to " + path + ": " + errno_text(errno));
  }
  guard.dismiss();
  step("renamed");
  if (auto s = fsync_directory(dir_.dir); !s) return s;
  step("dir_synced");
  return ok_status();
}

Result<Config> ConfigStore::update(const std::function<Status(Config&)>& change) {
  const auto step = [&](std::string_view s) {
    if (options_.on_step) options_.on_step(s);
  };
  auto lock = FileLock::acquire(dir_.config_lock(), options_.lock_timeout_ms);
  if (!lock) return lock.error();
  step("locked");
  remove_stale_temp_files();

  const std::string path = dir_.config_json();
  auto current = read_file(path);
  if (!current) {
    if (current.error().kind == Error::Kind::not_found) {
      return make_error(not_found_message(path), Error::Kind::not_found);
    }
    return current.error();
  }
  auto parsed = parse_config_text(current->text, path);
  if (!parsed) {
    return make_error(parsed.error().message + "\n(" + path +
                          " was left as it is: fix it by hand, then retry)",
                      Error::Kind::invalid_config);
  }
  step("read");

  Config next = std::move(*parsed);
  if (auto s = change(next); !s) return s.error();

  std::vector<HistoryEntry> overflow;
  if (next.agent_history.size() > options_.history_limit) {
    const auto excess = static_cast<std::ptrdiff_t>(next.agent_history.size() - options_.history_limit);
    overflow.assign(std::make_move_iterator(next.agent_history.begin()),
                    std::make_move_iterator(next.agent_history.begin() + excess));
    next.agent_history.erase(next.agent_history.begin(), next.agent_history.begin() + excess);
  }
  const auto problems = validate_config_json(config_to_json(next));
  if (!problems.empty()) {
    std::string message = "the change was not written: it would make " + path + " invalid:";
    for (const auto& p : problems) message += "\n  " + p.to_string();
    return make_error(std::move(message), Error::Kind::invalid_input);
  }
  const std::string text = config_to_text(next);
  if (auto s = check_writable_size(path, text.size()); !s) return s.error();
  step("changed");

  if (!overflow.empty()) {
    if (auto s = append_history_lines(dir_.history_jsonl(), overflow); !s) return s.error();
  }
  step("history_appended");

  if (auto s = write_locked(text, current->mode); !s) return s.error();
  return next;
}

Status ConfigStore::init(const Config& config, bool force) {
  auto lock = FileLock::acquire(dir_.config_lock(), options_.lock_timeout_ms);
  if (!lock) return lock.error();
  if (options_.on_step) options_.on_step("locked");
  remove_stale_temp_files();

  const std::string path = dir_.config_json();
  mode_t mode = 0644;
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!force) {
      return make_error(path + " already exists; pass --force to replace it", Error::Kind::conflict);
    }
    if (S_ISREG(st.st_mode)) mode = st.st_mode & 0777;
    // The history being replaced goes to agent_history.jsonl first, as history that falls off does.
    if (auto old = read_file(path); old.ok()) {
      if (auto parsed = parse_config_text(old->text, path); parsed.ok() && !parsed->agent_history.empty()) {
        if (auto s = append_history_lines(dir_.history_jsonl(), parsed->agent_history); !s) return s.error();
      }
    }
  }
  const auto problems = validate_config_json(config_to_json(config));
  if (!problems.empty()) {
    std::string message = "refusing to write an invalid config to " + path + ":";
    for (const auto& p : problems) message += "\n  " + p.to_string();
    return make_error(std::move(message), Error::Kind::invalid_input);
  }
  const std::string text = config_to_text(config);
  if (auto s = check_writable_size(path, text.size()); !s) return s.error();
  return write_locked(text, mode);
}

ConfigWatcher::ConfigWatcher(std::string path) : path_(std::move(path)) {}

ConfigWatcher::Poll ConfigWatcher::poll() {
  const auto id = file_identity(path_);
  if (!id) {
    seen_.reset();
    return Poll::missing;
  }
  if (seen_ && *id == *seen_) return Poll::unchanged;

  auto contents = read_file(path_);
  if (!contents) {
    if (contents.error().kind == Error::Kind::not_found) {
      seen_.reset();
      return Poll::missing;
    }
    seen_ = id;
    last_error_ = contents.error().message;
    return Poll::rejected;
  }
  // The identity of what we actually read (the file may have been replaced since the stat).
  seen_ = contents->identity;
  auto parsed = parse_config_text(contents->text, path_);
  if (!parsed) {
    last_error_ = parsed.error().message;
    return Poll::rejected;
  }
  config_ = std::move(*parsed);
  ++reloads_;
  last_error_.clear();
  return Poll::reloaded;
}

}  // namespace payops
