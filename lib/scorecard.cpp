// Scorecard computation over drill artefacts.
#include "scorecard.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "config_paths.h"
#include "config_store.h"
#include "csv_scan.h"

namespace payops {
namespace {

constexpr std::int64_t kBucketMs = 2000;  // resolution of the mitigation curve

struct PaymentFacts {
  TimeMs first_ms = 0;
  std::uint32_t successes = 0;
};

struct LogFacts {
  std::unordered_map<std::string, PaymentFacts> payments;
  std::uint64_t malformed = 0;
  TimeMs last_ms = 0;
};

Result<LogFacts> read_log(const std::string& path) {
  auto file = MappedFile::open(path);
  if (!file.ok()) return file.error();
  LogFacts facts;
  const ScanSummary summary = scan_buffer(file->data(), 1, true, [&](const RowView& row) {
    if (row.error_code == ErrorCode::NO_ROUTE && row.transaction_id.empty()) return;
    auto [it, inserted] = facts.payments.try_emplace(std::string(row.transaction_id), PaymentFacts{row.timestamp_ms, 0});
    if (!inserted) it->second.first_ms = std::min(it->second.first_ms, row.timestamp_ms);
    if (row.status == TxnStatus::success) ++it->second.successes;
    facts.last_ms = std::max(facts.last_ms, row.timestamp_ms);
  });
  facts.malformed = summary.malformed;
  return facts;
}

RunRates rates_of(const LogFacts& facts, TimeMs start, TimeMs end) {
  RunRates r;
  r.present = true;
  for (const auto& [id, p] : facts.payments) {
    ++r.payments;
    const bool ok = p.successes > 0;
    r.succeeded += ok;
    if (p.first_ms >= start && p.first_ms < end) {
      ++r.incident_payments;
      r.incident_succeeded += ok;
    }
  }
  return r;
}

bool touches_bank(const HistoryEntry& e, const std::string& bank_id) {
  const std::string prefix = "banks." + bank_id + ".";
  for (const auto& c : changes_from_details(e.details))
    if (c.path.starts_with(prefix) && c.path.find(".metrics") == std::string::npos) return true;
  return false;
}

std::int64_t incident_edges(const Incident& inc, TimeMs run_start, TimeMs run_end) {
  const std::int64_t end_offset = inc.duration_ms < 0 ? run_end - run_start : inc.start_offset_ms + inc.duration_ms;
  if (inc.kind != IncidentKind::flap) return inc.duration_ms < 0 ? 1 : 2;
  const auto half = static_cast<std::int64_t>(inc.value);
  if (half <= 0) return 2;
  return std::max<std::int64_t>(2, (end_offset - inc.start_offset_ms) / half + 1);
}

}  // namespace

Result<std::vector<HistoryEntry>> load_full_history(const std::string& config_path,
                                                    const std::string& archive_path) {
  std::vector<HistoryEntry> out;
  std::ifstream archive(archive_path);
  for (std::string line; std::getline(archive, line);) {
    const Json e = Json::parse(line, nullptr, false);
    if (!e.is_discarded() && e.is_object()) out.push_back(history_entry_from_json(e));
  }
  std::ifstream in(config_path, std::ios::binary);
  if (!in) return make_error(fmt::format("cannot read {}", config_path), Error::Kind::not_found);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto config = parse_config_text(text, config_path);
  if (!config.ok()) return config.error();
  out.insert(out.end(), config->agent_history.begin(), config->agent_history.end());
  return out;
}

bool Scorecard::passed() const {
  return std::all_of(bars.begin(), bars.end(), [](const Bar& b) { return b.passed; });
}

Result<Scorecard> compute_scorecard(const ScoreInputs& in) {
  Scorecard s;
  auto agent_log = read_log(in.log_path);
  if (!agent_log.ok()) return agent_log.error();
  const TimeMs run_end = in.run_end_ms.value_or(agent_log->last_ms);

  // The incident window spans every scripted incident.
  s.incident_start_ms = run_end;
  s.incident_end_ms = in.run_start_ms;
  for (const auto& inc : in.incidents) {
    s.incident_start_ms = std::min(s.incident_start_ms, in.run_start_ms + inc.start_offset_ms);
    s.incident_end_ms = std::max(s.incident_end_ms, inc.duration_ms < 0 ? run_end
                                                    : in.run_start_ms + inc.start_offset_ms + inc.duration_ms);
  }
  if (in.incidents.empty()) s.incident_start_ms = s.incident_end_ms = in.run_start_ms;

  s.agent = rates_of(*agent_log, s.incident_start_ms, s.incident_end_ms);
  s.malformed_rows = agent_log->malformed;
  for (const auto& [id, p] : agent_log->payments) s.double_charges += p.successes > 1;
  if (!in.baseline_log_path.empty()) {
    auto b = read_log(in.baseline_log_path);
    if (!b.ok()) return b.error();
    s.baseline = rates_of(*b, s.incident_start_ms, s.incident_end_ms);
  }
  if (!in.oracle_log_path.empty()) {
    auto o = read_log(in.oracle_log_path);
    if (!o.ok()) return o.error();
    s.oracle = rates_of(*o, s.incident_start_ms, s.incident_end_ms);
  }

  // Detection: the first agent action touching an affected bank at or after the incident's start.
  std::vector<std::string> affected;
  for (const auto& inc : in.incidents) {
    if (inc.bank_id == "*") continue;
    if (std::find(affected.begin(), affected.end(), inc.bank_id) == affected.end()) affected.push_back(inc.bank_id);
  }
  // An action after the incident began but before detect_from (the agent saw it early) counts as
  // detected at once.
  const TimeMs detect_from = in.detect_from_offset_ms ? in.run_start_ms + *in.detect_from_offset_ms : s.incident_start_ms;
  for (const auto& e : in.history) {
    if (e.actor != "agent" || e.timestamp < s.incident_start_ms) continue;
    const bool relevant = affected.empty() ? e.action == "toggle_chaos_mode" || !changes_from_details(e.details).empty()
                                           : std::any_of(affected.begin(), affected.end(),
                                                         [&](const std::string& b) { return touches_bank(e, b); });
    if (relevant) {
      s.time_to_detect_ms = std::max<std::int64_t>(0, e.timestamp - detect_from);
      break;
    }
  }

  // Mitigation: the first 2 s bucket after the start whose payment success is back within 2 points
  // of the baseline's overall rate (the bank's normal mix without trouble is not known here, so the
  // baseline run's overall rate stands for "normal"; without a baseline, the agent run's own rate
  // before the incident does).
  {
    double normal = 0;
    if (s.baseline.present) {
      normal = s.baseline.overall();
    } else {
      std::uint64_t n = 0, ok = 0;
      for (const auto& [id, p] : agent_log->payments)
        if (p.first_ms < s.incident_start_ms) ++n, ok += p.successes > 0;
      normal = n ? double(ok) / double(n) : 1.0;
    }
    std::map<std::int64_t, std::pair<std::uint64_t, std::uint64_t>> buckets;
    for (const auto& [id, p] : agent_log->payments)
      if (p.first_ms >= s.incident_start_ms && p.first_ms < s.incident_end_ms) {
        auto& b = buckets[(p.first_ms - s.incident_start_ms) / kBucketMs];
        ++b.first;
        b.second += p.successes > 0;
      }
    for (const auto& [bucket, counts] : buckets) {
      if (counts.first == 0) continue;
      if (double(counts.second) / double(counts.first) >= normal - 0.02) {
        s.time_to_mitigate_ms = bucket * kBucketMs + kBucketMs;
        break;
      }
    }
  }

  // State changes the agent made, per bank, against the incident's edges on that bank.
  std::map<std::string, BankScore> per_bank;
  for (const auto& inc : in.incidents)
    if (inc.bank_id != "*") {
      auto& b = per_bank[inc.bank_id];
      b.bank_id = inc.bank_id;
      b.incident_edges += incident_edges(inc, in.run_start_ms, run_end);
    }
  for (const auto& e : in.history) {
    if (e.actor != "agent") continue;
    for (const auto& c : changes_from_details(e.details)) {
      if (!c.path.starts_with("banks.")) continue;
      const std::string rest = c.path.substr(6);
      const std::string bank = rest.substr(0, rest.find('.'));
      auto& b = per_bank[bank];
      b.bank_id = bank;
      if (c.path.ends_with(".health_status")) ++b.health_changes;
      if (c.path.ends_with(".circuit_breaker.state")) ++b.breaker_changes;
    }
  }
  for (auto& [id, b] : per_bank) s.banks.push_back(b);

  if (!in.samples_path.empty()) {
    std::ifstream samples(in.samples_path);
    for (std::string line; std::getline(samples, line);) {
      if (line.empty()) continue;
      ++s.samples;
      const Json doc = Json::parse(line, nullptr, false);
      if (doc.is_discarded() || !doc.is_object() || !doc.contains("banks")) {
        ++s.invalid_samples;
        continue;
      }
      bool any = false;
      for (const auto& b : doc["banks"]) any |= b.value("eligible", false) && b.value("weight", 0) > 0;
      s.zero_eligible_samples += !any;
    }
  }

  // The bars.
  if (s.oracle.present && s.oracle.incident_payments > 0) {
    const double need = in.min_oracle_ratio * s.oracle.during_incident();
    s.bars.push_back({"incident success vs oracle", s.agent.during_incident() >= need,
                      fmt::format("{:.2f}% >= {:.0f}% of oracle's {:.2f}% ({:.2f}%)", s.agent.during_incident() * 100,
                                  in.min_oracle_ratio * 100, s.oracle.during_incident() * 100, need * 100)});
  }
  if (!affected.empty() || !in.incidents.empty()) {
    const std::int64_t bar = in.detect_cycles * in.agent_interval_ms + in.detect_slack_ms;
    s.bars.push_back({"detection within two cycles", s.time_to_detect_ms && *s.time_to_detect_ms <= bar,
                      s.time_to_detect_ms ? fmt::format("{} ms <= {} ms", *s.time_to_detect_ms, bar)
                                          : std::string("no agent action on an affected bank")});
  }
  for (const auto& b : s.banks) {
    const std::int64_t allowed = in.max_health_changes.value_or(std::max<std::int64_t>(b.incident_edges, 0));
    s.bars.push_back({fmt::format("no flapping on {}", b.bank_id), b.health_changes <= allowed,
                      fmt::format("{} health changes <= {}", b.health_changes, allowed)});
  }
  s.bars.push_back({"never zero eligible banks", s.zero_eligible_samples == 0,
                    fmt::format("{} of {} samples had none", s.zero_eligible_samples, s.samples)});
  s.bars.push_back({"config valid at every sample", s.invalid_samples == 0,
                    fmt::format("{} of {} samples invalid", s.invalid_samples, s.samples)});
  s.bars.push_back({"no double charges", s.double_charges == 0, fmt::format("{} payments charged twice", s.double_charges)});
  s.bars.push_back({"no malformed rows", s.malformed_rows == 0, fmt::format("{} malformed rows", s.malformed_rows)});
  return s;
}

Json scorecard_to_json(const Scorecard& s) {
  const auto rates = [](const RunRates& r) -> Json {
    if (!r.present) return nullptr;
    return Json{{"payments", r.payments}, {"success_rate", r.overall()},
                {"incident_payments", r.incident_payments}, {"incident_success_rate", r.during_incident()}};
  };
  Json banks = Json::array();
  for (const auto& b : s.banks)
    banks.push_back(Json{{"bank_id", b.bank_id}, {"health_changes", b.health_changes},
                         {"breaker_changes", b.breaker_changes}, {"incident_edges", b.incident_edges}});
  Json bars = Json::array();
  for (const auto& b : s.bars) bars.push_back(Json{{"bar", b.name}, {"passed", b.passed}, {"detail", b.detail}});
  return Json{{"passed", s.passed()},
              {"incident", {{"start", format_timestamp(s.incident_start_ms)}, {"end", format_timestamp(s.incident_end_ms)}}},
              {"agent", rates(s.agent)},
              {"baseline", rates(s.baseline)},
              {"oracle", rates(s.oracle)},
              {"time_to_detect_ms", s.time_to_detect_ms ? Json(*s.time_to_detect_ms) : Json(nullptr)},
              {"time_to_mitigate_ms", s.time_to_mitigate_ms ? Json(*s.time_to_mitigate_ms) : Json(nullptr)},
              {"banks", banks},
              {"double_charges", s.double_charges},
              {"malformed_rows", s.malformed_rows},
              {"config_samples", {{"total", s.samples}, {"invalid", s.invalid_samples}, {"zero_eligible", s.zero_eligible_samples}}},
              {"bars", bars}};
}

std::string scorecard_to_text(const Scorecard& s) {
  const auto pct = [](const RunRates& r, bool incident) {
    if (!r.present) return std::string("-");
    return fmt::format("{:.2f}%", (incident ? r.during_incident() : r.overall()) * 100);
  };
  std::string out = fmt::format("scorecard: incident {} .. {}\n", format_timestamp(s.incident_start_ms),
                                format_timestamp(s.incident_end_ms));
  out += fmt::format("  payment success      during incident   overall\n");
  out += fmt::format("  with agent           {:>15}   {:>7}\n", pct(s.agent, true), pct(s.agent, false));
  out += fmt::format("  baseline (no agent)  {:>15}   {:>7}\n", pct(s.baseline, true), pct(s.baseline, false));
  out += fmt::format("  oracle (hindsight)   {:>15}   {:>7}\n", pct(s.oracle, true), pct(s.oracle, false));
  out += fmt::format("  time to detect: {}   time to mitigate: {}\n",
                     s.time_to_detect_ms ? fmt::format("{:.1f} s", double(*s.time_to_detect_ms) / 1000) : "-",
                     s.time_to_mitigate_ms ? fmt::format("{:.1f} s", double(*s.time_to_mitigate_ms) / 1000) : "-");
  for (const auto& b : s.banks)
    out += fmt::format("  {}: {} health changes, {} breaker changes, {} incident edges\n", b.bank_id,
                       b.health_changes, b.breaker_changes, b.incident_edges);
  out += fmt::format("  double charges: {}   malformed rows: {}   config samples: {} ({} invalid, {} with no eligible bank)\n",
                     s.double_charges, s.malformed_rows, s.samples, s.invalid_samples, s.zero_eligible_samples);
  for (const auto& b : s.bars) out += fmt::format("  [{}] {}: {}\n", b.passed ? "PASS" : "FAIL", b.name, b.detail);
  out += s.passed() ? "  RESULT: PASS\n" : "  RESULT: FAIL\n";
  return out;
}

}  // namespace payops
