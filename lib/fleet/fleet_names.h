// Names the fleet shares over NATS: the log stream and its per-host subjects, message ids for
// deduplication, the config bucket and key. One place, so every bridge agrees on them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace payops {

inline constexpr std::string_view kFleetLogStream = "PAYOPS_LOG";
inline constexpr std::string_view kFleetLogSubjectPrefix = "payops.log.";  // + host
inline constexpr std::string_view kFleetConfigBucket = "payops_config";
inline constexpr std::string_view kFleetConfigKey = "shared_config";
// Headers on each log message: the row's byte offset in its host's log, and where the next line starts.
inline constexpr const char* kFleetOffsetHeader = "Payops-Offset";
inline constexpr const char* kFleetEndHeader = "Payops-End";

// A host id is one subject token: [A-Za-z0-9_-]{1,64}. Returns why not, or nullopt when valid.
std::optional<std::string> host_id_problem(std::string_view host);
// This machine's short host name (up to the first '.'), with characters a subject token cannot hold
// replaced by '_'.
std::string default_host_id();

std::string log_subject(std::string_view host);
// The JetStream message id of a row: "<host>:<byte offset>", unique per row and stable across restarts.
std::string row_message_id(std::string_view host, std::uint64_t offset);

// The host of a log subject ("payops.log.h1" -> "h1"), or empty when the subject is not one.
std::string_view host_of_subject(std::string_view subject);

}  // namespace payops
