// run_log_up: follow the host's log, publish whole rows with dedup ids, resend a batch on any doubt.
#include "fleet/nats_log_up.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "fleet/fleet_log_follower.h"
#include "fleet/fleet_names.h"
#include "contract/file_lock.h"

namespace payops {
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct AckCounts {
  std::atomic<std::uint64_t> stored{0}, duplicates{0}, errors{0};
};

extern "C" void payops_log_up_ack(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
  auto* counts = static_cast<AckCounts*>(closure);
  if (pae != nullptr) {
    counts->errors.fetch_add(1);
  } else if (pa != nullptr && pa->Duplicate) {
    counts->duplicates.fetch_add(1);
  } else if (pa != nullptr) {
    counts->stored.fetch_add(1);
  }
  natsMsg_Destroy(msg);
}

// One row as a message: the line's bytes (no '\n'), its offsets in headers.
natsStatus make_row_msg(natsMsg** out, const std::string& subject, const FollowedRow& row) {
  natsStatus s = natsMsg_Create(out, subject.c_str(), nullptr, row.line.data(), static_cast<int>(row.line.size()));
  if (s == NATS_OK) s = natsMsgHeader_Set(*out, kFleetOffsetHeader, std::to_string(row.offset).c_str());
  if (s == NATS_OK) s = natsMsgHeader_Set(*out, kFleetEndHeader, std::to_string(row.end).c_str());
  return s;
}

// Sends one row and waits for its acknowledgement, retrying until it is stored (or found to be a
// duplicate) or stop() says to give up. Used only after an asynchronous batch went wrong.
Status publish_row_sync(jsCtx* js, const std::string& subject, const std::string& host, const FollowedRow& row,
                        const std::function<bool()>& stop, LogUpStats& stats) {
  const std::string id = row_message_id(host, row.offset);
  for (int attempt = 0;; ++attempt) {
    natsMsg* msg = nullptr;
    natsStatus s = make_row_msg(&msg, subject, row);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id.c_str();
    po.MaxWait = 1000;  // short tries: a failover lasts seconds, and every second lags this host's rows
    jsPubAck* ack = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    if (s == NATS_OK) s = js_PublishMsg(&ack, js, msg, &po, &code);
    natsMsg_Destroy(msg);
    if (s == NATS_OK) {
      ++(ack->Duplicate ? stats.duplicates : stats.published);
      jsPubAck_Destroy(ack);
      return ok_status();
    }
    if (stop()) return make_error(nats_error_text(s, fmt::format("publishing row at byte {} (stopping)", row.offset)));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50 * (attempt + 1), 250)));
  }
}

// Publishes rows asynchronously and waits for every acknowledgement. On any doubt (an error, no
// acknowledgement for wait_ms) the whole batch is sent again, in order, one row at a time: rows the stream
// already holds come back as duplicates (same message id) and are not stored twice.
Status publish_batch(jsCtx* js, const std::string& subject, const std::string& host,
                     const std::vector<FollowedRow>& rows, AckCounts& counts, std::int64_t wait_ms,
                     const std::function<bool()>& stop, LogUpStats& stats) {
  counts.stored = 0;
  counts.duplicates = 0;
  counts.errors = 0;
  bool doubt = false;
  for (const FollowedRow& row : rows) {
    natsMsg* msg = nullptr;
    const std::string id = row_message_id(host, row.offset);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id.c_str();
    natsStatus s = make_row_msg(&msg, subject, row);
    if (s == NATS_OK) s = js_PublishMsgAsync(js, &msg, &po);
    natsMsg_Destroy(msg);  // a no-op when the library took the message
    if (s != NATS_OK) doubt = true;
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = wait_ms;
  // Wait while acknowledgements keep coming; a whole wait_ms without one is a doubt.
  for (std::uint64_t seen = 0;;) {
    if (js_PublishAsyncComplete(js, &wait) == NATS_OK) break;
    const std::uint64_t acked = counts.stored + counts.duplicates + counts.errors;
    if (acked == seen) {
      natsMsgList pending{};
      if (js_PublishAsyncGetPendingList(&pending, js) == NATS_OK) natsMsgList_Destroy(&pending);
      doubt = true;
      break;
    }
    seen = acked;
  }
  if (!doubt && counts.errors == 0) {
    stats.published += counts.stored;
    stats.duplicates += counts.duplicates;
    return ok_status();
  }
  ++stats.resent_batches;
  for (const FollowedRow& row : rows) {
    if (auto st = publish_row_sync(js, subject, host, row, stop, stats); !st.ok()) return st;
  }
  return ok_status();
}

}  // namespace

