// One agent cycle and its two renderings (JSON for machines, a few lines for people).
#include "agent/agent_cycle.h"

#include "agent/agent_liveness.h"

#include <memory>

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "contract/csv_parse.h"
#include "contract/csv_scan.h"

#include "platform/terminal.h"

namespace payops {
namespace {


Json bank_window_json(const BankWindowStats& s) {
  Json codes = Json::object();
  for (std::size_t i = 0; i < s.soft_by_code.size(); ++i) {
    if (s.soft_by_code[i] > 0) codes[std::string(to_string(soft_code_at(i)))] = s.soft_by_code[i];
  }
  return Json{{"attempts", s.attempts},
              {"successes", s.successes},
              {"success_rate", s.success_rate()},
              {"soft_failures", s.soft_failures},
              {"soft_failure_rate", s.soft_failure_rate()},
              {"soft_failures_by_code", codes},
              {"hard_declines", s.hard_declines},
              {"retries", s.retries},
              {"consecutive_soft_failures", s.trailing_soft_failures},
              {"avg_latency_ms", s.latency.average_ms()},
              {"p50_latency_ms", s.latency.percentile(0.50)},
              {"p95_latency_ms", s.latency.percentile(0.95)}};
}

Json window_json(const WindowStats& w, const Config& config) {
  Json banks = Json::object();
  for (const Bank& b : config.banks) {
    const BankWindowStats* s = w.find(b.id);
    banks[b.id] = bank_window_json(s ? *s : BankWindowStats{});
  }
  for (std::size_t i = 0; i < w.banks.size(); ++i) {  // rows naming banks the config no longer has
    if (!config.find_bank(w.banks.id(i))) banks[w.banks.id(i)] = bank_window_json(w.per_bank[i]);
  }
  return Json{{"rows", w.rows},
              {"no_route", w.no_route},
              {"payments", w.payments},
              {"payments_succeeded", w.payments_succeeded},
              {"payments_hard_declined", w.payments_hard_declined},
              {"payment_success_rate", w.payment_success_rate()},
              {"routable_payment_success_rate", w.routable_payment_success_rate()},
              {"banks", banks}};
}

// Metrics and the breaker's observed fields, from the short window. Not actions: no history entry.
void write_metrics(Config& config, const Observation& obs) {
  for (Bank& b : config.banks) {
    const BankWindowStats* sp = obs.short_window.find(b.id);
    const BankWindowStats s = sp ? *sp : BankWindowStats{};
    BankMetrics& m = b.metrics;
    m.success_rate = s.success_rate();
    m.soft_failure_rate = s.soft_failure_rate();
    m.avg_latency_ms = s.latency.average_ms();
    m.p95_latency_ms = static_cast<double>(s.latency.percentile(0.95));
    m.total_requests = static_cast<std::int64_t>(s.attempts);
    m.failed_requests = static_cast<std::int64_t>(s.failed());
    m.window_s = obs.short_window_ms / 1000;
    m.updated_at = obs.now_ms;
    b.circuit_breaker.failure_count = static_cast<std::int64_t>(s.trailing_soft_failures);
    if (s.last_soft_failure_ms) b.circuit_breaker.last_failure_time = *s.last_soft_failure_ms;
  }
}

}  // namespace

Json observation_to_json(const Observation& obs, const Config& config) {
  return Json{{"time", format_timestamp(obs.now_ms)},
              {"short_window_s", obs.short_window_ms / 1000},
              {"long_window_s", obs.long_window_ms / 1000},
              {"short", window_json(obs.short_window, config)},
              {"long", window_json(obs.long_window, config)},
              {"malformed_lines", obs.malformed}};
}

void cycle_on_config(Config& config, const Observation& obs, const CycleOptions& options, CycleReport& report) {
  if (const auto last = last_cycle_time(config);
      last && *last > obs.now_ms - options.min_cycle_gap_ms && *last < obs.now_ms + options.min_cycle_gap_ms) {
    report.skipped = fmt::format("another cycle wrote the config at {}, within {} ms of this one: not acting twice",
                                 format_timestamp(*last), options.min_cycle_gap_ms);
    report.config_after = config;
    return;
  }
  // Learn first: an ineffective action escalates in this very cycle's decisions.
  const std::vector<Judgement> judgements = judge_pending(config, obs, options.learn);
  std::vector<Escalation> escalations;
  for (const Judgement& j : judgements) {
    const HistoryEntry& e = config.agent_history[j.history_index];
    report.outcomes.push_back(Json{{"cycle_id", e.cycle_id.value_or("")},
                                   {"action", e.action},
                                   {"timestamp", format_timestamp(e.timestamp)},
                                   {"outcome", to_string(j.outcome)},
                                   {"why", j.why},
                                   {"escalate", j.escalation ? j.escalation->bank_id : std::string()}});
    if (j.escalation) escalations.push_back(*j.escalation);
  }
  record_judgements(config, judgements);

  Decision decision = decide_rules(config, obs, options.rules, escalations);
  std::string reasoner = options.reasoner;
  if (options.second_reasoner) {
    ReasonerVerdict verdict = options.second_reasoner(config, obs, decision);
    report.llm = verdict.trace;
    const auto record = [&](std::string action, std::string reason, Json details) {
      HistoryEntry e;
      e.timestamp = obs.now_ms;
      e.action = std::move(action);
      e.details = std::move(details);
      e.actor = "agent";
      e.reason = std::move(reason);
      e.cycle_id = report.cycle_id;
      e.reasoner = verdict.reasoner;
      config.agent_history.push_back(e);
      report.actions.push_back(std::move(e));
    };
    if (options.shadow) {
      Json rules_actions = Json::array(), llm_actions = Json::array();
      for (const Action& a : decision.actions) rules_actions.push_back(action_to_json(a)["name"].get<std::string>() + " " + action_to_json(a)["args"].dump());
      for (const Action& a : verdict.decision.actions) llm_actions.push_back(action_to_json(a)["name"].get<std::string>() + " " + action_to_json(a)["args"].dump());
      if (verdict.fallback_why.empty() && rules_actions != llm_actions) {
        record("llm_shadow",
               fmt::format("shadow LLM diverged from the rules: rules {} action(s), LLM {} action(s); the rules acted",
                           rules_actions.size(), llm_actions.size()),
               Json{{"rules", rules_actions}, {"llm", llm_actions}});
      }
      for (const auto& n : verdict.decision.notes) decision.notes.push_back("shadow " + n);
    } else {
      if (!verdict.fallback_why.empty()) {
        record("llm_fallback", fmt::format("LLM answer not used ({}); the rules decided this cycle", verdict.fallback_why),
               Json{{"why", verdict.fallback_why}});
      }
      decision = std::move(verdict.decision);
      reasoner = verdict.reasoner;
    }
  }
  report.reasoning = std::move(decision.notes);
  const ActionContext ctx{obs.now_ms, report.cycle_id, reasoner};
  for (const Action& a : decision.actions) {
    auto applied = apply_action(config, a, ctx);
    if (applied.ok()) {
      report.actions.push_back(*applied);
    } else if (applied.error().kind != Error::Kind::conflict) {  // "changes nothing" is not news
      report.refused.push_back(fmt::format("{}: {}", action_name(a), applied.error().message));
      report.reasoning.push_back(fmt::format("guardrail refused {} ({}): {}", action_name(a), a.reason,
                                             applied.error().message));
    }
  }
  write_metrics(config, obs);
  report.config_after = config;
}

Result<CycleReport> run_cycle(ConfigStore& store, Clock& clock, const ObserveFn& observe, const CycleOptions& options) {
  CycleReport report;
  report.now_ms = clock.now_ms();
  report.dry_run = options.dry_run;
  report.cycle_id = options.cycle_id_tag.empty() ? fmt::format("{}-{}", format_timestamp(report.now_ms), ::getpid())
                                                 : fmt::format("{}-{}", format_timestamp(report.now_ms), options.cycle_id_tag);
  auto obs = observe(report.now_ms);
  if (!obs.ok()) return obs.error();
  report.malformed_note = obs->malformed_note;
  if (options.dry_run) {
    auto config = store.load();
    if (!config.ok()) return config.error();
    report.observations = observation_to_json(*obs, *config);
    CycleOptions no_gap = options;
    no_gap.min_cycle_gap_ms = 0;  // a dry run never competes with a real one
    cycle_on_config(*config, *obs, no_gap, report);
    return report;
  }
  // A second reasoner (an LLM, seconds per answer) is asked before the lock, on a lockless snapshot,
  // so operators and other writers never wait on a model. Under the lock its answer is re-vetted
  // against the config as it is then, and the rules decide on that config if it no longer holds.
  CycleOptions locked_options = options;
  if (options.second_reasoner) {
    auto snapshot = store.load();
    if (!snapshot.ok()) return snapshot.error();
    const Decision rules_on_snapshot = decide_rules(*snapshot, *obs, options.rules, {});
    auto verdict = std::make_shared<ReasonerVerdict>(options.second_reasoner(*snapshot, *obs, rules_on_snapshot));
    locked_options.second_reasoner = [verdict](const Config& locked, const Observation&, const Decision& rules_locked) {
      ReasonerVerdict v = *verdict;
      if (v.fallback_why.empty() && v.recheck) {
        if (auto s = v.recheck(locked); !s.ok()) {
          v.fallback_why = "the answer no longer holds on the config as locked: " + s.error().message;
          v.reasoner = "rules";
          v.trace["fallback"] = v.fallback_why;
        }
      }
      if (!v.fallback_why.empty()) v.decision = rules_locked;
      return v;
    };
  }
  auto written = store.update([&](Config& config) -> Status {
    report.observations = observation_to_json(*obs, config);
    cycle_on_config(config, *obs, locked_options, report);
    if (!report.skipped.empty()) return make_error("skipped", Error::Kind::conflict);  // write nothing
    return ok_status();
  });
  if (!written.ok() && report.skipped.empty()) return written.error();
  return report;
}

Status run_stream(ConfigStore& store, int fd, std::int64_t interval_ms, const CycleOptions& options,
                  const std::function<bool(const Result<CycleReport>&)>& on_cycle,
                  const std::function<bool()>& stop) {
  RowWindow window;
  std::optional<TimeMs> next_boundary;
  ScanSummary malformed;
  std::uint64_t line_number = 0;
  const std::int64_t keep_ms = std::max(options.observe.long_window_ms, options.observe.short_window_ms) +
                               options.observe.tail_slack_ms;
  auto cycle_at = [&](TimeMs t) {
    ManualClock clock(t);
    const std::string note = malformed.describe();
    auto report = run_cycle(store, clock, [&](TimeMs now) -> Result<Observation> {
      Observation obs = observe_rows(window, now, options.observe);
      obs.malformed = malformed.malformed;
      obs.malformed_note = note;
      return obs;
    }, options);
    window.drop_before(t - keep_ms);
    return on_cycle(report);
  };

  // The contract's scanner decides what a row is: a header only as the stream's first line
  // (tail -n +1, simulator --out -), a header anywhere else malformed (repeated_header), a line
  // without '\n' not yet a row (it stays pending until its end arrives).
  bool stopped = false;
  const auto on_row = [&](const RowView& row) {
    if (stopped) return;
    if (!next_boundary) next_boundary = row.timestamp_ms + interval_ms;
    while (row.timestamp_ms >= *next_boundary) {
      if (!cycle_at(*next_boundary)) {
        stopped = true;
        return;
      }
      *next_boundary += interval_ms;
    }
    window.add(row);
  };
  std::string pending;
  std::vector<char> buf(1 << 16);
  for (;;) {
    if (stop()) return ok_status();
    const ssize_t got = ::read(fd, buf.data(), buf.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(fmt::format("cannot read the row stream: {}", std::strerror(errno)));
    }
    if (got == 0) break;
    pending.append(buf.data(), static_cast<std::size_t>(got));
    const ScanSummary scanned = scan_buffer(pending, line_number + 1, line_number == 0, on_row);
    if (stopped) return ok_status();
    line_number += scanned.lines;
    malformed.merge(scanned);
    pending.erase(0, scanned.bytes);
  }
  // End of input: no cycle for the rows after the last boundary. A stream's last seconds are
  // skewed (attempts still in flight finish last, slowest first) and would be judged on a partial
  // window.
  return ok_status();
}

Json cycle_report_to_json(const CycleReport& r) {
  Json actions = Json::array();
  for (const HistoryEntry& e : r.actions) actions.push_back(history_entry_to_json(e));
  return Json{{"cycle_id", r.cycle_id},
              {"time", format_timestamp(r.now_ms)},
              {"dry_run", r.dry_run},
              {"skipped", r.skipped.empty() ? Json() : Json(r.skipped)},
              {"observations", r.observations},
              {"reasoning", r.reasoning},
              {"actions", actions},
              {"refused", r.refused},
              {"outcomes", r.outcomes},
              {"llm", r.llm}};
}

std::string cycle_report_to_text(const CycleReport& r) {
  std::string out = fmt::format("{} cycle {}{}", format_timestamp(r.now_ms), r.cycle_id, r.dry_run ? " (dry run)" : "");
  if (!r.skipped.empty()) return out + ": skipped: " + r.skipped + "\n";
  const Json& s = r.observations.value("short", Json::object());
  out += fmt::format(": payments {} ok {} | ", s.value("payments", 0), format_percent(s.value("routable_payment_success_rate", 0.0)));
  const Json& banks = s.value("banks", Json::object());
  bool first = true;
  for (const Bank& b : r.config_after.banks) {
    const Json& bj = banks.value(b.id, Json::object());
    out += fmt::format("{}{} {} n={} w={} {}{}", first ? "" : " | ", b.id, format_percent(bj.value("success_rate", 0.0)),
                       bj.value("attempts", 0), b.weight, to_string(b.health_status),
                       b.circuit_breaker.state == BreakerState::closed
                           ? std::string()
                           : "/" + std::string(to_string(b.circuit_breaker.state)));
    first = false;
  }
  out += "\n";
  for (const HistoryEntry& e : r.actions) out += fmt::format("  -> {}: {}\n", e.action, escape_for_terminal(e.reason));
  for (const std::string& x : r.refused) out += fmt::format("  !! refused {}\n", escape_for_terminal(x));
  for (const Json& j : r.outcomes) {
    out += fmt::format("  <- {} at {} was {}: {}\n", j.value("action", ""), j.value("timestamp", ""),
                       j.value("outcome", ""), j.value("why", ""));
  }
  if (!r.malformed_note.empty()) out += "  (" + r.malformed_note + ")\n";
  return out;
}

}  // namespace payops
