// `fleet log down`: the fleet's log stream merged into one local transactions.csv (the agent's host)
// that obeys the contract, so agent, agent report, agent status and the drills run on it unchanged.
// One merger per log (an flock on <log>.fleet-down.lock for the process's life).
// Rows are appended in stream order (the order JetStream stored them, which is the order the hosts'
// bridges sent them: near time order while every bridge keeps up) through the contract's appender.
// Every row is checked by the contract's parser before it is written; a bad message is skipped and
// named by its stream sequence. Position: an intent record beside the log (fleet_down_state.h), so a
// restart or kill -9 neither loses nor repeats a row.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "contract/csv_tail.h"
#include "contract/data_dir.h"
#include "fleet/nats_client.h"
#include "platform/result.h"

namespace payops {

struct LogDownOptions {
  DataDir dir;                        // the merged log is dir/transactions.csv
  std::size_t max_batch_rows = 4096;  // rows per append (one write())
  std::int64_t max_batch_ms = 50;     // how long a batch may wait to fill up
  std::int64_t slack_ms = kDefaultTailSlackMs;  // rows further behind the newest written are "late"
  std::int64_t report_every_ms = 0;
  bool once = false;                  // merge what the stream holds now, then return
  std::int64_t lock_timeout_ms = 10000;  // wait for a previous merger (being stopped) to let go
};

struct LogDownStats {
  std::uint64_t resumed_after_seq = 0;  // every stream sequence up to this was already in the log
  std::uint64_t committed_seq = 0;      // ... and now up to this
  std::uint64_t written = 0;            // rows appended by this run
  std::uint64_t malformed = 0;          // messages skipped: not one valid contract row
  std::string first_malformed;          // "seq 12: bad_timestamp, ..." (at most five)
  std::uint64_t late = 0;               // rows written more than slack_ms behind the newest row written
  std::int64_t max_late_ms = 0;         // the largest such lag
  std::map<std::string, std::uint64_t> written_per_host;
  std::string note;                     // what the restart found (an interrupted batch), if anything
};

// Runs until stop() (or, with once, until the stream's last sequence at start is merged). on_progress
// is called once after the position is resolved, then every report_every_ms.
Result<LogDownStats> run_log_down(NatsSession& session, const LogDownOptions& options,
                                  const std::function<bool()>& stop,
                                  const std::function<void(const LogDownStats&)>& on_progress);

// The stream's last sequence now (0 when empty): what `once` drains up to.
Result<std::uint64_t> stream_last_seq(NatsSession& session);

}  // namespace payops
