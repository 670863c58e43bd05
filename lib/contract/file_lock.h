// Exclusive advisory locks with flock(2), with a bounded wait that names the holder. flock locks die
// with their process, so a crash never leaves a stale lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "platform/result.h"

namespace payops {

class FileLock {
 public:
  // Opens (creating, mode 0644) path with O_NOFOLLOW|O_CLOEXEC (a symlink planted there is refused,
  // anything but a regular file, and a file with more than one hard link, whose other name our pid
  // write would truncate) and takes LOCK_EX, waiting up to timeout_ms. The wait is
  // a blocking flock() (queued in the kernel, so a writer that updates in a loop cannot starve the
  // others) bounded by a per-thread timer signal, SIGRTMIN+6, whose no-op handler is installed once
  // if the application has not claimed that signal; otherwise, or when the calling thread blocks it,
  // it polls with LOCK_NB (1..20 ms backoff). On timeout the error (kind lock_timeout) names the
  // file, the holder's pid and process name (from /proc/locks, else the pid the holder wrote into
  // the file) and what to do. On success the lock file holds our pid, for the next waiter's message.
  // If the lock file was replaced between open and lock, the lock is retaken on the new file.
  static Result<FileLock> acquire(const std::string& path, std::int64_t timeout_ms);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();  // releases

  void release();
  int fd() const { return fd_; }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// One attempt at a lock: block == false must not wait. Returns 0 when taken, else -1 with errno
// (EWOULDBLOCK/EAGAIN/EACCES: held by another; EINTR: interrupted).
using LockAttempt = std::function<int(bool block)>;
enum class LockWait { acquired, timed_out, failed };
// The one bounded wait behind every payops lock (flock and fcntl record locks): a non-blocking try,
// then blocking tries (queued in the kernel, so fair) interrupted at the deadline by a per-thread
// timer signal, SIGRTMIN+6 (see FileLock::acquire), or polling when that signal is unavailable.
// On failed, err holds the errno.
LockWait wait_for_lock(const LockAttempt& take, std::chrono::steady_clock::time_point deadline, int& err);

// The pid holding an flock on the file with this inode per /proc/locks, or -1.
long find_flock_holder_pid(const std::string& path);

}  // namespace payops
