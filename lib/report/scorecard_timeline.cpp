// The drill timeline from the files: time to detect (agent_history), to mitigate (the agent log's
// first-attempt shares) and to recover (agent_history replayed against the operator's intent).
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "contract/config_paths.h"
#include "report/scorecard.h"

namespace payops {
namespace {

constexpr std::int64_t kShareBucketMs = 1000;        // resolution of the mitigation search
constexpr std::uint64_t kMinBucketPayments = 5;      // fewer payments in a bucket say nothing
constexpr std::uint64_t kMinReferencePayments = 20;  // for the pre-incident share

bool touches_bank(const HistoryEntry& e, const std::string& bank_id) {
  const std::string prefix = "banks." + bank_id + ".";
  for (const auto& c : changes_from_details(e.details))
    if (c.path.starts_with(prefix) && c.path.find(".metrics") == std::string::npos) return true;
  return false;
}

// The first agent entry at or after the incident's start that acts on an affected bank.
const HistoryEntry* detecting_action(const TimelineInputs& in) {
  for (const auto& e : *in.history) {
    if (e.actor != "agent" || e.timestamp < in.incident_start_ms) continue;
    const bool relevant = in.any_change_detects
                              ? e.action == "toggle_chaos_mode" || !changes_from_details(e.details).empty()
                              : std::any_of(in.affected_banks.begin(), in.affected_banks.end(),
                                            [&](const std::string& b) { return touches_bank(e, b); });
    if (relevant) return &e;
  }
  return nullptr;
}

// The bank's normal share of first attempts: the agent run's before the incident, else (an incident
// from the first second) the baseline's over the incident window, which follows the operator's weights.
std::optional<double> reference_share(const TimelineInputs& in, const std::string& bank) {
  auto share = first_attempt_share(*in.agent_log, bank, in.agent_log->first_start_ms, in.incident_start_ms,
                                   kMinReferencePayments);
  if (!share && in.baseline_log)
    share = first_attempt_share(*in.baseline_log, bank, in.incident_start_ms, in.incident_end_ms, kMinReferencePayments);
  return share;
}

// When the bank's share first fell below half its reference, searching from `from_ms` (the detecting
// action) in one-second buckets of payment starts; the bucket's end is the time.
std::optional<TimeMs> share_halved_at(const TimelineInputs& in, const std::string& bank, double reference,
                                      TimeMs from_ms) {
  for (TimeMs t = from_ms; t < in.incident_end_ms; t += kShareBucketMs) {
    const auto share = first_attempt_share(*in.agent_log, bank, t, t + kShareBucketMs, kMinBucketPayments);
    if (share && *share < reference / 2) return t + kShareBucketMs;
  }
  return std::nullopt;
}

void measure_mitigation(const TimelineInputs& in, TimeMs detected_at, Timeline& t) {
  TimeMs latest = detected_at;
  for (const auto& bank : in.affected_banks) {
    const auto reference = reference_share(in, bank);
    if (!reference) {
      t.mitigate_note = fmt::format("too few payments to know {}'s normal share", bank);
      return;
    }
    if (*reference <= 0) continue;  // it carried no traffic: nothing to move
    const auto at = share_halved_at(in, bank, *reference, detected_at);
    if (!at) {
      t.mitigate_note = fmt::format("{}'s first-attempt share never fell below half its normal {:.1f}% during the incident",
                                    bank, *reference * 100);
      return;
    }
    latest = std::max(latest, *at);
  }
  t.mitigate_ms = std::max<std::int64_t>(latest - in.origin_ms, t.detect_ms.value_or(0));
}

// A config value for people: strings without their quotes.
std::string plain(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// "banks.bank_b.circuit_breaker.state" -> "bank_b's breaker", for people.
std::string setting_name(const std::string& path) {
  const std::string rest = path.substr(6);  // after "banks."
  const std::string bank = rest.substr(0, rest.find('.'));
  const char* what = path.ends_with(".weight") ? "weight" : path.ends_with(".health_status") ? "health" : "breaker";
  return fmt::format("{}'s {}", bank, what);
}

// Replays the history over each affected bank's weight, health and breaker state. The operator's
// intent is what a person last set (config-tool), else the value before the agent first changed it.
void measure_recovery(const TimelineInputs& in, Timeline& t) {
  if (in.incident_end_ms <= in.incident_start_ms) return;
  std::map<std::string, Json> intent, current;
  bool disturbed = false;
  // When every tracked value last came back to intent (a plain pair: GCC 12 warns falsely on optional).
  bool is_back = false;
  TimeMs back_at = 0;
  for (const auto& e : *in.history) {
    bool tracked_change = false;
    for (const auto& c : changes_from_details(e.details)) {
      const bool tracked = std::any_of(in.affected_banks.begin(), in.affected_banks.end(), [&](const std::string& b) {
        const std::string p = "banks." + b + ".";
        return c.path == p + "weight" || c.path == p + "health_status" || c.path == p + "circuit_breaker.state";
      });
      if (!tracked) continue;
      tracked_change = true;
      if (e.actor != "agent") intent[c.path] = c.after;
      else if (!intent.contains(c.path)) intent[c.path] = c.before;
      current[c.path] = c.after;
      disturbed |= e.actor == "agent" && e.timestamp >= in.incident_start_ms;
    }
    if (!tracked_change) continue;
    const bool at_intent = std::all_of(current.begin(), current.end(),
                                       [&](const auto& kv) { return intent[kv.first] == kv.second; });
    if (!at_intent) is_back = false;
    else if (!is_back) is_back = true, back_at = e.timestamp;
  }
  if (!disturbed) {
    t.recover_ms = 0;
    t.recover_note = "the agent changed nothing on the affected banks";
    return;
  }
  if (!is_back) {
    for (const auto& [path, value] : current)
      if (intent[path] != value) {
        t.recover_note = fmt::format("{} is {} at the end of the run, the operator's intent is {}", setting_name(path),
                                     plain(value), plain(intent[path]));
        break;
      }
    return;
  }
  t.recover_ms = std::max<std::int64_t>(0, back_at - in.incident_end_ms);
}

}  // namespace

Timeline compute_timeline(const TimelineInputs& in) {
  Timeline t;
  const HistoryEntry* detected = in.history ? detecting_action(in) : nullptr;
  if (!detected) {
    t.detect_note = "no agent action on an affected bank";
    t.mitigate_note = "nothing was detected";
  } else {
    t.detect_ms = std::max<std::int64_t>(0, detected->timestamp - in.origin_ms);
    if (in.agent_log && !in.affected_banks.empty()) measure_mitigation(in, detected->timestamp, t);
    else t.mitigate_note = "no single affected bank";
  }
  if (in.history && !in.affected_banks.empty()) measure_recovery(in, t);
  if (!t.recover_ms && t.recover_note.empty())
    t.recover_note = in.incident_end_ms <= in.incident_start_ms ? "no incident" : "no single affected bank";
  return t;
}

}  // namespace payops
