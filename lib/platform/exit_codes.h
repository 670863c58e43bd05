// Exit codes shared by config-tool, simulator and agent (checkout adds payment outcomes of its own;
// see tools/checkout). Scripts rely on these numbers: they are documented in each --help and README.
#pragma once

#include "platform/result.h"

namespace payops {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,        // I/O or another runtime failure
  kExitUsage = 2,          // bad flags or invalid input; nothing was written
  kExitLockTimeout = 3,    // the config lock was held by another process for longer than the bound
  kExitInvalidConfig = 4,  // shared_config.json is missing, unparsable or invalid; left as it was
};

inline int exit_code_for(const Error& e) {
  switch (e.kind) {
    case Error::Kind::invalid_input: return kExitUsage;
    case Error::Kind::lock_timeout: return kExitLockTimeout;
    case Error::Kind::invalid_config:
    case Error::Kind::not_found: return kExitInvalidConfig;
    case Error::Kind::conflict:
    case Error::Kind::failed: return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace payops
