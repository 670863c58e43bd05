// The rules reasoner (see rules_reasoner.h for the rules themselves, in the order they decide).
#include "agent/rules_reasoner.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agent/change_point.h"
#include "agent/chance.h"
#include "contract/config_paths.h"
#include "platform/terminal.h"

namespace payops {

// --- Memory read back from agent_history ---

namespace {
// True when `f` set the number at `path` lower than it was (a cut of a weight).
bool lowers(const FieldChange& f, std::string_view path) {
  return f.path == path && f.before.is_number() && f.after.is_number() && f.after.get<double>() < f.before.get<double>();
}
}  // namespace

const HistoryEntry* last_change(const Config& config, std::string_view path_prefix) {
  for (auto it = config.agent_history.rbegin(); it != config.agent_history.rend(); ++it) {
    for (const FieldChange& c : changes_from_details(it->details)) {
      if (std::string_view(c.path).starts_with(path_prefix)) return &*it;
    }
  }
  return nullptr;
}

namespace {
// True when `changed` is `field` itself or an object that contains it.
bool covers(std::string_view changed, std::string_view field) {
  return field == changed || (field.starts_with(changed) && field[changed.size()] == '.');
}
}  // namespace

bool operator_changed_recently(const Config& config, std::string_view field_path, TimeMs now_ms,
                               std::int64_t cooldown_ms) {
  for (auto it = config.agent_history.rbegin(); it != config.agent_history.rend(); ++it) {
    if (it->actor == "agent") continue;
    if (it->timestamp < now_ms - cooldown_ms) continue;  // entries are appended in time order, mostly
    for (const FieldChange& c : changes_from_details(it->details)) {
      if (covers(c.path, field_path)) return true;
    }
  }
  return false;
}

std::map<std::string, std::int64_t> intended_weights(const Config& config) {
  std::map<std::string, std::int64_t> out;
  for (const Bank& b : config.banks) {
    const std::string path = "banks." + b.id + ".weight";
    std::optional<std::int64_t> intent;
    for (auto it = config.agent_history.rbegin(); it != config.agent_history.rend() && !intent; ++it) {
      if (it->actor != "agent") {
        for (const FieldChange& c : changes_from_details(it->details)) {
          if (c.path == path) intent = json_integer(c.after);
        }
      } else if (it->action == "reroute_traffic" && it->details.contains("intended") &&
                 it->details["intended"].is_object() && it->details["intended"].contains(b.id)) {
        intent = json_integer(it->details["intended"][b.id]);
      }
    }
    out[b.id] = intent.value_or(b.weight);
  }
  return out;
}

// --- Measures the rules share ---

std::int64_t slow_call_threshold_ms(const Config& config, const Observation& obs, std::string_view bank_id,
                                    const RulesOptions& o) {
  std::vector<std::int64_t> peer_p50;
  for (const Bank& b : config.banks) {
    if (!b.enabled || b.id == bank_id) continue;
    const BankWindowStats* s = obs.short_window.find(b.id);
    if (s && s->attempts >= static_cast<std::uint64_t>(b.circuit_breaker.min_requests))
      peer_p50.push_back(s->latency.percentile(0.5));
  }
  if (peer_p50.empty()) return o.slow_call_floor_ms;
  std::sort(peer_p50.begin(), peer_p50.end());
  const auto median = static_cast<double>(peer_p50[peer_p50.size() / 2]);
  return std::max<std::int64_t>(o.slow_call_floor_ms, std::llround(median * o.slow_peer_factor));
}

WeightedRate recency_success_rate(const Observation& obs, std::string_view bank_id, std::int64_t half_life_ms,
                                  std::optional<TimeMs> since_ms) {
  const auto index = obs.rows.banks().find(bank_id);
  if (!index || half_life_ms <= 0) return {};
  const TimeMs since = std::max(obs.long_since(), since_ms.value_or(obs.long_since()));
  double ok = 0, all = 0;
  const std::vector<CompactRow>& rows = obs.rows.rows();
  for (std::size_t i = obs.rows.first_at(since); i < rows.size(); ++i) {  // rows are in time order
    const CompactRow& r = rows[i];
    if (r.timestamp_ms > obs.now_ms) break;
    if (r.bank != *index || !counts_for_success_rate(r)) continue;
    const double w = std::exp2(-static_cast<double>(obs.now_ms - r.timestamp_ms) / static_cast<double>(half_life_ms));
    all += w;
    if (r.status == TxnStatus::success) ok += w;
  }
  return {all > 0 ? ok / all : 0.0, all};
}

std::map<std::string, double> cap_shares(std::map<std::string, double> share, const std::map<std::string, double>& cap) {
  std::map<std::string, bool> fixed;
  for (int round = 0; round < static_cast<int>(share.size()); ++round) {
    double free_total = 0, excess = 0;
    for (auto& [id, s] : share) {
      const auto c = cap.find(id);
      if (!fixed[id] && c != cap.end() && s > c->second) {
        excess += s - c->second;
        s = c->second;
        fixed[id] = true;
      }
      if (!fixed[id]) free_total += s;
    }
    if (excess <= 0) break;
    if (free_total <= 0) {  // everyone is capped: spread what is left in proportion
      double total = 0;
      for (const auto& [id, s] : share) total += s;
      for (auto& [id, s] : share) s = total > 0 ? s / total : 0;
      break;
    }
    for (auto& [id, s] : share)
      if (!fixed[id]) s += excess * s / free_total;
  }
  return share;
}

namespace {

std::string bank_path(const Bank& b, std::string_view field) { return fmt::format("banks.{}.{}", b.id, field); }
double per_s(std::uint64_t n, std::int64_t window_ms) {
  return window_ms <= 0 ? 0.0 : static_cast<double>(n) * 1000.0 / static_cast<double>(window_ms);
}

std::optional<TimeMs> changed_at(const Config& config, const std::string& path) {
  const HistoryEntry* e = last_change(config, path);
  if (!e) return std::nullopt;
  return e->timestamp;
}

// How many times the bank's breaker went to open since `since` (any actor).
std::int64_t recent_opens(const Config& config, const std::string& bank_id, TimeMs since) {
  const std::string path = "banks." + bank_id + ".circuit_breaker.state";
  std::int64_t n = 0;
  for (const HistoryEntry& e : config.agent_history) {
    if (e.timestamp < since) continue;
    for (const FieldChange& c : changes_from_details(e.details)) {
      if (c.path == path && c.after == "open") ++n;
    }
  }
  return n;
}

// A slow verdict needs this many attempts in the window: rows are written when an attempt finishes,
// so when traffic thins out the slowest attempts are the last to arrive and a small window
// over-represents them.
constexpr std::uint64_t kSlowMinAttempts = 50;
// An outlier verdict needs this many served attempts in the evidence, in the peers and in its norm:
// at 50, a bank kept at its exploration share (drift drill, default seed) tripped it on 13 faults in
// 52 after a real +5 point drift, and its health flapped.
constexpr std::uint64_t kOutlierMinServed = 100;
// The details.degraded_as of an outlier's health entry (rule 3 reads it back).
constexpr std::string_view kOutlierVerdict = "outlier";
// Since a change point (attempts started after it: no stragglers from before), fewer will do: the
// Poisson tail still rules out chance, and the evidence is not diluted by the seconds before.
constexpr std::uint64_t kOutlierMinSinceChange = 40;

// Everything the rules read about one enabled bank this cycle.
struct BankView {
  const Bank* bank = nullptr;
  BankWindowStats S, L, E;  // short window, long window, evidence since the breaker last changed
  BankWindowStats O;        // the outlier's evidence: E, or its attempts started since its latest change point
  std::optional<TimeMs> O_changed;  // that change point
  // Its latest change point when it falls inside the evidence (breaker closed), whatever the band.
  std::optional<TimeMs> success_changed;
  bool outlier_held = false;  // degraded as an outlier and not yet ruled back (outlier_unresolved)
  std::optional<TimeMs> breaker_changed;
  bool escalate = false;
  std::int64_t slow_ms = 0;  // the slow-call threshold
  double slow_rate_S = 0, slow_rate_E = 0;
  // The short window for a slow verdict: without the attempts started before a cut of its weight
  // (slow_verdict_window), and their slow-call rate.
  BankWindowStats S_slow;
  double slow_rate_S_slow = 0;
  BankSilence silence;  // judged only with its breaker closed and its weight unchanged for the span
  double peer_fault_rate = 0;  // pooled over the other enabled banks with a closed breaker (short window)
  bool outlier = false;
  // Rows are counted by when they finished. While traffic falls (silence.h: the peers' own rate
  // fell), the last rows are the slow tail of attempts that started earlier, so a slow-call share or
  // a p95 of the window says nothing of the bank: no slow verdict then (the live drill's end made
  // bank_d, the slowest bank, "slow" 4 s after the last payment started).
  bool slow_judgeable() const { return !silence.traffic_falling; }
};

// What this cycle decided for a bank so far.
struct BankPlan {
  BreakerState breaker = BreakerState::closed;
  Health health = Health::healthy;
  bool to_half_open = false;
};

struct Ejection {
  std::int64_t ejected = 0;  // enabled banks with an open breaker or down
  std::int64_t cap = 1;
};

struct Ctx {
  const Config& config;
  const Observation& obs;
  const RulesOptions& o;
  Decision& d;
  TimeMs now() const { return obs.now_ms; }
  bool cooling(const Bank& b, std::string_view field) const {
    return operator_changed_recently(config, bank_path(b, field), now(), o.operator_cooldown_ms);
  }
  std::string cooling_note(const Bank& b, std::string_view what, std::string_view value) const {
    return fmt::format("{}: {} left {} (operator changed it within {} s)", b.id, what, value,
                       o.operator_cooldown_ms / 1000);
  }
};

double slow_rate(const BankWindowStats& s, std::int64_t slow_ms) {
  return BankWindowStats::ratio(s.latency.count_at_least(slow_ms), s.attempts);
}

// The silence verdict (silence.h) for a bank whose share nobody moved: a change to its weight or
// breaker within the span moves its share of finished attempts by itself, so such a bank is not judged.
// Not silent by finish time, its attempts may still CRAWL: counted by start, too few finish fast
// (silence.h, bank_crawling). The slow_bank drill, seed 2: a 2.5 s-median bank_c was never silent,
// and kept its share for 5 s until the slow-call rule saw 47% of 77 attempts slow.
// The crawl's spans reach slow_ms further back (attempts by start, each given slow_ms to finish): a
// change within them moves its share by itself (a weight cut 6.5 s ago: the starts before it
// predict many times what the bank now gets).
BankSilence silence_of(const Ctx& c, const Bank& b, std::int64_t slow_ms) {
  if (b.circuit_breaker.state != BreakerState::closed) return {};
  const TimeMs span_since = c.now() - c.o.silence.window_ms - c.o.silence.baseline_ms;
  std::optional<TimeMs> last_moved;
  for (const char* field : {"weight", "circuit_breaker.state", "health_status"}) {
    const std::optional<TimeMs> at = changed_at(c.config, bank_path(b, field));
    if (at && *at >= span_since) return {};
    if (at) last_moved = std::max(last_moved.value_or(*at), *at);
  }
  BankSilence s = bank_silence(c.obs.rows, b.id, c.now(), c.o.silence);
  if (s.silent || s.traffic_falling || (last_moved && *last_moved >= span_since - slow_ms)) return s;
  if (const BankCompletion crawl = bank_crawling(c.obs.rows, b.id, c.now(), slow_ms, c.o.silence); crawl.hanging) {
    s.silent = s.crawling = true;
    s.expected = crawl.expected;
    s.finished = crawl.finished;
  }
  return s;
}

std::string silence_numbers(const BankSilence& s, const RulesOptions& o) {
  if (s.crawling)
    return fmt::format("crawling: {} of the attempts that started in {} s finished fast where its share predicts {:.0f}",
                       s.finished, static_cast<double>(o.silence.window_ms) / 1000, s.expected);
  return fmt::format("silent: {} attempts finished in the last {} s where its {} share of the {} s before predicts {:.0f}",
                     s.finished, static_cast<double>(o.silence.window_ms) / 1000, format_percent(s.baseline_share),
                     static_cast<double>(o.silence.baseline_ms) / 1000, s.expected);
}

// Outlier (header): E's fault rate >= outlier_margin above both the peers' pooled rate and its own
// norm, over >= kOutlierMinServed served attempts, with that many faults beyond chance at the higher
// of the two reference rates (Poisson tail < outlier_alpha). Fills peer_rate.
bool is_outlier(const Ctx& c, const Bank& b, const BankWindowStats& E, std::optional<TimeMs> changed, double& peer_rate) {
  std::uint64_t peer_faults = 0, peer_served = 0;
  for (const Bank& o : c.config.banks) {
    if (!o.enabled || o.id == b.id || o.health_status == Health::down || o.circuit_breaker.state != BreakerState::closed)
      continue;
    if (const BankWindowStats* s = c.obs.short_window.find(o.id)) {
      peer_faults += s->faults();
      peer_served += s->served();
    }
  }
  peer_rate = BankWindowStats::ratio(peer_faults, peer_served);
  const auto min_served = std::max<std::uint64_t>(kOutlierMinServed, static_cast<std::uint64_t>(b.circuit_breaker.min_requests));
  const auto min_evidence = changed ? std::max<std::uint64_t>(kOutlierMinSinceChange, static_cast<std::uint64_t>(b.circuit_breaker.min_requests))
                                         : min_served;
  if (E.served() < min_evidence || peer_served < min_served) return false;
  // Its own norm: the long window before the evidence (before the change point, when there is one:
  // the seconds of the short window before it are its norm too; a drill has little history). A bank
  // that is always this much worse than its peers is the operator's choice, not an incident; without
  // a norm there is no telling.
  const BankWindowStats norm = c.obs.rows.bank_stats(b.id, c.obs.long_since(), changed.value_or(c.obs.short_since()) - 1);
  if (norm.served() < min_served) return false;
  const double reference = std::max(peer_rate, norm.fault_rate());
  if (E.fault_rate() - reference < c.o.outlier_margin) return false;
  return poisson_at_least(E.faults(), reference * static_cast<double>(E.served())) < c.o.outlier_alpha;
}

std::string outlier_numbers(const BankView& v) {
  return fmt::format("outlier: {} faults over {} served attempts, its peers {}", format_percent(v.O.fault_rate()),
                     v.O.served(), format_percent(v.peer_fault_rate));
}

// Rule 3 (header): a bank degraded as an outlier stays so until its faults since that verdict rule out
// a rate of its peers' + outlier_leave_margin. False when it was not degraded as an outlier.
bool outlier_unresolved(const Ctx& c, const BankView& v) {
  const HistoryEntry* verdict = last_change(c.config, bank_path(*v.bank, "health_status"));
  if (!verdict) return false;
  // details.degraded_as; entries written before it existed say so only in their reason.
  // Learn writes its own judgement to details.verdict (an object), hence a key of its own here.
  const auto as = verdict->details.is_object() ? verdict->details.find("degraded_as") : verdict->details.end();
  const bool outlier = (as != verdict->details.end() && as->is_string() && as->get<std::string>() == kOutlierVerdict) ||
                       verdict->reason.find(": degraded: outlier:") != std::string::npos;
  if (!outlier) return false;
  // Since the verdict, or since the latest change of its success after it: a bank that recovered is
  // judged on what it does since, not on the incident's faults still in the span.
  const std::optional<TimeMs> changed = success_change_since(c.obs.rows, v.bank->id, verdict->timestamp, c.now(),
                                                             ChangePointOptions{c.o.sr_min_samples, c.o.sr_change_llr});
  const BankWindowStats since = c.obs.rows.bank_stats(v.bank->id, changed.value_or(verdict->timestamp), c.now());
  const double suspect_rate = v.peer_fault_rate + c.o.outlier_leave_margin;
  return poisson_at_most(since.faults(), suspect_rate * static_cast<double>(since.served())) >= c.o.outlier_leave_alpha;
}

// The longest an attempt takes: the gateway's timeout (8 s in the world) and some slack.
constexpr std::int64_t kLongestAttemptMs = 10'000;

// When its weight was last cut, if ever.
std::optional<TimeMs> weight_cut_at(const Config& config, const Bank& b) {
  const std::string path = bank_path(b, "weight");
  for (auto it = config.agent_history.rbegin(); it != config.agent_history.rend(); ++it)
    for (const FieldChange& f : changes_from_details(it->details))
      if (lowers(f, path)) return it->timestamp;
  return std::nullopt;
}

// The slow verdict's window (rule 3): the short window, but within kLongestAttemptMs of a cut of its
// weight, only the attempts started since. The rows that finish after a cut are the slow tail of
// attempts sent under the larger share: drift, seed 3, under a trial outlier rule (not kept):
// bank_d cut from 25 to 1 was "slow" 5 s later, 30% of 69 rows over 1.5 s, p95 8 s.
BankWindowStats slow_verdict_window(const Ctx& c, const Bank& b, const BankWindowStats& S) {
  const std::optional<TimeMs> cut = weight_cut_at(c.config, b);
  if (!cut || *cut <= c.obs.short_since() - kLongestAttemptMs) return S;
  return c.obs.rows.bank_stats_started(b.id, std::max(*cut, c.obs.short_since()), c.now());
}

BankView make_view(const Ctx& c, const Bank& b, const std::vector<Escalation>& escalations) {
  BankView v;
  v.bank = &b;
  if (const BankWindowStats* s = c.obs.short_window.find(b.id)) v.S = *s;
  if (const BankWindowStats* l = c.obs.long_window.find(b.id)) v.L = *l;
  v.breaker_changed = changed_at(c.config, bank_path(b, "circuit_breaker.state"));
  const TimeMs since = std::max(c.obs.short_since(), v.breaker_changed.value_or(c.obs.short_since()));
  v.E = c.obs.rows.bank_stats(b.id, since, c.now());
  v.escalate = std::any_of(escalations.begin(), escalations.end(), [&](const Escalation& e) { return e.bank_id == b.id; });
  v.slow_ms = slow_call_threshold_ms(c.config, c.obs, b.id, c.o);
  v.slow_rate_S = slow_rate(v.S, v.slow_ms);
  v.slow_rate_E = slow_rate(v.E, v.slow_ms);
  v.S_slow = slow_verdict_window(c, b, v.S);
  v.slow_rate_S_slow = slow_rate(v.S_slow, v.slow_ms);
  v.silence = silence_of(c, b, v.slow_ms);
  v.O = v.E;
  if (b.circuit_breaker.state == BreakerState::closed) {
    const TimeMs search_since = std::max(c.obs.long_since(), v.breaker_changed.value_or(c.obs.long_since()));
    const std::optional<TimeMs> changed = success_change_since(
        c.obs.rows, b.id, search_since, c.now(), ChangePointOptions{c.o.sr_min_samples, c.o.sr_change_llr});
    if (changed && *changed > since) v.success_changed = changed;
    // Only in the outlier's own band, under degrade_enter: a bank failing past it is judged by the
    // failing rules (breaker, burst, degrade), whose timing weighs what the others can take
    // (overload, seeds 1-3: bank_b failing half its attempts cut at its first cycle, before the
    // others' ceilings were learned, took the gap from 110 / 127 / 97% to 95 / 93 / 89%).
    const BankWindowStats since_change =
        v.success_changed ? c.obs.rows.bank_stats_started(b.id, *v.success_changed, c.now()) : BankWindowStats{};
    if (v.success_changed && since_change.fault_rate() < c.o.degrade_enter) {
      v.O = since_change;
      v.O_changed = v.success_changed;
    }
  }
  v.outlier = is_outlier(c, b, v.O, v.O_changed, v.peer_fault_rate);
  v.outlier_held = outlier_unresolved(c, v);  // read by the health and the weight rules alike
  return v;
}

Json observed(const Ctx& c, const BankView& v, const BankWindowStats& s) {
  return Json{{"bank_id", v.bank->id},
              {"attempts", s.attempts},
              {"soft_failure_rate", s.soft_failure_rate()},
              {"fault_rate", s.fault_rate()},
              {"rate_limited", s.rate_limited()},
              {"slow_call_rate", slow_rate(s, v.slow_ms)},
              {"slow_call_ms", v.slow_ms},
              {"p95_latency_ms", s.latency.percentile(0.95)},
              {"payment_success_rate", c.obs.short_window.routable_payment_success_rate()},
              {"first_attempt_success_rate", c.obs.short_window.first_attempt_success_rate()},
              {"payments", c.obs.short_window.payments}};
}

void breaker_action(Ctx& c, const BankView& v, BankPlan& plan, BreakerState to, std::string reason) {
  c.d.actions.push_back(Action{SetCircuitBreaker{v.bank->id, to}, std::move(reason), Json{{"observed", observed(c, v, v.E)}}});
  plan.breaker = to;
}

// `verdict`, when given, is recorded as details.degraded_as: what a later cycle reads the verdict by.
void health_action(Ctx& c, const BankView& v, BankPlan& plan, Health to, std::string reason, std::string_view verdict = {}) {
  Json evidence{{"observed", observed(c, v, v.S)}};
  if (!verdict.empty()) evidence["degraded_as"] = std::string(verdict);
  c.d.actions.push_back(Action{UpdateBankHealth{v.bank->id, to}, std::move(reason), std::move(evidence)});
  plan.health = to;
}

// The eligible banks other than `self` (enabled, not down, breaker not open: is_eligible), the set
// the panic, capacity and retry rules look at for somewhere else to send traffic.
std::vector<const Bank*> other_eligible(const Config& config, const Bank& self) {
  std::vector<const Bank*> out;
  for (const Bank& b : config.banks)
    if (b.id != self.id && is_eligible(b)) out.push_back(&b);
  return out;
}

// Of those, the ones with a closed breaker: the banks that carry full traffic by their weight (a
// half_open bank carries a few probes), the set the capacity, probe and retry rules plan load on.
std::vector<const Bank*> other_closed(const Config& config, const Bank& self) {
  std::vector<const Bank*> out = other_eligible(config, self);
  std::erase_if(out, [](const Bank* b) { return b->circuit_breaker.state != BreakerState::closed; });
  return out;
}

// Panic: every other eligible bank is failing too, so ejecting this one would only pile its load onto
// failing banks. False when there is no other eligible bank (the guardrail's last-route rule decides).
bool panic(const Ctx& c, const Bank& self) {
  const std::vector<const Bank*> others = other_eligible(c.config, self);
  const auto failing = std::count_if(others.begin(), others.end(), [&](const Bank* b) {
    const BankWindowStats* s = c.obs.short_window.find(b->id);
    return s && s->served() >= static_cast<std::uint64_t>(b->circuit_breaker.min_requests) &&
           s->fault_rate() > b->circuit_breaker.failure_rate_threshold;
  });
  return !others.empty() && failing == static_cast<std::ptrdiff_t>(others.size());
}

// Attempts per second over the short window, every bank.
double attempts_per_s(const Ctx& c) {
  std::uint64_t attempts = 0;
  for (const BankWindowStats& s : c.obs.short_window.per_bank) attempts += s.attempts;
  return per_s(attempts, c.obs.short_window_ms);
}

// The learned ceilings of the eligible banks other than `self` with a closed breaker, summed; nullopt
// when there is none or one has no ceiling learned (it has room as far as the log knows). A half_open
// bank is on trial, its traffic a few probes: it is no room to plan on, learned or not (overload,
// seeds 2 and default: bank_c, down, went half_open for one cycle, and its unknown ceiling lifted
// the capacity panic in that very cycle; the failing bank_b was ejected onto bank_a and bank_d, which
// then refused 90-170 attempts a second).
std::optional<double> others_ceiling_per_s(const Ctx& c, const Bank& self) {
  const std::vector<const Bank*> others = other_closed(c.config, self);
  if (others.empty()) return std::nullopt;
  double room_per_s = 0;
  for (const Bank* b : others) {
    const auto ceiling = learned_capacity_per_s(c.obs.rows, b->id, c.obs.long_since(), c.now());
    if (!ceiling) return std::nullopt;
    room_per_s += *ceiling;
  }
  return room_per_s;
}

// Capacity panic: ejecting `self` would leave the other eligible banks without room for the traffic.
// True when `self` still succeeds on >= serving_min_success of its served attempts, every other
// eligible bank has a learned ceiling, and those ceilings sum below the attempts per second: its
// traffic would turn into RATE_LIMITED elsewhere (certain failures, and retries that overload the
// next bank), which is worse than a bank that still serves some. A bank with no learned ceiling has
// room as far as the log knows, so at ordinary load this never holds. Fills `room_per_s`.
bool no_room_without(const Ctx& c, const Bank& self, const BankWindowStats& E, double& room_per_s) {
  room_per_s = 0;
  if (E.served() == 0 || 1.0 - E.fault_rate() < c.o.serving_min_success) return false;
  const std::optional<double> room = others_ceiling_per_s(c, self);
  room_per_s = room.value_or(0);
  return room && *room < attempts_per_s(c);
}

// Are a held bank's attempts finishing fast since its weight or breaker was last set? The survivors
// of a hanging bank are its fast attempts, so good-looking rows alone cannot bring it back
// (silence.h). `after_cut` tells whether that last change lowered its weight (or was its breaker):
// the first step back up needs `finishing`; later steps of a ramp need only "not hanging".
struct HeldCompletion {
  BankCompletion done;
  bool after_cut = true;
};
HeldCompletion held_completion(const Ctx& c, const Bank& b) {
  const std::vector<double> shares = traffic_shares(c.config);
  double share = 0;
  for (std::size_t i = 0; i < c.config.banks.size(); ++i)
    if (c.config.banks[i].id == b.id) share = shares[i];
  HeldCompletion h;
  const std::string weight_path = bank_path(b, "weight");
  const HistoryEntry* weight_change = last_change(c.config, weight_path);
  const std::optional<TimeMs> breaker_change = changed_at(c.config, bank_path(b, "circuit_breaker.state"));
  TimeMs since = c.obs.short_since();
  if (weight_change) {
    since = weight_change->timestamp;
    for (const FieldChange& f : changes_from_details(weight_change->details))
      if (f.path == weight_path) h.after_cut = lowers(f, weight_path);
  }
  if (breaker_change && *breaker_change >= since) {
    since = *breaker_change;  // half_open scales its share; a close is a fresh start
    h.after_cut = true;
  }
  h.done = completion_since(c.obs.rows, b.id, std::max(since, c.obs.long_since()), c.now(), share,
                            slow_call_threshold_ms(c.config, c.obs, b.id, c.o), c.o.silence);
  return h;
}

// A burst: of the bank's newest min_requests served attempts in the evidence, more than
// failure_rate_threshold and more than 1 - serving_min_success are faults (it has all but stopped
// serving: a bank still serving a quarter or more is left to the rate over the evidence, as the
// overload drill needs while the others' ceilings are not learned yet: bank_b failing 55% ejected
// at once cost 67-78% of the gap there, where 81-96% had been), beyond chance at the higher of its peers' fault rate and its
// own norm (Poisson tail < outlier_alpha). The run of trailing faults misses an outage's first
// second: attempts started before it that finish after it began (slow successes) end the run, and
// the rate over the whole evidence is diluted by the seconds before it (operator_override, seed 2:
// at the first cycle of bank_b's outage 30 of its newest 31 rows were faults, one 1.2 s success
// between them, 13% over the 6 s window; a second of its quarter share, 37 payments, was lost).
bool fault_burst(const Ctx& c, const BankView& v, NewestServed& newest, double& reference) {
  const CircuitBreaker& cb = v.bank->circuit_breaker;
  const auto n = static_cast<std::uint64_t>(std::max<std::int64_t>(1, cb.min_requests));
  const TimeMs since = std::max(c.obs.short_since(), v.breaker_changed.value_or(c.obs.short_since()));
  // Since its success changed, the attempts started before are stragglers of before (bank_outage,
  // seed 5: 6 successes of attempts started before the outage, finishing up to 1.3 s into it, among
  // the newest 20 rows hid it for a cycle, 36 failed first attempts). Not by start throughout: the
  // latest starts that have finished over-represent fast faults (overload: a half-failing bank_b
  // read as a burst, 63% on seed 7, 6deb39c reverted).
  newest = newest_served(c.obs.rows, v.bank->id, since, c.now(), n, v.success_changed);
  const double burst_above = std::max(cb.failure_rate_threshold, 1.0 - c.o.serving_min_success);
  if (newest.served < n || BankWindowStats::ratio(newest.faults, newest.served) <= burst_above) return false;
  reference = v.peer_fault_rate;
  const BankWindowStats norm = c.obs.rows.bank_stats(v.bank->id, c.obs.long_since(), c.obs.short_since() - 1);
  if (norm.served() >= kOutlierMinServed) reference = std::max(reference, norm.fault_rate());
  return poisson_at_least(newest.faults, reference * static_cast<double>(newest.served)) < c.o.outlier_alpha;
}

// Rule 2, closed -> open.
void breaker_closed_rule(Ctx& c, const BankView& v, BankPlan& plan, Ejection& ej) {
  const Bank& b = *v.bank;
  const CircuitBreaker& cb = b.circuit_breaker;
  const bool by_run = v.E.trailing_faults >= static_cast<std::uint64_t>(cb.failure_threshold);
  NewestServed newest;
  double reference = 0;
  const bool by_rate = (v.E.served() >= static_cast<std::uint64_t>(cb.min_requests) &&
                        v.E.fault_rate() > cb.failure_rate_threshold);
  const bool by_burst = !by_run && !by_rate && fault_burst(c, v, newest, reference);
  const bool escalate_open = v.escalate && b.health_status != Health::degraded;  // degraded escalates to down
  // A bank whose attempts hang is dead to the customers routed to it: each waits out a timeout.
  const bool by_silence = v.silence.silent;
  if (!by_run && !by_rate && !by_burst && !escalate_open && !by_silence) return;
  if (ej.ejected >= ej.cap) {
    c.d.notes.push_back(fmt::format("{}: breaker left closed: ejection cap, {} of the enabled banks already out (max {})",
                                    b.id, ej.ejected, ej.cap));
    return;
  }
  if (panic(c, b)) {
    c.d.notes.push_back(fmt::format("{}: breaker left closed: panic, every other eligible bank is failing too", b.id));
    return;
  }
  if (double room = 0; !escalate_open && no_room_without(c, b, v.E, room)) {
    c.d.notes.push_back(fmt::format("{}: breaker left closed: capacity panic, it still succeeds on {} of {} served "
                                    "attempts and the other banks' learned ceilings sum to {:.0f}/s of {:.0f} attempts/s",
                                    b.id, format_percent(1.0 - v.E.fault_rate()), v.E.served(), room, attempts_per_s(c)));
    return;
  }
  const std::string why =
      by_run ? fmt::format("{} consecutive faults (threshold {})", v.E.trailing_faults, cb.failure_threshold)
      : by_rate ? fmt::format("fault rate {} over {} served attempts (threshold {}, min {})", format_percent(v.E.fault_rate()),
                              v.E.served(), format_percent(cb.failure_rate_threshold), cb.min_requests)
      : by_burst ? fmt::format("{} faults in its newest {} served attempts (above {}), beyond chance at {} "
                               "(its peers' or its norm)", newest.faults, newest.served,
                               format_percent(std::max(cb.failure_rate_threshold, 1.0 - c.o.serving_min_success)),
                               format_percent(reference))
      : by_silence ? silence_numbers(v.silence, c.o)
                : std::string("escalation: an earlier action on it did not help");
  breaker_action(c, v, plan, BreakerState::open, fmt::format("{}: open the breaker: {}", b.id, why));
  ++ej.ejected;
}

// Rule 2, open -> half_open after a hold bounded at max_hold_multiplier x open_duration_s.
void breaker_open_rule(Ctx& c, const BankView& v, BankPlan& plan) {
  const Bank& b = *v.bank;
  const CircuitBreaker& cb = b.circuit_breaker;
  const TimeMs opened = cb.opened_at.value_or(v.breaker_changed.value_or(c.now()));
  const std::int64_t open_ms = c.now() - opened;
  const std::int64_t opens = std::clamp<std::int64_t>(recent_opens(c.config, b.id, c.obs.long_since()), 1,
                                                      std::max<std::int64_t>(1, c.o.max_hold_multiplier));
  const std::int64_t hold_ms = cb.open_duration_s * 1000 * opens;
  if (open_ms < hold_ms) {
    c.d.notes.push_back(fmt::format("{}: breaker open for {} of {} s", b.id, open_ms / 1000, hold_ms / 1000));
    return;
  }
  plan.to_half_open = true;
  breaker_action(c, v, plan, BreakerState::half_open,
                 fmt::format("{}: breaker open for {} s (open_duration_s {} x {}): half_open to probe it at >= {}/s",
                             b.id, open_ms / 1000, cb.open_duration_s, opens, c.o.min_probe_rate_per_s));
}

// Probes that can neither close the breaker nor reopen it by the thresholds (a fault rate between
// half the threshold and the threshold, or slow) decide by min_requests probes: not healthy enough
// to close is a failed probe. Left probing, a bank failing a third of its probes took ~2 probes/s
// to the end of the slow_degradation drill; reopened, it waits out a longer hold at no cost.
// `clean`: the probes' fault and slow-call rates are within the close bounds. Clean probes that only
// lack the volume to show they finish at their share's rate are too soon to judge, not failed (a
// flapping bank's perfect probes reopened it: agent_e2e_test's 9 opens in 30 flaps).
bool probes_inconclusive(const BankWindowStats& probes, const CircuitBreaker& cb, bool healthy, bool clean) {
  return !healthy && !clean && probes.served() >= static_cast<std::uint64_t>(std::max<std::int64_t>(1, cb.min_requests));
}

// Rule 2, half_open -> open or closed on the probes (the evidence since it went half_open).
void breaker_half_open_rule(Ctx& c, const BankView& v, BankPlan& plan) {
  const Bank& b = *v.bank;
  const CircuitBreaker& cb = b.circuit_breaker;
  const BankWindowStats& E = v.E;
  const bool enough = E.served() >= static_cast<std::uint64_t>(c.o.probe_min_requests);
  // Probes that hang never show as rows: the ones that finish are the fast ones. So the probes must
  // also finish at the rate its share predicts (silence.h), or the probe failed.
  const BankCompletion done = held_completion(c, b).done;
  const bool hanging = done.hanging;
  const bool clean = E.fault_rate() <= cb.failure_rate_threshold / 2 && v.slow_rate_E <= c.o.slow_leave;
  const bool healthy = enough && done.finishing && clean;
  const bool failed = E.trailing_faults >= static_cast<std::uint64_t>(cb.failure_threshold) ||
                      (enough && E.fault_rate() > cb.failure_rate_threshold) || hanging ||
                      probes_inconclusive(E, cb, healthy, clean);
  double room = 0;
  if (failed && enough && no_room_without(c, b, E, room)) {
    // Capacity panic: the probes fail too often for a healthy bank, but it still serves, and without
    // it the others cannot carry the traffic. Close it; the weight rule keeps it at its floor.
    breaker_action(c, v, plan, BreakerState::closed,
                   fmt::format("{}: probes {} faults in {} ({}), but capacity panic: the other banks' learned "
                               "ceilings sum to {:.0f}/s of {:.0f} attempts/s: close, at its floor weight",
                               b.id, E.faults(), E.served(), format_percent(E.fault_rate()), room, attempts_per_s(c)));
  } else if (failed) {
    breaker_action(c, v, plan, BreakerState::open,
                   fmt::format("{}: probe failed: {} faults in {} probes ({}), {} at the end, {} slow, {} of {:.0f} expected "
                               "probes finished{}: reopen", b.id, E.faults(), E.served(), format_percent(E.fault_rate()),
                               E.trailing_faults, format_percent(v.slow_rate_E), done.finished, done.expected,
                               probes_inconclusive(E, cb, healthy, clean) ? ", not healthy enough to close" : ""));
  } else if (healthy) {
    breaker_action(c, v, plan, BreakerState::closed,
                   fmt::format("{}: probes healthy: {} faults in {} probes ({} <= {}), {} slow: close", b.id, E.faults(),
                               E.served(), format_percent(E.fault_rate()), format_percent(cb.failure_rate_threshold / 2), format_percent(v.slow_rate_E)));
  } else {
    c.d.notes.push_back(fmt::format("{}: half_open, {} probes so far (need {}), {} faults, {} slow", b.id, E.served(),
                                    c.o.probe_min_requests, format_percent(E.fault_rate()), format_percent(v.slow_rate_E)));
  }
}

void breaker_rule(Ctx& c, const BankView& v, BankPlan& plan, Ejection& ej) {
  if (c.cooling(*v.bank, "circuit_breaker.state")) {
    c.d.notes.push_back(c.cooling_note(*v.bank, "breaker", to_string(v.bank->circuit_breaker.state)));
  } else if (v.bank->circuit_breaker.state == BreakerState::closed) {
    breaker_closed_rule(c, v, plan, ej);
  } else if (v.bank->circuit_breaker.state == BreakerState::open) {
    breaker_open_rule(c, v, plan);
  } else {
    breaker_half_open_rule(c, v, plan);
  }
}

bool dwelt(const Ctx& c, const Bank& b) {
  const std::optional<TimeMs> changed = changed_at(c.config, bank_path(b, "health_status"));
  return !changed || c.now() - *changed >= c.o.min_dwell_ms;
}

// Rule 3, healthy -> degraded: breaker open, failing in both windows, or slow.
void healthy_rule(Ctx& c, const BankView& v, BankPlan& plan) {
  const Bank& b = *v.bank;
  const std::uint64_t min_requests = static_cast<std::uint64_t>(b.circuit_breaker.min_requests);
  const double slow_p95 = static_cast<double>(v.S_slow.latency.percentile(0.95));
  const double long_p95 = static_cast<double>(v.L.latency.percentile(0.95));
  const auto enter_ms = static_cast<double>(c.o.latency_enter_ms);
  if (plan.breaker == BreakerState::open) {
    health_action(c, v, plan, Health::degraded, fmt::format("{}: degraded: its breaker is open", b.id));
  } else if (!dwelt(c, b)) {
    return;
  } else if (v.S.served() >= min_requests && v.S.fault_rate() >= c.o.degrade_enter &&
             v.L.fault_rate() >= c.o.degrade_enter / 2) {
    health_action(c, v, plan, Health::degraded,
                  fmt::format("{}: degraded: fault rate {} over {} served attempts in {} s (enter at {}), {} over {} s",
                              b.id, format_percent(v.S.fault_rate()), v.S.served(), c.obs.short_window_ms / 1000,
                              format_percent(c.o.degrade_enter), format_percent(v.L.fault_rate()), c.obs.long_window_ms / 1000));
  } else if (v.silence.silent) {
    health_action(c, v, plan, Health::degraded, fmt::format("{}: degraded: {}", b.id, silence_numbers(v.silence, c.o)));
  } else if (v.outlier) {
    health_action(c, v, plan, Health::degraded, fmt::format("{}: degraded: {}", b.id, outlier_numbers(v)), kOutlierVerdict);
  } else if (!v.slow_judgeable()) {
    return;
  } else if (v.S_slow.attempts >= std::max<std::uint64_t>(min_requests, kSlowMinAttempts) && v.slow_rate_S_slow >= c.o.slow_enter) {
    health_action(c, v, plan, Health::degraded,
                  fmt::format("{}: degraded: slow, {} of {} attempts took >= {} ms (enter at {}), p95 {} ms", b.id,
                              format_percent(v.slow_rate_S_slow), v.S_slow.attempts, v.slow_ms, format_percent(c.o.slow_enter),
                              slow_p95));
  } else if (v.S_slow.attempts >= min_requests && slow_p95 >= enter_ms && long_p95 >= enter_ms) {
    // Both windows must be slow: a short window's p95 over a few dozen attempts is one or two
    // gateway timeouts, which a bank with a naturally long tail produces every minute.
    health_action(c, v, plan, Health::degraded,
                  fmt::format("{}: degraded: p95 latency {} ms over {} attempts and {} ms over {} s (enter at {} ms)",
                              b.id, slow_p95, v.S_slow.attempts, long_p95, c.obs.long_window_ms / 1000, c.o.latency_enter_ms));
  }
}


// Rule 3, degraded -> down (escalation) or healthy (recovered on every count, after the dwell).
void degraded_rule(Ctx& c, const BankView& v, BankPlan& plan) {
  const Bank& b = *v.bank;
  const auto p95 = v.S.latency.percentile(0.95);
  // An escalation marks the bank down only while its breaker is closed: with the breaker open or
  // probing, a failed probe is already answered by a longer hold, and a `down` verdict would only be
  // undone at the next probe ("degraded so its probes can flow"), a verdict per flap.
  if (v.escalate && plan.breaker == BreakerState::closed) {
    health_action(c, v, plan, Health::down, fmt::format("{}: down: escalation, an earlier action on it did not help", b.id));
  } else if (dwelt(c, b) && plan.breaker == BreakerState::closed && !v.silence.silent &&
             v.S.served() >= static_cast<std::uint64_t>(c.o.probe_min_requests) &&
             v.S.fault_rate() <= c.o.degrade_leave && v.slow_rate_S <= c.o.slow_leave && p95 < c.o.latency_leave_ms &&
             !v.outlier_held) {
    health_action(c, v, plan, Health::healthy,
                  fmt::format("{}: healthy: fault rate {} over {} served attempts (leave at {}), {} slow, p95 {} ms",
                              b.id, format_percent(v.S.fault_rate()), v.S.served(), format_percent(c.o.degrade_leave), format_percent(v.slow_rate_S), p95));
  }
}

// Rule 3, down: probe it (half_open) so it can come back.
void down_rule(Ctx& c, const BankView& v, BankPlan& plan) {
  const Bank& b = *v.bank;
  if (plan.to_half_open) {
    health_action(c, v, plan, Health::degraded, fmt::format("{}: degraded (from down) so its half_open probes can flow", b.id));
  } else if (plan.breaker == BreakerState::closed && dwelt(c, b) && !c.cooling(b, "circuit_breaker.state")) {
    plan.to_half_open = true;
    breaker_action(c, v, plan, BreakerState::half_open,
                   fmt::format("{}: down with a closed breaker: half_open to probe it", b.id));
    health_action(c, v, plan, Health::degraded, fmt::format("{}: degraded (from down) so its probes can flow", b.id));
  }
}

void health_rule(Ctx& c, const BankView& v, BankPlan& plan) {
  if (c.cooling(*v.bank, "health_status")) {
    c.d.notes.push_back(c.cooling_note(*v.bank, "health", to_string(v.bank->health_status)));
  } else if (v.bank->health_status == Health::healthy) {
    healthy_rule(c, v, plan);
  } else if (v.bank->health_status == Health::degraded) {
    degraded_rule(c, v, plan);
  } else {
    down_rule(c, v, plan);
  }
}

}  // namespace

namespace {

// The weight plan of rule 4: a target per bank that may move, and why.
struct WeightPlan {
  std::map<std::string, std::int64_t> target;
  std::map<std::string, std::string> why;
  std::map<std::string, bool> at_reference;  // target is the reference (intent or success-rate share)
  // Faulting above its breaker's threshold: no place for another bank's excess (a bank failing less
  // still beats the certain RATE_LIMITED of an overloaded one).
  std::map<std::string, bool> dead;
  Json evidence = Json::object();
};

// True when, with bank b at `weight`, no other eligible bank (enabled, not down, breaker closed) is
// planned past what it is known to carry: its projected load (its share x the attempts per second of
// the short window) at most capacity_headroom x its learned ceiling, or, with none learned, (1 +
// growth) x its peak served second of the short window (growth = unknown_growth: the capacity
// rule's bounds; 0: only what it has already carried). Taking
// weight off a bank whose load the others cannot carry turns it into RATE_LIMITED there (overload:
// a floor of 1 instead of 3 on the failing bank_b put bank_a past its 400/s before its ceiling was
// learned: 39-72% of the gap where 81-96% had been).
bool others_can_take(const Ctx& c, const Bank& b, std::int64_t weight, double growth) {
  const double load_per_s = attempts_per_s(c);
  const std::vector<const Bank*> others = other_closed(c.config, b);
  std::int64_t total = std::max<std::int64_t>(0, weight);
  for (const Bank* o : others) total += o->weight;
  if (load_per_s <= 0 || total <= 0) return true;
  for (const Bank* o : others) {
    const double projected = static_cast<double>(o->weight) / static_cast<double>(total) * load_per_s;
    const auto ceiling = learned_capacity_per_s(c.obs.rows, o->id, c.obs.long_since(), c.now());
    const double limit = ceiling ? c.o.capacity_headroom * *ceiling
                                 : (1 + growth) * peak_served_per_s(c.obs.rows, o->id, c.obs.short_since(), c.now());
    if (projected > limit) return false;
  }
  return true;
}

// The least weight (>= 1) that gives bank b rate_per_s first attempts when `ratio` of its weight
// carries traffic (half_open_traffic_ratio while probing, 1 when closed), against the weights of the
// other eligible banks with a closed breaker and the payments per second of the short window. 1
// when there is no traffic to share.
std::int64_t weight_for_rate(const Ctx& c, const Bank& b, double rate_per_s, double ratio) {
  const double first_per_s = per_s(c.obs.short_window.payments, c.obs.short_window_ms);
  if (ratio <= 0 || first_per_s <= 0) return 1;
  std::int64_t others = 0;
  for (const Bank* o : other_closed(c.config, b)) others += o->weight;
  const double share = std::min(0.5, rate_per_s / first_per_s);
  const auto w = static_cast<std::int64_t>(std::ceil(share * static_cast<double>(others) / (ratio * (1 - share))));
  return std::clamp<std::int64_t>(w, 1, kMaxWeight);
}

// True when the other eligible banks' learned ceilings sum below the attempts per second: the load
// bank b does not take would be refused elsewhere.
bool others_short(const Ctx& c, const Bank& b) {
  const std::optional<double> room = others_ceiling_per_s(c, b);
  return room && *room < attempts_per_s(c);
}

// The weight that lets a half_open bank's probes flow at >= min_probe_rate_per_s, at least its
// slow-start weight. Not its intent: a probe into a bank that is still down is a failed first attempt
// (at intent 50 the probes ran at ~13/s where 2/s tell as much), and a close then lands at slow start
// at once instead of one guardrail step down from the intent (flapping_bank: 25 of 75 on a bank that
// went down again the next second, where slow start meant 13).
// When the other banks' learned ceilings cannot carry the traffic, it probes at its intent as before:
// the load it does not take turns into RATE_LIMITED elsewhere (overload: 59/76/78% of the gap on
// seeds 1-3 at the slow-start weight, 79/90/107% at the intent).
std::int64_t probe_weight(const Ctx& c, const Bank& b, std::int64_t slow_start, std::int64_t intent) {
  const double ratio = std::clamp(b.circuit_breaker.half_open_traffic_ratio, 0.0, 1.0);
  std::int64_t need = others_short(c, b) ? std::max(slow_start, intent) : slow_start;
  if (ratio > 0) need = std::max(need, weight_for_rate(c, b, c.o.min_probe_rate_per_s, ratio));
  return std::clamp<std::int64_t>(need, 1, kMaxWeight);
}

// The floor of a failing bank (or an outlier): enough first attempts to watch it recover
// (watch_rate_per_s), at most degraded_floor_fraction of its intent (`fraction_floor`). Each
// attempt above that is a payment sent to a bank known to fail it (slow_degradation: bank_c at
// 2 of 15 where 1 watches it as well cost ~15 payments of a ~270 gap). Only when the others have
// already carried the load they would take (others_can_take with no growth; a bank at its floor
// sheds the difference a cycle later): otherwise their refusals cost more than its failures
// (overload: 1.25x their peak allowed it, bank_a went past its 400/s, 72-87% of the gap, 81-96%
// with the tenth-of-intent floor).
std::int64_t failing_floor(const Ctx& c, const Bank& b, std::int64_t fraction_floor) {
  if (fraction_floor <= 1) return fraction_floor;
  const std::int64_t watch = std::min(fraction_floor, weight_for_rate(c, b, c.o.watch_rate_per_s, 1.0));
  return others_can_take(c, b, watch, 0.0) ? watch : fraction_floor;
}

// The weight a bank closes at: twice what carried its probes (weight x half_open_traffic_ratio),
// at most `slow_start` (one step of its intent). A close rests on a few probes: handing the bank a
// quarter of its intent at once made a bank that failed again the next second cost 4x its probes
// (flapping_bank: 30 failed first attempts at weight 13 of 63, where the probes carried 7/s). From
// there it doubles each healthy cycle (slow_start_step). Not when the others cannot take what it
// does not (others_short, others_can_take): then it starts at `slow_start`.
std::int64_t close_weight(const Ctx& c, const Bank& b, std::int64_t slow_start) {
  const double ratio = std::clamp(b.circuit_breaker.half_open_traffic_ratio, 0.0, 1.0);
  const auto carried = static_cast<std::int64_t>(std::ceil(2 * ratio * static_cast<double>(b.weight)));
  const std::int64_t start = std::clamp<std::int64_t>(carried, 1, std::max<std::int64_t>(1, slow_start));
  return others_short(c, b) || !others_can_take(c, b, start, c.o.unknown_growth) ? slow_start : start;
}

// A bank ramping back after its breaker closed (not yet healthy again, its breaker changed within
// the long window) moves up by at most its own weight per cycle: trust doubles with each healthy
// cycle instead of jumping by a quarter of its intent. `step` otherwise.
std::int64_t slow_start_step(const Ctx& c, const BankView& v, const BankPlan& plan, std::int64_t step) {
  const Bank& b = *v.bank;
  const bool ramping = plan.health != Health::healthy && b.circuit_breaker.state == BreakerState::closed &&
                       v.breaker_changed && *v.breaker_changed >= c.obs.long_since();
  if (!ramping || others_short(c, b) || !others_can_take(c, b, b.weight, c.o.unknown_growth)) return step;
  return std::min(step, std::max<std::int64_t>(1, b.weight));
}

// Rule 4 for one bank with a closed breaker (or going half_open): its target, or nullopt to hold.
std::optional<std::int64_t> bank_target(Ctx& c, const BankView& v, const BankPlan& plan, std::int64_t want,
                                        std::int64_t step, WeightPlan& wp) {
  const Bank& b = *v.bank;
  const BankWindowStats& E = v.E;
  const std::int64_t floor_weight =
      want == 0 ? 0 : std::max<std::int64_t>(1, std::llround(static_cast<double>(want) * c.o.degraded_floor_fraction));
  if (plan.to_half_open) {
    wp.why[b.id] = fmt::format("probe weight for half_open at >= {}/s", c.o.min_probe_rate_per_s);
    return probe_weight(c, b, std::min(want, std::max(floor_weight, step)), want);
  }
  if (b.circuit_breaker.state != BreakerState::closed) {
    const std::int64_t start = close_weight(c, b, std::min(want, std::max(floor_weight, step)));
    wp.why[b.id] = fmt::format("slow start after its breaker closed, at {}", start);
    return start;
  }
  if (v.silence.silent) {
    // Its attempts stopped finishing: they hang (silence.h). Like a slow bank it is cut to 1, before
    // the slow rows that would prove it arrive.
    wp.why[b.id] = fmt::format("{}; floor 1", silence_numbers(v.silence, c.o));
    return std::min<std::int64_t>(1, floor_weight);
  }
  const bool slow = v.slow_judgeable() && v.slow_rate_E >= c.o.slow_enter && E.attempts >= kSlowMinAttempts;
  const bool bad = E.fault_rate() >= c.o.degrade_enter || slow || v.outlier;
  // An outlier's faults sit under degrade_leave: it is good again only once they rule out that it
  // is still worse than its peers (seed 2: back 2 -> 6 toward its intent at 9.2% faults, mid-incident).
  const bool good = E.fault_rate() <= c.o.degrade_leave && v.slow_rate_E <= c.o.slow_leave && !v.outlier_held;
  const std::string numbers = fmt::format("{} faults, {} slow (>= {} ms) over {} recent attempts", format_percent(E.fault_rate()),
                                          format_percent(v.slow_rate_E), v.slow_ms, E.attempts);
  const bool enough = E.attempts >= static_cast<std::uint64_t>(c.o.probe_min_requests);
  // A healthy bank is judged on min_requests, as its breaker is: a few unlucky attempts are noise.
  const bool enough_to_cut =
      E.attempts >= static_cast<std::uint64_t>(plan.health == Health::healthy ? b.circuit_breaker.min_requests
                                                                             : c.o.probe_min_requests);
  if (bad && enough_to_cut) {
    // A bank that is only slow succeeds, so a trickle of 1 is enough to see it recover, and every
    // first attempt it takes is a slow payment: its floor is 1, not a tenth of its intent.
    const bool only_slow = slow && !v.outlier && E.fault_rate() < c.o.degrade_enter;
    const std::int64_t to = only_slow ? std::min<std::int64_t>(1, floor_weight) : failing_floor(c, b, floor_weight);
    const bool failing = E.fault_rate() >= c.o.degrade_enter;
    const std::string verdict = only_slow ? "slow: " + numbers : failing ? "failing: " + numbers : outlier_numbers(v);
    wp.why[b.id] = fmt::format("{}; floor {}", verdict, to);
    wp.dead[b.id] = E.fault_rate() > b.circuit_breaker.failure_rate_threshold;
    return to;
  }
  const HeldCompletion held = held_completion(c, b);
  const BankCompletion& done = held.done;
  const bool completing = held.after_cut ? done.finishing : !done.hanging;
  if (plan.health != Health::healthy && !(good && enough && completing)) {
    // Between the thresholds (or too few attempts to tell) a bank that is not healthy holds: the
    // same hysteresis as the health verdict.
    c.d.notes.push_back(fmt::format("{}: weight held at {}: {}, {} of {:.0f} expected attempts finished since its weight "
                                    "was set (need <= {} faults, <= {} slow, >= {} attempts, >= {} finished)",
                                    b.id, b.weight, numbers, done.finished, done.expected, format_percent(c.o.degrade_leave),
                                    format_percent(c.o.slow_leave), c.o.probe_min_requests, format_percent(1 - c.o.silence.ratio)));
    return std::nullopt;
  }
  wp.why[b.id] = fmt::format("{}, {}", to_string(plan.health), numbers);
  wp.at_reference[b.id] = true;
  return want;
}

// The rate rule 5 ranks a bank by: its recency-weighted success rate at half_life_ms over the rows
// since its latest change point (change_point.h), or over the long window when its rate did not
// change. A long half-life keeps the ranking calm on noise; a bank whose success just changed is
// judged at once on what it does since, even when its share was cut and few attempts follow.
struct JudgedRate {
  WeightedRate rate;
  std::optional<TimeMs> changed_at;
};
JudgedRate judged_success_rate(const Ctx& c, const std::string& id, std::int64_t half_life_ms) {
  const std::optional<TimeMs> since = success_change_since(c.obs.rows, id, c.obs.long_since(), c.now(),
                                                           ChangePointOptions{c.o.sr_min_samples, c.o.sr_change_llr});
  return {recency_success_rate(c.obs, id, half_life_ms, since), since};
}

// Rule 5: the best banks by recency-weighted success rate share 1 - exploration_share of the pool
// of their intents, the others the exploration share; moves wp.target of the banks at reference.
void success_rate_rule(Ctx& c, const SuccessRateRouting& sr, WeightPlan& wp) {
  struct Ranked {
    std::string id;
    WeightedRate rate;
    std::int64_t intent, current;
    std::optional<TimeMs> changed_at;
  };
  std::vector<Ranked> ranked;
  for (const auto& [id, at_ref] : wp.at_reference) {
    const Bank* b = c.config.find_bank(id);
    if (!at_ref || !b) continue;
    const JudgedRate r = judged_success_rate(c, id, sr.half_life_s * 1000);
    // A change point has >= sr_min_samples attempts after it (fewer weighted ones when they are old).
    if (r.rate.samples >= c.o.sr_min_samples || r.changed_at) ranked.push_back({id, r.rate, wp.target.at(id), b->weight, r.changed_at});
  }
  const auto k = static_cast<std::size_t>(std::max<std::int64_t>(1, sr.best_banks));
  if (ranked.size() <= k) return;  // no choice to make: every known bank is among the best
  // The current best set (largest weights) keeps its place unless beaten by the margin.
  std::vector<Ranked> by_weight = ranked;
  std::stable_sort(by_weight.begin(), by_weight.end(), [](const Ranked& a, const Ranked& b) { return a.current > b.current; });
  const auto incumbent = [&](const std::string& id) {
    for (std::size_t i = 0; i < k; ++i) if (by_weight[i].id == id) return true;
    return false;
  };
  const auto score = [&](const Ranked& r) { return r.rate.rate + (incumbent(r.id) ? c.o.sr_switch_margin : 0.0); };
  std::stable_sort(ranked.begin(), ranked.end(), [&](const Ranked& a, const Ranked& b) { return score(a) > score(b); });
  std::int64_t pool = 0, best_intent = 0, rest_intent = 0;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    pool += ranked[i].intent;
    (i < k ? best_intent : rest_intent) += ranked[i].intent;
  }
  if (best_intent <= 0 || rest_intent <= 0) return;
  Json rates = Json::object();
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const Ranked& r = ranked[i];
    const double part = i < k ? (1 - sr.exploration_share) * static_cast<double>(r.intent) / static_cast<double>(best_intent)
                              : sr.exploration_share * static_cast<double>(r.intent) / static_cast<double>(rest_intent);
    wp.target[r.id] = std::max<std::int64_t>(1, std::llround(part * static_cast<double>(pool)));
    wp.why[r.id] = fmt::format("success-rate routing: {} (rank {} of {}, {:.0f} weighted attempts, {} of first attempts)",
                               format_percent(r.rate.rate), i + 1, ranked.size(), r.rate.samples, format_percent(part));
    rates[r.id] = Json{{"success_rate", r.rate.rate}, {"samples", r.rate.samples}, {"rank", i + 1}, {"share", part}};
    if (r.changed_at) rates[r.id]["changed_at"] = format_timestamp(*r.changed_at);
  }
  wp.evidence["success_rate_routing"] = Json{{"exploration_share", sr.exploration_share}, {"best_banks", sr.best_banks},
                                             {"half_life_s", sr.half_life_s}, {"banks", rates}};
}

