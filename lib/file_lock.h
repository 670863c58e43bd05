// Exclusive advisory locks with flock(2), with a bounded wait that names the holder. flock locks die
// with their process, so a crash never leaves a stale lock.
#pragma once

#include <cstdint>
#include <string>

#include "result.h"

namespace payops {

class FileLock {
 public:
  // Opens (creating, mode 0644) path with O_NOFOLLOW|O_CLOEXEC (a symlink planted there is refused)
  // and takes LOCK_EX, polling until timeout_ms. On timeout the error (kind lock_timeout) names the
  // file, the holder's pid (from /proc/locks, else the pid the holder wrote into the file) and what
  // to do. On success the lock file holds our pid, for the next waiter's message.
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

// The pid holding an flock on the file with this inode per /proc/locks, or -1.
long find_flock_holder_pid(const std::string& path);

}  // namespace payops
