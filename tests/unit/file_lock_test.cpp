// FileLock: bounded wait that names the holder (another process, or util-linux flock(1)), no stale
// lock after the holder dies, symlinks refused.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contract/file_lock.h"

using namespace payops;

namespace {

struct LockTempDir {
  std::string path;
  LockTempDir() {
    char tmpl[] = "/tmp/payops_lock_test.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~LockTempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Forks a child that takes the lock, reports through a pipe, then sleeps until killed.
pid_t fork_holder(const std::string& path) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    auto lock = FileLock::acquire(path, 1000);
    const char c = lock.ok() ? 'y' : 'n';
    if (write(fds[1], &c, 1) != 1) _exit(3);
    while (true) pause();
  }
  close(fds[1]);
  char c = 0;
  REQUIRE(read(fds[0], &c, 1) == 1);
  close(fds[0]);
  REQUIRE(c == 'y');
  return pid;
}

void kill_and_reap(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

}  // namespace

TEST_CASE("file lock: acquire creates the lock file, writes our pid, and release lets the next one in") {
  LockTempDir dir;
  const std::string path = dir.path + "/shared_config.json.lock";
  {
    auto lock = FileLock::acquire(path, 100);
    REQUIRE(lock.ok());
    CHECK(lock->fd() >= 0);
    CHECK(slurp(path) == std::to_string(getpid()) + "\n");
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK((st.st_mode & 0600) == 0600);
    CHECK(find_flock_holder_pid(path) == getpid());

    // Moving keeps the lock held; the moved-from object releases nothing.
    FileLock moved = std::move(*lock);
    CHECK(lock->fd() == -1);
    CHECK(FileLock::acquire(path, 0).error().kind == Error::Kind::lock_timeout);
    moved.release();
    CHECK(moved.fd() == -1);
    CHECK(find_flock_holder_pid(path) == -1);
  }
  auto again = FileLock::acquire(path, 0);
  CHECK(again.ok());
}

TEST_CASE("file lock: a timeout names the file, the holder's pid and name, and what to do") {
  LockTempDir dir;
  const std::string path = dir.path + "/shared_config.json.lock";
  const pid_t holder = fork_holder(path);
  CHECK(find_flock_holder_pid(path) == holder);

  const auto start = std::chrono::steady_clock::now();
  auto r = FileLock::acquire(path, 300);
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == Error::Kind::lock_timeout);
  CHECK(waited >= std::chrono::milliseconds(300));
  CHECK(waited < std::chrono::milliseconds(1500));
  const std::string& m = r.error().message;
  INFO(m);
  CHECK(m.rfind("could not lock " + path + " within 0.3 s: held by pid " + std::to_string(holder), 0) == 0);
  CHECK(m.find("wait and retry, or check that process") != std::string::npos);

  // flock dies with its process: the next acquire succeeds at once.
  kill_and_reap(holder);
  const auto t0 = std::chrono::steady_clock::now();
  auto after = FileLock::acquire(path, 2000);
  CHECK(after.ok());
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(200));
}

TEST_CASE("file lock: a lock held by util-linux flock(1) is waited for and its pid named") {
  if (std::system("command -v flock >/dev/null 2>&1") != 0) return;  // util-linux is a Debian essential
  LockTempDir dir;
  const std::string path = dir.path + "/shared_config.json.lock";
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // -o: the sleeping command does not inherit the lock, so killing flock(1) frees it.
    execlp("flock", "flock", "-o", path.c_str(), "sleep", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until flock(1) holds it.
  for (int i = 0; i < 200 && find_flock_holder_pid(path) != pid; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(find_flock_holder_pid(path) == pid);
  auto r = FileLock::acquire(path, 100);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == Error::Kind::lock_timeout);
  CHECK(r.error().message.find("held by pid " + std::to_string(pid) + " (flock)") != std::string::npos);
  kill_and_reap(pid);
  CHECK(FileLock::acquire(path, 1000).ok());
}

TEST_CASE("file lock: a symlink planted at the lock path is refused, not followed") {
  LockTempDir dir;
  const std::string target = dir.path + "/precious";
  { std::ofstream(target) << "do not touch\n"; }
  const std::string path = dir.path + "/shared_config.json.lock";
  REQUIRE(symlink(target.c_str(), path.c_str()) == 0);
  auto r = FileLock::acquire(path, 100);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("symbolic link") != std::string::npos);
  CHECK(r.error().message.find(path) != std::string::npos);
  CHECK(slurp(target) == "do not touch\n");

  // A dangling symlink must not create its target either.
  const std::string dangling = dir.path + "/dangling.lock";
  REQUIRE(symlink((dir.path + "/created_by_mistake").c_str(), dangling.c_str()) == 0);
  CHECK_FALSE(FileLock::acquire(dangling, 100).ok());
  struct stat st {};
  CHECK(stat((dir.path + "/created_by_mistake").c_str(), &st) != 0);
}

