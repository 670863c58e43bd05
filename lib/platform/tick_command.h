// The simulator's lockstep tick: a shell command run at an instant of virtual time, waited for, its
// failure reported with that instant. Kept apart from the run loop, which only sees a callback.
#pragma once

#include <string>

#include "platform/result.h"
#include "platform/time_util.h"

namespace payops {

// The environment variable that carries the virtual instant to the command, in the contract's
// timestamp form ("2026-11-22T12:00:05.000Z").
inline constexpr const char* kTickNowEnv = "PAYOPS_NOW";

// Runs `/bin/sh -c command` with PAYOPS_NOW=format_timestamp(virtual_now_ms) in its environment,
// stdin/stdout/stderr inherited, and waits for it. Errors (one sentence, with the command and the
// virtual instant): it could not be started, it exited non-zero, or a signal killed it.
Status run_tick_command(const std::string& command, TimeMs virtual_now_ms);

}  // namespace payops
