// The lockstep tick command (see tick_command.h): fork, exec /bin/sh -c, wait.
#include "platform/tick_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace payops {

Status run_tick_command(const std::string& command, TimeMs virtual_now_ms) {
  const std::string now = format_timestamp(virtual_now_ms);
  const pid_t pid = ::fork();
  if (pid < 0) {
    return make_error(fmt::format("cannot start the tick command at virtual time {}: fork: {}", now,
                                  std::strerror(errno)));
  }
  if (pid == 0) {
    // The child: only async-signal-safe work would be strictly required after fork in a threaded
    // process; the simulator is single-threaded, so setenv before exec is safe here.
    ::setenv(kTickNowEnv, now.c_str(), 1);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);  // the shell's own code for "command not found"
  }
  int status = 0;
  // A stop signal reaches the child too (same process group); wait for it to finish either way.
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return make_error(fmt::format("tick command at virtual time {}: waitpid: {}", now, std::strerror(errno)));
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok_status();
  const std::string how = WIFEXITED(status) ? fmt::format("exited with status {}", WEXITSTATUS(status))
                                            : fmt::format("was killed by signal {}", WTERMSIG(status));
  return make_error(fmt::format("the tick command {} at virtual time {} (PAYOPS_NOW); the run stops here: {}", how,
                                now, command));
}

}  // namespace payops