// Rule 4, capacity: no bank planned past capacity_headroom x its learned ceiling; water-filling
// moves the excess to banks with room. `ids` are the banks whose share may change.
void capacity_rule(Ctx& c, const std::vector<std::string>& ids, WeightPlan& wp) {
  const double attempts_per_s = payops::attempts_per_s(c);
  std::int64_t total = 0;
  for (const std::string& id : ids) total += wp.target.at(id);
  if (attempts_per_s <= 0 || total <= 0) return;
  std::map<std::string, double> share, cap;
  Json ceilings = Json::object();
  bool over = false;
  for (const std::string& id : ids) {
    share[id] = static_cast<double>(wp.target.at(id)) / static_cast<double>(total);
    if (wp.dead[id]) cap[id] = share[id];
    const auto ceiling = learned_capacity_per_s(c.obs.rows, id, c.obs.long_since(), c.now());
    if (!ceiling) {
      // No ceiling known: it may take up to unknown_growth more than the most it has shown it can
      // serve in a second (and never less than it has now). Each cycle the peak can grow, so a bank
      // with room ramps up until it rate-limits and its ceiling is learned; pouring the excess onto
      // it at once would overload a small bank before the log could say so.
      const double shown = peak_served_per_s(c.obs.rows, id, c.obs.short_since(), c.now());
      cap[id] = std::min(cap.count(id) ? cap[id] : 1.0,
                         std::max(share[id], (1 + c.o.unknown_growth) * shown / attempts_per_s));
      continue;
    }
    cap[id] = std::min(cap.count(id) ? cap[id] : 1.0, c.o.capacity_headroom * *ceiling / attempts_per_s);
    ceilings[id] = Json{{"capacity_per_s", *ceiling}, {"planned_per_s", share[id] * attempts_per_s}};
    over = over || share[id] > cap[id];
  }
  if (!over) return;
  const std::map<std::string, double> capped = cap_shares(share, cap);
  for (const std::string& id : ids) {
    const auto w = std::max<std::int64_t>(1, std::llround(capped.at(id) * static_cast<double>(total)));
    // A deadband: the attempts per second wobble from cycle to cycle, a weight should not.
    const Bank* b = c.config.find_bank(id);
    if (w == wp.target.at(id)) continue;
    if (b && std::abs(w - b->weight) <= std::max<std::int64_t>(2, b->weight / 10)) {
      wp.target[id] = b->weight;  // close enough to where it is: hold
      continue;
    }
    wp.why[id] += fmt::format("; capacity: {:.0f}/s planned of {:.0f} attempts/s, {:.0f}% of a learned ceiling caps it",
                              capped.at(id) * attempts_per_s, attempts_per_s, c.o.capacity_headroom * 100);
    wp.target[id] = w;
  }
  wp.evidence["capacity"] = Json{{"attempts_per_s", attempts_per_s}, {"headroom", c.o.capacity_headroom}, {"banks", ceilings}};
}

