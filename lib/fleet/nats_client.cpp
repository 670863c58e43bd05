// NatsSession: connection, JetStream context, stream and bucket set-up with bounded retries.
#include "fleet/nats_client.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "fleet/fleet_names.h"
#include "platform/stop_signal.h"

namespace payops {
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string nats_error_text(natsStatus s, std::string_view what) {
  const char* detail = nats_GetLastError(nullptr);
  const std::string text = natsStatus_GetText(s);
  if (detail != nullptr && *detail != '\0' && text != detail) return fmt::format("{}: {} ({})", what, text, detail);
  return fmt::format("{}: {}", what, text);
}

std::vector<std::string> split_server_list(std::string_view list) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : list) {
    if (c == ',' || c == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

Result<NatsSession> NatsSession::connect(const NatsSettings& settings) {
  if (settings.servers.empty()) return make_error("no NATS server given (--nats URL or $PAYOPS_NATS_URL)", Error::Kind::invalid_input);
  nats_Open(-1);
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  std::vector<const char*> urls;
  for (const auto& s : settings.servers) urls.push_back(s.c_str());
  natsStatus s = natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size()));
  if (s != NATS_OK) {
    natsOptions_Destroy(opts);
    return make_error(nats_error_text(s, fmt::format("bad NATS server list \"{}\"", fmt::join(settings.servers, ","))),
                      Error::Kind::invalid_input);
  }
  natsOptions_SetName(opts, settings.client_name.c_str());
  natsOptions_SetMaxReconnect(opts, -1);  // a fleet bridge never gives up on the cluster
  natsOptions_SetReconnectWait(opts, 250);
  natsOptions_SetTimeout(opts, 2000);
  natsOptions_SetReconnectBufSize(opts, 32 * 1024 * 1024);
  NatsSession session;
  session.settings_ = settings;
  const std::int64_t deadline = steady_ms() + settings.connect_timeout_ms;
  for (;;) {
    s = natsConnection_Connect(&session.conn_, opts);
    if (s == NATS_OK || steady_ms() >= deadline || stop_requested()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    return make_error(nats_error_text(s, fmt::format("cannot connect to NATS at {} within {} ms",
                                                     fmt::join(settings.servers, ","), settings.connect_timeout_ms)));
  }
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = settings.request_wait_ms;
  s = natsConnection_JetStream(&session.js_, session.conn_, &jo);
  if (s != NATS_OK) return make_error(nats_error_text(s, "cannot open a JetStream context"));
  return session;
}

NatsSession::NatsSession(NatsSession&& other) noexcept
    : settings_(std::move(other.settings_)), conn_(other.conn_), js_(other.js_) {
  other.conn_ = nullptr;
  other.js_ = nullptr;
}

NatsSession::~NatsSession() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (conn_ != nullptr) natsConnection_Destroy(conn_);
}

Status NatsSession::ensure_log_stream(int replicas, std::int64_t dedup_window_ms) {
  const std::string name(kFleetLogStream);
  const std::string subject = fmt::format("{}>", kFleetLogSubjectPrefix);
  const char* subjects[] = {subject.c_str()};
  const std::int64_t deadline = steady_ms() + settings_.connect_timeout_ms;
  for (;;) {
    jsStreamInfo* si = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&si, js_, name.c_str(), nullptr, &code);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(si);
      return ok_status();
    }
    if (s == NATS_NOT_FOUND) {
      jsStreamConfig cfg;
      jsStreamConfig_Init(&cfg);
      cfg.Name = name.c_str();
      cfg.Subjects = subjects;
      cfg.SubjectsLen = 1;
      cfg.Storage = js_FileStorage;
      cfg.Replicas = replicas;
      cfg.Duplicates = dedup_window_ms * 1000000;  // nanoseconds
      s = js_AddStream(&si, js_, &cfg, nullptr, &code);
      if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return ok_status();
      }
      if (code == JSStreamNameExistErr) continue;  // another bridge created it first
    }
    if (steady_ms() >= deadline || stop_requested()) {
      return make_error(nats_error_text(s, fmt::format("cannot find or create the stream {} ({} replicas)", name, replicas)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));  // no JetStream leader yet: wait
  }
}

Result<kvStore*> NatsSession::ensure_config_bucket(int replicas) {
  const std::string bucket(kFleetConfigBucket);
  const std::int64_t deadline = steady_ms() + settings_.connect_timeout_ms;
  for (;;) {
    kvStore* kv = nullptr;
    natsStatus s = js_KeyValue(&kv, js_, bucket.c_str());
    if (s == NATS_OK) return kv;
    if (s == NATS_NOT_FOUND) {
      kvConfig cfg;
      kvConfig_Init(&cfg);
      cfg.Bucket = bucket.c_str();
      cfg.History = 16;
      cfg.Replicas = replicas;
      cfg.StorageType = js_FileStorage;
      s = js_CreateKeyValue(&kv, js_, &cfg);
      if (s == NATS_OK) return kv;
    }
    if (steady_ms() >= deadline || stop_requested()) {
      return make_error(nats_error_text(s, fmt::format("cannot open or create the KV bucket {} ({} replicas)", bucket, replicas)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

std::string nats_header(natsMsg* msg, const char* key) {
  const char* value = nullptr;
  if (natsMsgHeader_Get(msg, key, &value) != NATS_OK || value == nullptr) return {};
  return value;
}

}  // namespace payops
