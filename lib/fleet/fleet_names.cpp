// Fleet names: host ids, subjects and message ids.
#include "fleet/fleet_names.h"

#include <unistd.h>

#include <fmt/format.h>

namespace payops {

std::optional<std::string> host_id_problem(std::string_view host) {
  if (host.empty() || host.size() > 64) return fmt::format("host id \"{}\" must be 1 to 64 characters", host);
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return fmt::format("host id \"{}\" may hold only letters, digits, '_' and '-' (it is a NATS subject token)", host);
  }
  return std::nullopt;
}

std::string default_host_id() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "host";
  std::string host(name);
  host = host.substr(0, host.find('.'));
  if (host.size() > 64) host.resize(64);
  for (char& c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return host;
}

std::string log_subject(std::string_view host) { return fmt::format("{}{}", kFleetLogSubjectPrefix, host); }

std::string row_message_id(std::string_view host, std::uint64_t offset) { return fmt::format("{}:{}", host, offset); }

std::string_view host_of_subject(std::string_view subject) {
  if (subject.substr(0, kFleetLogSubjectPrefix.size()) != kFleetLogSubjectPrefix) return {};
  const std::string_view host = subject.substr(kFleetLogSubjectPrefix.size());
  return host_id_problem(host) ? std::string_view{} : host;
}

}  // namespace payops