// One reroute_traffic for every bank whose target differs from its weight, in bounded steps.
void emit_reroute(Ctx& c, const WeightPlan& wp, const std::map<std::string, std::int64_t>& intent,
                  const std::map<std::string, std::int64_t>& up_step) {
  RerouteTraffic reroute;
  std::vector<std::string> why;
  for (const auto& [id, target] : wp.target) {
    const Bank& b = *c.config.find_bank(id);
    if (b.weight == target) continue;
    if (c.cooling(b, "weight")) {
      c.d.notes.push_back(c.cooling_note(b, "weight", std::to_string(b.weight)));
      continue;
    }
    const std::int64_t next = b.weight < target ? std::min(target, b.weight + up_step.at(id))
                                                : std::max(target, b.weight - max_weight_step(c.config));
    reroute.weights[id] = next;
    const auto reason = wp.why.find(id);
    why.push_back(fmt::format("{} {}->{} toward {} ({}; intended {})", id, b.weight, next, target,
                              reason == wp.why.end() ? std::string("held") : reason->second, intent.at(id)));
  }
  if (reroute.weights.empty()) return;
  Json intended = Json::object();
  for (const auto& [id, w] : intent) intended[id] = w;
  std::string reason = "reroute: ";
  for (std::size_t i = 0; i < why.size(); ++i) reason += (i ? "; " : "") + why[i];
  Json details = wp.evidence;
  details["intended"] = intended;
  details["observed"] = Json{{"payment_success_rate", c.obs.short_window.routable_payment_success_rate()},
                             {"first_attempt_success_rate", c.obs.short_window.first_attempt_success_rate()},
                             {"payments", c.obs.short_window.payments}};
  c.d.actions.push_back(Action{std::move(reroute), std::move(reason), std::move(details)});
}

