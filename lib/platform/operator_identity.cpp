// The operator's identity from the environment, the passwd database and the host name.
#include "platform/operator_identity.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace payops {
namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

OperatorIdentity current_operator() {
  OperatorIdentity id;
  // SUDO_USER first: `sudo config-tool ...` is alice acting, not root.
  id.user = env_or_empty("SUDO_USER");
  if (id.user.empty()) id.user = env_or_empty("USER");
  if (id.user.empty()) {
    const struct passwd* pw = ::getpwuid(::getuid());
    id.user = pw && pw->pw_name ? pw->pw_name : "uid " + std::to_string(::getuid());
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) id.host = host;
  // Bounded: the config bounds free text, and a hostile environment must not bloat the history.
  if (id.user.size() > 64) id.user.resize(64);
  if (id.host.size() > 128) id.host.resize(128);
  return id;
}

}  // namespace payops
