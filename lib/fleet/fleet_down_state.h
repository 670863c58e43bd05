// Where `fleet log down` stands in the stream, kept beside the merged log so a restart (or kill -9)
// neither loses nor repeats a row. Before each append the bridge records an intent: the stream
// sequences it is about to write, the log's size before, and the size and FNV-1a hash of the bytes.
// After a crash, the log itself says whether that append happened: the bytes are there, or not.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace payops {

struct DownIntent {
  std::uint64_t committed_seq = 0;  // every stream sequence <= this is in the log (before this batch)
  std::uint64_t batch_last_seq = 0; // the batch covers (committed_seq, batch_last_seq]; 0 = no batch
  std::uint64_t size_before = 0;    // the log's size when the batch was about to be appended
  std::uint64_t batch_bytes = 0;
  std::uint64_t batch_fnv1a = 0;    // FNV-1a 64 of the batch's bytes
};

// 64-bit FNV-1a (the checkout's idempotency hash family), here a checksum of a batch.
std::uint64_t fnv1a64(std::string_view bytes);

// The state file's path for a merged log: "<log>.fleet-down.json".
std::string down_state_path(const std::string& log_path);

// Reads the intent; a missing file is a fresh start (all zero). Errors name the file and field.
Result<DownIntent> load_down_intent(const std::string& state_path);

// Writes the intent atomically (temp file, fsync, rename, directory fsync): REQUIRES that it is on
// disk before the batch's bytes are appended.
Status save_down_intent(const std::string& state_path, const DownIntent& intent);

// The last stream sequence that is in the log, deciding an interrupted batch from the log's bytes:
// when the batch's bytes sit at size_before (or one byte later, if the appender first had to end a
// torn line), the append happened and the answer is batch_last_seq; otherwise committed_seq (when
// the log has grown by something else, `note` says so, for the operator).
Result<std::uint64_t> resolve_committed_seq(const std::string& log_path, const DownIntent& intent, std::string* note);

}  // namespace payops