void weights_rule(Ctx& c, const std::vector<BankView>& views, const std::map<std::string, BankPlan>& plans) {
  const std::map<std::string, std::int64_t> intent = intended_weights(c.config);
  WeightPlan wp;
  std::map<std::string, std::int64_t> up_step;
  std::vector<std::string> closed;  // banks whose share the capacity rule may move
  for (const BankView& v : views) {
    const Bank& b = *v.bank;
    const BankPlan& plan = plans.at(b.id);
    if (plan.breaker != BreakerState::closed && !plan.to_half_open) continue;  // the breaker governs its traffic
    const std::int64_t want = intent.at(b.id);
    const std::int64_t step = std::min(
        max_weight_step(c.config),
        std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(static_cast<double>(want) * c.o.weight_step_fraction))));
    wp.target[b.id] = bank_target(c, v, plan, want, step, wp).value_or(b.weight);
    up_step[b.id] = plan.to_half_open ? max_weight_step(c.config) : slow_start_step(c, v, plan, step);
    if (!plan.to_half_open) closed.push_back(b.id);
  }
  if (const auto& sr = c.config.routing_rules.success_rate_routing; sr && sr->enabled) success_rate_rule(c, *sr, wp);
  capacity_rule(c, closed, wp);
  emit_reroute(c, wp, intent, up_step);
}

