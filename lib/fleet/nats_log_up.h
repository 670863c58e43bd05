// `fleet log up`: one host's transactions.csv into the fleet's log stream, each whole row one message
// on payops.log.<host>, exactly once. The position lives in the stream, not in a local file: at start
// the bridge reads the last message the stream holds for its host (header Payops-End: where the next
// line starts) and follows the log from there. Every message carries the JetStream message id
// "<host>:<byte offset>", so a row sent twice (an acknowledgement lost to a crash or a node failover,
// then resent) is dropped by the stream's deduplication window.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "contract/csv_scan.h"
#include "contract/data_dir.h"
#include "fleet/nats_client.h"
#include "platform/result.h"

namespace payops {

struct LogUpOptions {
  DataDir dir;
  std::string host;
  std::int64_t poll_ms = 50;            // how often to look for new rows when there are none
  std::size_t max_batch_bytes = 256 << 10; // rows published (asynchronously) before waiting for acks
  std::int64_t report_every_ms = 0;     // call on_progress this often (0: only at the end)
  bool once = false;                    // publish what is there now, then return (no following)
  std::int64_t lock_timeout_ms = 10000;  // wait for a previous publisher (being stopped) to let go
  // How long a batch may go without a single acknowledgement before it is resent row by row. Short: a
  // host whose rows lag the others' lands out of time order in the merged log (readers' slack: 5 s).
  std::int64_t batch_ack_wait_ms = 1000;
};

struct LogUpStats {
  std::uint64_t resumed_from_offset = 0;  // where the stream said this host's next row starts
  std::uint64_t offset = 0;               // where the next unread line starts now
  std::uint64_t published = 0;            // rows acknowledged as new by the stream
  std::uint64_t duplicates = 0;           // rows the stream had already (dropped by deduplication)
  std::uint64_t resent_batches = 0;       // batches sent again after an error or a lost acknowledgement
  ScanSummary summary;                    // rows read and malformed lines skipped (by line number)
};

// The byte offset just after the last row the stream holds for host (0 when it holds none). Retries
// transient errors (a node failing over) for the session's connect timeout.
Result<std::uint64_t> stream_resume_offset(NatsSession& session, const std::string& host);

// Runs until stop() returns true (on_progress is called once as soon as the position is resumed, then
// every report_every_ms) (checked between batches and while idle), or once the log is drained
// with options.once. A missing log is waited for (the simulator creates it). Errors: a refused file
// (foreign header, replaced or truncated), or NATS unreachable past the connect timeout.
Result<LogUpStats> run_log_up(NatsSession& session, const LogUpOptions& options,
                              const std::function<bool()>& stop,
                              const std::function<void(const LogUpStats&)>& on_progress);

}  // namespace payops
