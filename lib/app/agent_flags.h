// Helpers shared by the agent's subcommands (agent_commands.cpp, agent_run.cpp): how they report a
// usage error or a failure, and how they read the flags every subcommand shares.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/agent_commands.h"
#include "platform/result.h"
#include "routing/world.h"

namespace payops {

// Prints "agent: MESSAGE" on stderr and returns the usage exit code.
int agent_usage(const std::string& message);
// Prints "agent: MESSAGE" on stderr and returns the error's exit code.
int agent_fail(const Error& e);

// A duration > 0, or nullopt.
std::optional<std::int64_t> positive_duration(const std::string& text);

// --now moves the clock of `agent once` only; every other subcommand refuses it (a usage error).
Status refuse_virtual_now(const AgentFlags& flags);

// Each BANK:KIND[=VALUE]:START[+DURATION] spec appended to out; an invalid_input error on the first bad one.
Status parse_incident_flags(const std::vector<std::string>& specs, std::vector<Incident>& out);

}  // namespace payops