// Refusing for load: RATE_LIMITED on >= degrade_enter of the bank's attempts in the window (rule 6's
// load signal, read once per bank).
bool refusing_for_load(const Ctx& c, const BankWindowStats& S) {
  return BankWindowStats::ratio(S.rate_limited(), S.attempts) >= c.o.degrade_enter;
}

// Is there somewhere else for a retry to go: another routable bank with a closed breaker that is not
// failing (short-window fault rate below degrade_enter, or too few served attempts to say)? A retry
// goes to a bank not yet tried for the payment when one is left (CONTRACT.md), so without one, fewer
// retries on this bank only lose the payments its load refuses now and would serve a second later.
bool retry_has_elsewhere(const Ctx& c, const Bank& self) {
  const std::vector<const Bank*> others = other_closed(c.config, self);
  return std::any_of(others.begin(), others.end(), [&](const Bank* b) {
    if (!is_routable(*b)) return false;
    const BankWindowStats* s = c.obs.short_window.find(b->id);
    return !s || s->served() < static_cast<std::uint64_t>(c.o.probe_min_requests) || s->fault_rate() < c.o.degrade_enter;
  });
}

// The retry policy rule 6 wants for a troubled bank, or nullopt: `low` when a retry has somewhere else
// to go (one quick retry there beats more load here); `high` when it has not and the trouble is load
// (the last route refusing for load serves a refused attempt seconds later: patient retries spread the
// burst instead of giving the payment up); nothing otherwise.
std::optional<RetryLevel> troubled_retry_level(const Ctx& c, const Bank& b, bool refusing) {
  if (retry_has_elsewhere(c, b)) return RetryLevel::low;
  if (refusing) return RetryLevel::high;
  return std::nullopt;
}