Result<std::uint64_t> stream_resume_offset(NatsSession& session, const std::string& host) {
  const std::string stream(kFleetLogStream), subject = log_subject(host);
  const std::int64_t deadline = steady_ms() + session.settings().connect_timeout_ms;
  for (;;) {
    natsMsg* msg = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus s = js_GetLastMsg(&msg, session.js(), stream.c_str(), subject.c_str(), nullptr, &code);
    if (s == NATS_NOT_FOUND || code == JSNoMessageFoundErr) return std::uint64_t{0};
    if (s == NATS_OK) {
      const std::string end = nats_header(msg, kFleetEndHeader);
      natsMsg_Destroy(msg);
      std::uint64_t value = 0;
      const auto r = std::from_chars(end.data(), end.data() + end.size(), value);
      if (end.empty() || r.ec != std::errc() || r.ptr != end.data() + end.size()) {
        return make_error(fmt::format("the last message on {} has no valid {} header (\"{}\"): it was not published by "
                                      "fleet log up; refusing to guess where this host's log resumes",
                                      subject, kFleetEndHeader, end));
      }
      return value;
    }
    if (steady_ms() >= deadline) return make_error(nats_error_text(s, fmt::format("reading the last message on {}", subject)));
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

Result<LogUpStats> run_log_up(NatsSession& session, const LogUpOptions& options, const std::function<bool()>& stop,
                              const std::function<void(const LogUpStats&)>& on_progress) {
  LogUpStats stats;
  // One publisher per log on this machine (two would be safe within the dedup window, but wasteful
  // and confusing); the lock dies with its process, so a restart after kill -9 takes it at once.
  auto lock = FileLock::acquire(options.dir.transactions_csv() + ".fleet-up.lock", options.lock_timeout_ms);
  if (!lock.ok()) return make_error("another `fleet log up` is publishing this log: " + lock.error().message);
  auto resume = stream_resume_offset(session, options.host);
  if (!resume.ok()) return resume.error();
  stats.resumed_from_offset = stats.offset = *resume;
  if (on_progress) on_progress(stats);  // resumed: from here on, rows flow (once the log exists)
  const std::string path = options.dir.transactions_csv();
  auto follower = LogFollower::open(path, *resume);
  while (!follower.ok() && follower.error().kind == Error::Kind::not_found && !stop()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options.poll_ms));  // the simulator creates it
    follower = LogFollower::open(path, *resume);
  }
  if (!follower.ok()) return follower.error();

  // A JetStream context of our own, whose acknowledgement handler counts outcomes for this loop.
  AckCounts counts;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = session.settings().request_wait_ms;
  jo.PublishAsync.AckHandler = payops_log_up_ack;
  jo.PublishAsync.AckHandlerClosure = &counts;
  jo.PublishAsync.MaxPending = 8192;
  jsCtx* js = nullptr;
  if (natsStatus s = natsConnection_JetStream(&js, session.conn(), &jo); s != NATS_OK) {
    return make_error(nats_error_text(s, "cannot open a JetStream context"));
  }
  const std::string subject = log_subject(options.host);
  Status result = ok_status();
  std::int64_t last_report = steady_ms();
  while (!stop()) {
    auto rows = follower->read_batch(options.max_batch_bytes);
    if (!rows.ok()) {
      result = rows.error();
      break;
    }
    stats.summary = follower->summary();
    if (rows->empty()) {
      stats.offset = follower->offset();
      if (options.once) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(options.poll_ms));
    } else {
      result = publish_batch(js, subject, options.host, *rows, counts, options.batch_ack_wait_ms, stop, stats);
      if (!result.ok()) break;
      stats.offset = follower->offset();
    }
    if (options.report_every_ms > 0 && steady_ms() - last_report >= options.report_every_ms) {
      last_report = steady_ms();
      if (on_progress) on_progress(stats);
    }
  }
  jsCtx_Destroy(js);
  if (!result.ok()) return result.error();
  return stats;
}

}  // namespace payops
