// flock(2)-based exclusive lock with a bounded, polling wait. The lock file is never removed: its
// inode is what everyone locks, and removing it would let two writers lock two different inodes.
#include "contract/file_lock.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <csignal>
#include <ctime>

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace payops {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// The pid a holder wrote into the lock file ("1234\n"), or -1.
long pid_from_lock_file(int fd) {
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return -1;
  char* end = nullptr;
  const long pid = std::strtol(buf, &end, 10);
  return (end != buf && pid > 0) ? pid : -1;
}

// /proc/PID/comm without its newline, or "".
std::string process_name(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

// The bounded wait. Polling with LOCK_NB is unfair: a writer that updates in a loop re-takes the
// lock microseconds after releasing it, while a poller sleeps, so pollers can starve past the bound.
// A blocking flock() queues in the kernel and is woken at the release, so it gets a fair chance.
// The bound comes from a per-thread POSIX timer that sends kLockSignal (a no-op handler installed
// without SA_RESTART, so flock fails with EINTR); the timer re-fires every 5 ms after the deadline,
// so a signal that lands just before flock() is entered cannot make us block forever.
// Falls back to polling when the signal is taken by the application or blocked in this thread.
constexpr auto kPollMax = std::chrono::milliseconds(20);

void on_lock_signal(int) {}

// The signal, or -1 when we must not use one (the application installed its own handler).
int lock_signal() {
  static const int signo = [] {
    const int s = SIGRTMIN + 6;
    struct sigaction old {};
    if (sigaction(s, nullptr, &old) != 0 || old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)) {
      return -1;
    }
    struct sigaction sa {};
    sa.sa_handler = on_lock_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the blocked flock() must return EINTR
    return sigaction(s, &sa, nullptr) == 0 ? s : -1;
  }();
  return signo;
}

timespec to_timespec(std::chrono::nanoseconds d) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(d.count() / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(d.count() % 1'000'000'000);
  return ts;
}

using Wait = LockWait;

Wait poll_lock(const LockAttempt& take, std::chrono::steady_clock::time_point deadline, int& err) {
  std::chrono::milliseconds backoff{1};
  while (true) {
    if (take(false) == 0) return Wait::acquired;
    err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK && err != EAGAIN && err != EACCES) return Wait::failed;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return Wait::timed_out;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(backoff, deadline - now));
    backoff = std::min(backoff * 2, kPollMax);
  }
}

}  // namespace

LockWait wait_for_lock(const LockAttempt& take, std::chrono::steady_clock::time_point deadline, int& err) {
  if (take(false) == 0) return Wait::acquired;  // the common, uncontended case
  err = errno;
  if (err != EWOULDBLOCK && err != EAGAIN && err != EACCES && err != EINTR) return Wait::failed;
  const auto remaining = deadline - std::chrono::steady_clock::now();
  if (remaining <= std::chrono::steady_clock::duration::zero()) return Wait::timed_out;

  const int signo = lock_signal();
  sigset_t blocked;
  if (signo < 0 || pthread_sigmask(SIG_BLOCK, nullptr, &blocked) != 0 || sigismember(&blocked, signo)) {
    return poll_lock(take, deadline, err);
  }
  sigevent sev{};
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = signo;
  sev._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));
  timer_t timer{};
  if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0) return poll_lock(take, deadline, err);
  itimerspec spec{};
  spec.it_value = to_timespec(std::max<std::chrono::nanoseconds>(remaining, std::chrono::nanoseconds(1)));
  spec.it_interval = to_timespec(std::chrono::milliseconds(5));
  Wait result = Wait::timed_out;
  if (timer_settime(timer, 0, &spec, nullptr) != 0) {
    timer_delete(timer);
    return poll_lock(take, deadline, err);
  }
  while (true) {
    if (take(true) == 0) {
      result = Wait::acquired;
      break;
    }
    err = errno;
    if (err != EINTR) {
      result = Wait::failed;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      // One last try: the lock may have been released as the timer fired.
      result = take(false) == 0 ? Wait::acquired : Wait::timed_out;
      break;
    }
  }
  timer_delete(timer);  // also discards a queued, undelivered timer signal
  return result;
}

