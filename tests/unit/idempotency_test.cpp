// The idempotency key's lock: an open-file-description record lock on one byte of the log, which
// conflicts between descriptors (even in one process), not with other keys, and dies with its owner.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/idempotency.h"

using namespace payops;

namespace {

struct KeyTempDir {
  std::string path;
  KeyTempDir() {
    char tmpl[] = "/tmp/payops_keylock_test.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~KeyTempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string log() const {
    const std::string p = path + "/transactions.csv";
    std::ofstream(p, std::ios::app).flush();
    return p;
  }
};

}  // namespace

TEST_CASE("key lock: a second holder of the same key is refused as in flight; another key is not") {
  KeyTempDir dir;
  const std::string log = dir.log();
  auto first = KeyLock::acquire(log, "order-1", 0);
  REQUIRE(first.ok());
  auto second = KeyLock::acquire(log, "order-1", 0);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().kind == Error::Kind::lock_timeout);
  CHECK(second.error().message.find("in flight") != std::string::npos);
  CHECK(KeyLock::acquire(log, "order-2", 0).ok());
}

TEST_CASE("key lock: a waiter gets the key when the holder lets go; the appenders' flock is independent") {
  KeyTempDir dir;
  const std::string log = dir.log();
  auto first = KeyLock::acquire(log, "k", 0);
  REQUIRE(first.ok());
  auto holder = std::make_unique<KeyLock>(std::move(*first));
  // The whole-file flock that appenders take is not blocked by the record lock.
  const int fd = ::open(log.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  CHECK(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  ::flock(fd, LOCK_UN);
  ::close(fd);
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    holder.reset();
  });
  auto waited = KeyLock::acquire(log, "k", 10'000);
  release.join();
  CHECK(waited.ok());
}

TEST_CASE("key lock: a FIFO or a symlink at the log is refused without blocking") {
  KeyTempDir dir;
  const std::string fifo = dir.path + "/fifo.csv";
  REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
  auto r = KeyLock::acquire(fifo, "k", 0);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("not a regular file") != std::string::npos);
  const std::string link_path = dir.path + "/link.csv";
  REQUIRE(symlink(dir.log().c_str(), link_path.c_str()) == 0);
  auto l = KeyLock::acquire(link_path, "k", 0);
  REQUIRE_FALSE(l.ok());
  CHECK(l.error().message.find("symbolic link") != std::string::npos);
}

TEST_CASE("key lock offsets: stable, and never past off_t's range") {
  CHECK(key_lock_offset("order-1") == key_lock_offset("order-1"));
  CHECK(key_lock_offset("order-1") != key_lock_offset("order-2"));
  CHECK(key_lock_offset("x") >= 0);
  CHECK(key_lock_offset("x") < INT64_MAX);
}