// Rule 6: retry policy on transient trouble (troubled_retry_level); back to the pre-agent policy once
// healthy.
void retry_rule(Ctx& c, const BankView& v, const BankPlan& plan) {
  const Bank& b = *v.bank;
  for (std::string_view f : kAgentFields)
    if (f.starts_with("retry_policy.") && c.cooling(b, f)) return;
  const BankWindowStats& S = v.S;
  const std::uint64_t transient = S.soft_by_code[soft_code_slot(ErrorCode::GATEWAY_TIMEOUT)] + S.rate_limited();
  const double transient_share = BankWindowStats::ratio(transient, S.soft_failures);
  const HistoryEntry* last = last_change(c.config, bank_path(b, "retry_policy"));
  // Trouble is the health verdict or the load signal.
  const bool refusing = refusing_for_load(c, S);
  const bool troubled = plan.health == Health::degraded || refusing;
  const std::optional<RetryLevel> wanted =
      troubled && plan.breaker == BreakerState::closed &&
              S.attempts >= static_cast<std::uint64_t>(b.circuit_breaker.min_requests) &&
              S.soft_failure_rate() >= c.o.degrade_enter && transient_share >= c.o.transient_share
          ? troubled_retry_level(c, b, refusing)
          : std::nullopt;
  if (wanted && b.retry_policy.level != *wanted) {
    Json before = Json{{"level", to_string(b.retry_policy.level)},     {"max_retries", b.retry_policy.max_retries},
                       {"backoff_ms", b.retry_policy.backoff_ms},      {"backoff_multiplier", b.retry_policy.backoff_multiplier},
                       {"max_backoff_ms", b.retry_policy.max_backoff_ms}};
    // The intent survives repeated agent changes: carry the first one's.
    if (last && last->actor == "agent" && last->details.contains("intended_retry_policy")) {
      before = last->details["intended_retry_policy"];
    }
    const std::string why = *wanted == RetryLevel::low
                                ? "so one quick retry onto another bank beats more load on this one"
                                : "and no other bank is serving: patient retries catch the capacity a second later";
    c.d.actions.push_back(Action{
        AdjustRetryPolicy{b.id, *wanted, {}, {}, {}, {}},
        fmt::format("{}: retry policy {}: {} of its {} soft failures are timeouts or rate limits (transient), {}", b.id,
                    to_string(*wanted), format_percent(transient_share), S.soft_failures, why),
        Json{{"intended_retry_policy", before}, {"observed", observed(c, v, S)}}});
  } else if (plan.health == Health::healthy && plan.breaker == BreakerState::closed &&
             S.soft_failure_rate() <= c.o.degrade_leave && last && last->actor == "agent" &&
             last->details.contains("intended_retry_policy")) {
    const Json& want = last->details["intended_retry_policy"];
    auto level = want.contains("level") && want["level"].is_string() ? parse_retry_level(want["level"].get<std::string>())
                                                                      : std::nullopt;
    if (!level || *level == b.retry_policy.level) return;
    AdjustRetryPolicy a{b.id, *level, {}, {}, {}, {}};
    if (*level == RetryLevel::custom) {
      a.max_retries = json_integer(want.value("max_retries", Json()));
      a.backoff_ms = json_integer(want.value("backoff_ms", Json()));
      if (want.contains("backoff_multiplier") && want["backoff_multiplier"].is_number()) {
        a.backoff_multiplier = want["backoff_multiplier"].get<double>();
      }
      a.max_backoff_ms = json_integer(want.value("max_backoff_ms", Json()));
    }
    c.d.actions.push_back(Action{std::move(a),
                                 fmt::format("{}: healthy again ({} soft failures over {} attempts): retry policy "
                                             "back to {} as before the agent's change",
                                             b.id, format_percent(S.soft_failure_rate()), S.attempts, to_string(*level)),
                                 Json{{"observed", observed(c, v, S)}}});
  }
}

