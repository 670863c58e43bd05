// run_log_down: an ordered consumer on payops.log.>, batches appended with an intent record first.
#include "fleet/nats_log_down.h"

#include <sys/stat.h>

#include <chrono>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "contract/csv_appender.h"
#include "contract/csv_parse.h"
#include "contract/file_lock.h"
#include "fleet/fleet_down_state.h"
#include "fleet/fleet_names.h"

namespace payops {
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// An ordered (in-order, gap-detecting, self-healing) ephemeral consumer from stream sequence `from`.
Result<natsSubscription*> subscribe_from(NatsSession& session, std::uint64_t from) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = kFleetLogStream.data();
  so.Ordered = true;
  so.Config.DeliverPolicy = from <= 1 ? js_DeliverAll : js_DeliverByStartSequence;
  so.Config.OptStartSeq = from <= 1 ? 0 : from;
  const std::string filter = fmt::format("{}>", kFleetLogSubjectPrefix);
  natsSubscription* sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_SubscribeSync(&sub, session.js(), filter.c_str(), nullptr, &so, &code);
  if (s != NATS_OK) return make_error(nats_error_text(s, fmt::format("subscribing to {} from sequence {}", filter, from)));
  return sub;
}

struct Batch {
  std::string text;  // whole rows, each ending in '\n'
  std::uint64_t last_seq = 0;
  std::vector<std::string> hosts;  // per row, for the per-host counts
  std::vector<TimeMs> timestamps;
};

// Checks one message and adds it to the batch: one valid contract row, on a host's subject.
void add_message(natsMsg* msg, std::uint64_t seq, Batch& batch, LogDownStats& stats) {
  const std::string_view data(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  const std::string_view host = host_of_subject(natsMsg_GetSubject(msg));
  RowView row;
  std::string_view why;
  if (host.empty()) {
    why = "not on a host subject";
  } else if (data.find('\n') != std::string_view::npos) {
    why = "more than one line";
  } else if (const auto bad = parse_csv_line(data, row)) {
    why = to_string(*bad);
  }
  batch.last_seq = seq;
  if (!why.empty()) {
    if (stats.malformed++ < 5) stats.first_malformed += fmt::format("{}seq {}: {}", stats.malformed > 1 ? ", " : "", seq, why);
    return;
  }
  batch.text.append(data);
  batch.text += '\n';
  batch.hosts.emplace_back(host);
  batch.timestamps.push_back(row.timestamp_ms);
}

// Appends a batch crash-safely: the intent is on disk before the bytes are.
Status commit_batch(const std::string& log_path, CsvAppender& appender, const Batch& batch, TimeMs& newest,
                    const LogDownOptions& options, LogDownStats& stats) {
  DownIntent intent;
  intent.committed_seq = stats.committed_seq;
  if (!batch.text.empty()) {
    intent.batch_last_seq = batch.last_seq;
    intent.size_before = file_size(log_path);
    intent.batch_bytes = batch.text.size();
    intent.batch_fnv1a = fnv1a64(batch.text);
  } else {
    intent.committed_seq = batch.last_seq;  // only skipped messages: just move past them
  }
  if (auto st = save_down_intent(down_state_path(log_path), intent); !st.ok()) return st;
  if (!batch.text.empty()) {
    if (auto st = appender.append(batch.text); !st.ok()) return st;
  }
  stats.committed_seq = batch.last_seq;
  stats.written += batch.hosts.size();
  for (std::size_t i = 0; i < batch.hosts.size(); ++i) {
    ++stats.written_per_host[batch.hosts[i]];
    if (batch.timestamps[i] < newest - options.slack_ms) {
      ++stats.late;
      stats.max_late_ms = std::max<std::int64_t>(stats.max_late_ms, newest - batch.timestamps[i]);
    }
    newest = std::max(newest, batch.timestamps[i]);
  }
  return ok_status();
}

}  // namespace

Result<std::uint64_t> stream_last_seq(NatsSession& session) {
  jsStreamInfo* si = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const std::string name(kFleetLogStream);
  const natsStatus s = js_GetStreamInfo(&si, session.js(), name.c_str(), nullptr, &code);
  if (s != NATS_OK) return make_error(nats_error_text(s, fmt::format("reading the state of stream {}", name)));
  const std::uint64_t last = si->State.LastSeq;
  jsStreamInfo_Destroy(si);
  return last;
}

Result<LogDownStats> run_log_down(NatsSession& session, const LogDownOptions& options, const std::function<bool()>& stop,
                                  const std::function<void(const LogDownStats&)>& on_progress) {
  const std::string log_path = options.dir.transactions_csv();
  // One merger per log: two would both append (and share the intent record). The lock dies with its
  // process, so a restart after kill -9 takes it at once.
  auto lock = FileLock::acquire(log_path + ".fleet-down.lock", options.lock_timeout_ms);
  if (!lock.ok()) return make_error("another `fleet log down` is merging into this log: " + lock.error().message);
  auto appender = CsvAppender::open(log_path);
  if (!appender.ok()) return appender.error();
  auto intent = load_down_intent(down_state_path(log_path));
  if (!intent.ok()) return intent.error();
  LogDownStats stats;
  auto committed = resolve_committed_seq(log_path, *intent, &stats.note);
  if (!committed.ok()) return committed.error();
  stats.resumed_after_seq = stats.committed_seq = *committed;
  std::uint64_t drain_to = 0;
  if (options.once) {
    auto last = stream_last_seq(session);
    if (!last.ok()) return last.error();
    drain_to = *last;
  }
  if (on_progress) on_progress(stats);  // resumed (stats.note says what the restart found)
  TimeMs newest = 0;
  natsSubscription* sub = nullptr;
  std::int64_t last_report = steady_ms();
  Status result = ok_status();
  while (!stop() && !(options.once && stats.committed_seq >= drain_to)) {
    if (sub == nullptr) {
      auto s = subscribe_from(session, stats.committed_seq + 1);
      if (!s.ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));  // a node failing over: try again
        continue;
      }
      sub = *s;
    }
    Batch batch;
    const std::int64_t started = steady_ms();
    bool broken = false;
    while (batch.hosts.size() < options.max_batch_rows && !stop()) {
      const std::int64_t left = batch.last_seq == 0 ? 200 : options.max_batch_ms - (steady_ms() - started);
      if (left <= 0) break;
      natsMsg* msg = nullptr;
      const natsStatus s = natsSubscription_NextMsg(&msg, sub, left);
      if (s == NATS_TIMEOUT) break;
      if (s != NATS_OK) {
        broken = true;  // the subscription is gone (e.g. a node failed): recreate it from our position
        break;
      }
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
        const std::uint64_t seq = meta->Sequence.Stream;
        if (seq > stats.committed_seq && seq > batch.last_seq) add_message(msg, seq, batch, stats);
        jsMsgMetaData_Destroy(meta);
      }
      natsMsg_Destroy(msg);
    }
    if (batch.last_seq > stats.committed_seq) {
      result = commit_batch(log_path, *appender, batch, newest, options, stats);
      if (!result.ok()) break;
    }
    if (broken) {
      natsSubscription_Destroy(sub);
      sub = nullptr;
    }
    if (on_progress && options.report_every_ms > 0 && steady_ms() - last_report >= options.report_every_ms) {
      last_report = steady_ms();
      on_progress(stats);
    }
  }
  if (sub != nullptr) natsSubscription_Destroy(sub);
  if (!result.ok()) return result.error();
  return stats;
}

}  // namespace payops
