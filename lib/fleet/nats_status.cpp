// read_fleet_status: stream info with a subject filter (rows per host), last message per host, KV.
#include "fleet/nats_status.h"

#include <fmt/format.h>

#include "fleet/fleet_names.h"
#include "fleet/nats_log_up.h"

namespace payops {

Result<FleetStatus> read_fleet_status(NatsSession& session) {
  FleetStatus out;
  const std::string name(kFleetLogStream);
  const std::string filter = fmt::format("{}>", kFleetLogSubjectPrefix);
  jsOptions o;
  jsOptions_Init(&o);
  o.Stream.Info.SubjectsFilter = filter.c_str();
  jsStreamInfo* si = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, session.js(), name.c_str(), &o, &code);
  if (s != NATS_OK) return make_error(nats_error_text(s, fmt::format("reading stream {}", name)));
  out.stream_rows = si->State.Msgs;
  out.stream_last_seq = si->State.LastSeq;
  out.replicas = static_cast<int>(si->Config->Replicas);
  if (si->Cluster != nullptr) {
    out.leader = si->Cluster->Leader != nullptr ? si->Cluster->Leader : "";
    out.current_replicas = out.leader.empty() ? 0 : 1;
    for (int i = 0; i < si->Cluster->ReplicasLen; ++i) out.current_replicas += si->Cluster->Replicas[i]->Current ? 1 : 0;
  }
  if (si->State.Subjects != nullptr) {
    for (int i = 0; i < si->State.Subjects->Count; ++i) {
      const std::string_view host = host_of_subject(si->State.Subjects->List[i].Subject);
      if (!host.empty()) out.hosts[std::string(host)].rows = si->State.Subjects->List[i].Msgs;
    }
  }
  jsStreamInfo_Destroy(si);
  for (auto& [host, hs] : out.hosts) {
    auto next = stream_resume_offset(session, host);
    if (!next.ok()) return next.error();
    hs.next_offset = *next;
  }
  kvStore* kv = nullptr;
  const std::string bucket(kFleetConfigBucket), key(kFleetConfigKey);
  if (js_KeyValue(&kv, session.js(), bucket.c_str()) == NATS_OK) {
    kvEntry* e = nullptr;
    if (kvStore_Get(&e, kv, key.c_str()) == NATS_OK) {
      out.config_revision = kvEntry_Revision(e);
      kvEntry_Destroy(e);
    }
    kvStore_Destroy(kv);
  }
  return out;
}

nlohmann::json fleet_status_to_json(const FleetStatus& s) {
  nlohmann::json hosts = nlohmann::json::object();
  for (const auto& [host, hs] : s.hosts) hosts[host] = {{"rows", hs.rows}, {"next_offset", hs.next_offset}};
  return {{"stream", std::string(kFleetLogStream)}, {"stream_rows", s.stream_rows}, {"stream_last_seq", s.stream_last_seq},
          {"replicas", s.replicas},  {"current_replicas", s.current_replicas}, {"leader", s.leader},
          {"hosts", hosts},          {"config_revision", s.config_revision}};
}

std::string fleet_status_to_text(const FleetStatus& s) {
  std::string out = fmt::format("stream {}: {} rows, {} replicas ({} current, leader {})\n", kFleetLogStream, s.stream_rows,
                                s.replicas, s.current_replicas, s.leader.empty() ? "none" : s.leader);
  for (const auto& [host, hs] : s.hosts) out += fmt::format("  {:<20} {:>10} rows, resumes at byte {}\n", host, hs.rows, hs.next_offset);
  out += s.config_revision == 0 ? std::string("config: not published yet\n")
                                : fmt::format("config: {}/{} at revision {}\n", kFleetConfigBucket, kFleetConfigKey, s.config_revision);
  return out;
}

}  // namespace payops
