#include "app/agent_flags.h"

#include <fmt/format.h>

#include "platform/exit_codes.h"
#include "platform/time_util.h"

namespace payops {

int agent_usage(const std::string& message) {
  fmt::print(stderr, "agent: {}\n", message);
  return kExitUsage;
}

int agent_fail(const Error& e) {
  fmt::print(stderr, "agent: {}\n", e.message);
  return exit_code_for(e);
}

std::optional<std::int64_t> positive_duration(const std::string& text) {
  auto v = parse_duration_ms(text);
  if (!v || *v <= 0) return std::nullopt;
  return v;
}

Status refuse_virtual_now(const AgentFlags& flags) {
  if (flags.now.empty()) return ok_status();
  return make_error("--now applies to `agent once` only (the daemon and the other commands run on the real clock)",
                    Error::Kind::invalid_input);
}

Status parse_incident_flags(const std::vector<std::string>& specs, std::vector<Incident>& out) {
  for (const auto& spec : specs) {
    auto inc = parse_incident(spec);
    if (!inc.ok()) return make_error(inc.error().message, Error::Kind::invalid_input);
    out.push_back(*inc);
  }
  return ok_status();
}

}  // namespace payops