// Rule 7: chaos off below the abort floor.
void chaos_rule(Ctx& c) {
  if (!c.config.routing_rules.chaos_mode) return;
  const WindowStats& w = c.obs.short_window;
  const std::uint64_t routable = w.payments - std::min(w.payments, w.payments_hard_declined);
  const double rate = w.routable_payment_success_rate();
  if (routable >= static_cast<std::uint64_t>(c.o.min_payments) && rate < c.o.chaos_abort_below) {
    c.d.actions.push_back(Action{
        ToggleChaosMode{false},
        fmt::format("chaos off: payment success rate {} over {} payments in the last {} s is below the abort "
                    "floor {} (hard declines excluded)",
                    format_percent(rate), routable, c.obs.short_window_ms / 1000, format_percent(c.o.chaos_abort_below)),
        Json{{"observed", Json{{"payment_success_rate", rate}, {"payments", routable}}}}});
  } else {
    c.d.notes.push_back(fmt::format("chaos on: payment success {} over {} payments (abort below {})", format_percent(rate),
                                    routable, format_percent(c.o.chaos_abort_below)));
  }
}

Ejection ejection_state(const Config& config, const RulesOptions& o) {
  Ejection e;
  std::int64_t enabled = 0;
  for (const Bank& b : config.banks) {
    if (!b.enabled) continue;
    ++enabled;
    if (b.health_status == Health::down || b.circuit_breaker.state == BreakerState::open) ++e.ejected;
  }
  e.cap = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(o.max_ejection_fraction * static_cast<double>(enabled))));
  return e;
}

}  // namespace

Decision decide_rules(const Config& config, const Observation& obs, const RulesOptions& o,
                      const std::vector<Escalation>& escalations) {
  Decision d;
  Ctx c{config, obs, o, d};
  std::vector<BankView> views;
  std::map<std::string, BankPlan> plans;
  Ejection ej = ejection_state(config, o);
  for (const Bank& b : config.banks) {
    if (!b.enabled) continue;
    views.push_back(make_view(c, b, escalations));
    BankPlan& plan = plans[b.id] = BankPlan{b.circuit_breaker.state, b.health_status, false};
    breaker_rule(c, views.back(), plan, ej);
    health_rule(c, views.back(), plan);
  }
  weights_rule(c, views, plans);
  for (const BankView& v : views) retry_rule(c, v, plans.at(v.bank->id));
  chaos_rule(c);
  return d;
}

}  // namespace payops
