// Who is making a change: the person behind a config-tool command, recorded in agent_history so an
// operator's change is never anonymous.
#pragma once

#include <string>

namespace payops {

struct OperatorIdentity {
  std::string user;  // $SUDO_USER (the person behind sudo), else $USER, else the passwd name, else "uid N"
  std::string host;  // gethostname(), "" if unavailable
  // "alice@host", or "alice" without a host.
  std::string to_string() const { return host.empty() ? user : user + "@" + host; }
};

OperatorIdentity current_operator();

}  // namespace payops