namespace {

std::string format_seconds(std::int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(ms) / 1000.0);
  return buf;
}

}  // namespace

long find_flock_holder_pid(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return -1;
  std::ifstream in("/proc/locks");
  std::string line;
  long inode_only_match = -1;
  while (std::getline(in, line)) {
    // "1: FLOCK  ADVISORY  WRITE 1234 08:01:123456 0 EOF"; waiters appear as "1: -> FLOCK ...".
    std::istringstream fields(line);
    std::string ordinal, type, mode, access, device;
    long pid = -1;
    if (!(fields >> ordinal >> type) || type != "FLOCK") continue;
    if (!(fields >> mode >> access >> pid >> device)) continue;
    unsigned maj = 0, min = 0;
    unsigned long long ino = 0;
    if (std::sscanf(device.c_str(), "%x:%x:%llu", &maj, &min, &ino) != 3) continue;
    if (ino != static_cast<unsigned long long>(st.st_ino) || pid <= 0) continue;
    if (maj == major(st.st_dev) && min == minor(st.st_dev)) return pid;
    // Overlay and some FUSE file systems report a device that differs from stat's st_dev.
    inode_only_match = pid;
  }
  return inode_only_match;
}

Result<FileLock> FileLock::acquire(const std::string& path, std::int64_t timeout_ms) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    // O_NONBLOCK only so a FIFO planted at the path cannot block the open; refused below.
    const int fd = open(path.c_str(), O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644);
    if (fd < 0) {
      const int err = errno;
      if (err == ELOOP) {
        return make_error("refusing to lock " + path +
                          ": it is a symbolic link (lock files are opened without following "
                          "links); remove it if you did not put it there");
      }
      return make_error("could not open lock file " + path + ": " + errno_text(err));
    }
    FileLock lock(fd);
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      return make_error("refusing to lock " + path + ": it is not a regular file");
    }
    // A hard link planted at the lock path would make our pid write below truncate its other name.
    if (st.st_nlink > 1) {
      return make_error("refusing to lock " + path + ": it has " + std::to_string(st.st_nlink) +
                        " hard links (a lock file has one); remove it if you did not link it");
    }

    int err = 0;
    const Wait waited =
        wait_for_lock([fd](bool block) { return flock(fd, block ? LOCK_EX : LOCK_EX | LOCK_NB); }, deadline, err);
    if (waited == Wait::failed) return make_error("could not lock " + path + ": " + errno_text(err));
    if (waited == Wait::timed_out) {
      long holder = find_flock_holder_pid(path);
      if (holder <= 0) holder = pid_from_lock_file(fd);
      std::string who = "held by an unknown process";
      if (holder > 0) {
        who = "held by pid " + std::to_string(holder);
        const std::string name = process_name(holder);
        if (!name.empty()) who += " (" + name + ")";
      }
      return make_error("could not lock " + path + " within " + format_seconds(timeout_ms) + " s: " +
                            who + " \u2014 wait and retry, or check that process",
                        Error::Kind::lock_timeout);
    }

    // Someone may have removed or replaced the lock file between our open and flock; then we hold a
    // lock nobody else will look at. Start over on the file that is there now.
    struct stat now_st {};
    if (stat(path.c_str(), &now_st) != 0 || now_st.st_ino != st.st_ino || now_st.st_dev != st.st_dev) {
      continue;  // `lock` goes out of scope: unlock and close
    }

    // Leave our pid for the next waiter's message. Best effort: the lock holds without it.
    const std::string pid_line = std::to_string(getpid()) + "\n";
    if (ftruncate(fd, 0) == 0) {
      [[maybe_unused]] const ssize_t n = pwrite(fd, pid_line.data(), pid_line.size(), 0);
    }
    return lock;
  }
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { release(); }

void FileLock::release() {
  if (fd_ < 0) return;
  // Explicit unlock: a child forked while we held the lock shares the open file description, and
  // close() alone would leave the lock held until that child exits too.
  flock(fd_, LOCK_UN);
  close(fd_);
  fd_ = -1;
}

}  // namespace payops