TEST_CASE("file lock: a lock path that is not a regular file is refused") {
  LockTempDir dir;
  const std::string fifo = dir.path + "/fifo.lock";
  REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
  auto r = FileLock::acquire(fifo, 100);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("not a regular file") != std::string::npos);
  const std::string sub = dir.path + "/sub.lock";
  REQUIRE(mkdir(sub.c_str(), 0755) == 0);
  CHECK_FALSE(FileLock::acquire(sub, 100).ok());
}

TEST_CASE("file lock: no holder: find_flock_holder_pid is -1") {
  LockTempDir dir;
  CHECK(find_flock_holder_pid(dir.path + "/missing.lock") == -1);
  const std::string path = dir.path + "/free.lock";
  { std::ofstream(path) << "123\n"; }
  CHECK(find_flock_holder_pid(path) == -1);
}

TEST_CASE("file lock: a writer that re-locks in a tight loop cannot starve a waiter") {
  LockTempDir dir;
  const std::string path = dir.path + "/shared_config.json.lock";
  const pid_t hog = fork();
  REQUIRE(hog >= 0);
  if (hog == 0) {
    // Holds the lock ~5 ms at a time and re-takes it at once, like back-to-back updates.
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (std::chrono::steady_clock::now() < end) {
      auto lock = FileLock::acquire(path, 10000);
      if (!lock.ok()) _exit(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    _exit(0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  int acquired = 0;
  for (int i = 0; i < 20; ++i) {
    auto lock = FileLock::acquire(path, 1000);
    if (lock.ok()) ++acquired;
    else INFO(lock.error().message);
  }
  CHECK(acquired == 20);
  kill_and_reap(hog);
}

TEST_CASE("file lock: the timeout also holds when the wait falls back to polling") {
  LockTempDir dir;
  const std::string path = dir.path + "/shared_config.json.lock";
  const pid_t holder = fork_holder(path);
  // Block every real-time signal in this thread: the timer cannot interrupt flock, so acquire must
  // poll instead of blocking forever.
  sigset_t set, old;
  sigemptyset(&set);
  for (int s = SIGRTMIN; s <= SIGRTMAX; ++s) sigaddset(&set, s);
  REQUIRE(pthread_sigmask(SIG_BLOCK, &set, &old) == 0);
  const auto start = std::chrono::steady_clock::now();
  auto r = FileLock::acquire(path, 200);
  const auto waited = std::chrono::steady_clock::now() - start;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == Error::Kind::lock_timeout);
  CHECK(waited >= std::chrono::milliseconds(200));
  CHECK(waited < std::chrono::milliseconds(1500));
  kill_and_reap(holder);
}

TEST_CASE("file lock: a hard link planted at the lock path is refused and its other name kept intact") {
  LockTempDir dir;
  const std::string victim = dir.path + "/victim";
  { std::ofstream(victim) << "precious data\n"; }
  const std::string path = dir.path + "/shared_config.json.lock";
  REQUIRE(link(victim.c_str(), path.c_str()) == 0);
  auto r = FileLock::acquire(path, 100);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("hard links") != std::string::npos);
  CHECK(r.error().message.find(path) != std::string::npos);
  CHECK(slurp(victim) == "precious data\n");  // the pid write would have truncated it
}
