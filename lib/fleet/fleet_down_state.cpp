// The log-down bridge's crash-safe position: an intent record written before each append.
#include "fleet/fleet_down_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "contract/config_store.h"
#include "contract/csv_appender.h"

namespace payops {

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string down_state_path(const std::string& log_path) { return log_path + ".fleet-down.json"; }

Result<DownIntent> load_down_intent(const std::string& state_path) {
  auto text = read_small_file(state_path);
  if (!text.ok()) {
    if (text.error().kind == Error::Kind::not_found) return DownIntent{};
    return text.error();
  }
  const auto doc = nlohmann::json::parse(*text, nullptr, false);
  DownIntent in;
  const char* fields[] = {"committed_seq", "batch_last_seq", "size_before", "batch_bytes", "batch_fnv1a"};
  std::uint64_t* slots[] = {&in.committed_seq, &in.batch_last_seq, &in.size_before, &in.batch_bytes, &in.batch_fnv1a};
  for (int i = 0; i < 5; ++i) {
    if (!doc.is_object() || !doc.contains(fields[i]) || !doc[fields[i]].is_number_unsigned()) {
      return make_error(fmt::format("{}: field {} missing or not a non-negative integer; the merged log's position is "
                                    "unknown (move the file away to re-merge from the stream's start)",
                                    state_path, fields[i]),
                        Error::Kind::invalid_input);
    }
    *slots[i] = doc[fields[i]].get<std::uint64_t>();
  }
  return in;
}

Status save_down_intent(const std::string& state_path, const DownIntent& intent) {
  const nlohmann::json doc = {{"committed_seq", intent.committed_seq}, {"batch_last_seq", intent.batch_last_seq},
                              {"size_before", intent.size_before},     {"batch_bytes", intent.batch_bytes},
                              {"batch_fnv1a", intent.batch_fnv1a}};
  const std::string text = doc.dump() + "\n";
  const std::string tmp = state_path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return make_error(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  ok = ok && ::rename(tmp.c_str(), state_path.c_str()) == 0;
  if (!ok) return make_error(fmt::format("cannot write {}: {}", state_path, std::strerror(errno)));
  const auto slash = state_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : state_path.substr(0, slash);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ok_status();
}

Result<std::uint64_t> resolve_committed_seq(const std::string& log_path, const DownIntent& intent, std::string* note) {
  if (intent.batch_last_seq == 0) return intent.committed_seq;
  const int fd = ::open(log_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return intent.committed_seq;
    return make_error(fmt::format("cannot open {}: {}", log_path, std::strerror(errno)));
  }
  struct stat st {};
  ::fstat(fd, &st);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::string bytes(intent.batch_bytes, '\0');
  for (const std::uint64_t at : {intent.size_before, intent.size_before + kTornLineEnd.size()}) {
    if (size < at + intent.batch_bytes) continue;
    if (::pread(fd, bytes.data(), bytes.size(), static_cast<off_t>(at)) != static_cast<ssize_t>(bytes.size())) continue;
    if (fnv1a64(bytes) == intent.batch_fnv1a) {
      ::close(fd);
      return intent.batch_last_seq;
    }
  }
  ::close(fd);
  if (size > intent.size_before && note != nullptr) {
    *note = fmt::format("{} grew past byte {} but not by the batch that was being appended (stream sequences {}..{}): "
                        "a torn write or another writer; that batch is appended again",
                        log_path, intent.size_before, intent.committed_seq + 1, intent.batch_last_seq);
  }
  return intent.committed_seq;
}

}  // namespace payops
