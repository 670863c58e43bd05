// The one place that talks to nats.c: a connection with its JetStream context that reconnects to any
// server of the cluster forever, and idempotent set-up of the log stream and the config bucket.
// Linked only into the fleet tool (CMake keeps lib/nats_*.cpp out of the four file-contract tools).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nats/nats.h>

#include "platform/result.h"

namespace payops {

struct NatsSettings {
  std::vector<std::string> servers;   // nats://host:port, any node of the cluster
  std::string client_name = "payops-fleet";
  std::int64_t connect_timeout_ms = 30000;  // keep trying this long for the first connection
  // One JetStream API call (stream info, last message, KV get): callers retry failures, so a short
  // wait only makes a node failover cost less time, not a wrong answer.
  std::int64_t request_wait_ms = 2000;
};

// "what: <nats status text> (<library detail>)": the error sentence for a failed nats.c call.
std::string nats_error_text(natsStatus s, std::string_view what);

// Splits "nats://a:4222,nats://b:4222" (commas or spaces) into servers.
std::vector<std::string> split_server_list(std::string_view list);

class NatsSession {
 public:
  // Connects to any of the servers, retrying until connect_timeout_ms; after that, a lost connection
  // is re-established by the library on its own (unlimited reconnects to every known server).
  static Result<NatsSession> connect(const NatsSettings& settings);
  NatsSession(NatsSession&& other) noexcept;
  NatsSession& operator=(NatsSession&&) = delete;
  NatsSession(const NatsSession&) = delete;
  ~NatsSession();

  natsConnection* conn() const { return conn_; }
  jsCtx* js() const { return js_; }
  const NatsSettings& settings() const { return settings_; }

  // Creates the log stream (subjects payops.log.>, file storage, `replicas` copies, JetStream
  // deduplication over dedup_window_ms) if it does not exist; an existing one is used as it is.
  // Retries while the cluster has no JetStream leader yet, until connect_timeout_ms.
  Status ensure_log_stream(int replicas, std::int64_t dedup_window_ms);
  // Opens the config bucket, creating it (history 16, `replicas` copies) if missing. Same retries.
  Result<kvStore*> ensure_config_bucket(int replicas);

 private:
  NatsSession() = default;
  NatsSettings settings_;
  natsConnection* conn_ = nullptr;
  jsCtx* js_ = nullptr;
};

// A natsMsg's header value, or empty.
std::string nats_header(natsMsg* msg, const char* key);

}  // namespace payops
