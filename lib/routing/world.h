// The simulated world: how each bank really behaves (latency, soft failures, hard declines,
// capacity, timeout), plus chaos from routing_rules and scripted incidents for drills. Shared by
// simulator and checkout. The world reads only bank ids and routing_rules' chaos fields from the
// config: never metrics or health_status, because the agent's verdicts do not change reality.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "contract/config_model.h"
#include "platform/random.h"
#include "platform/result.h"
#include "platform/time_util.h"
#include "contract/transaction.h"

namespace payops {

// A bank's baseline behaviour. Latency is log-normal (median, sigma of the underlying normal); an
// attempt slower than timeout_ms is cut off by the gateway as GATEWAY_TIMEOUT.
struct BankBehavior {
  double latency_median_ms = 250;
  double latency_sigma = 0.5;
  double soft_failure_rate = 0.02;  // probability an attempt fails on the bank/gateway side
  // Probability the issuer declines a payment of each method (indexed by PaymentMethod).
  std::array<double, kPaymentMethodCount> hard_decline_rate{0.06, 0.04, 0.03, 0.02, 0.015};
  double capacity_per_s = 300;      // attempts per second beyond which the bank answers RATE_LIMITED
  std::int64_t timeout_ms = 8000;   // the gateway's cut-off
};

// The code defaults: bank_a..bank_d differ (a fast reliable one, a slow flaky one, ...) so routing
// choices matter; any other id gets a deterministic default derived from the id.
BankBehavior default_behavior(std::string_view bank_id);

// Overrides from a --world file:
//   {"banks": {"bank_b": {"latency_median_ms": 600, "soft_failure_rate": 0.08,
//                         "hard_decline_rate": {"card": 0.1}}},
//    "default": {"capacity_per_s": 50}}
// Keys: latency_median_ms, latency_sigma, soft_failure_rate, capacity_per_s, timeout_ms,
// hard_decline_rate (object by method). A listed bank starts from its code default and takes the
// keys given; "default" applies to ids not listed. Unknown keys are errors (a typo in a drill file
// should fail loudly, not be ignored).
struct WorldSpec {
  std::vector<std::pair<std::string, Json>> bank_overrides;
  Json default_override = Json::object();
  BankBehavior behavior_for(std::string_view bank_id) const;
};
Result<WorldSpec> parse_world_json(std::string_view text, std::string_view source_name);
Result<WorldSpec> load_world_file(const std::string& path);

// A scripted incident: BANK:KIND[=VALUE]:START[+DURATION]
//   bank_b:outage:60s+120s          every attempt fails (BANK_UNAVAILABLE, NETWORK_ERROR, timeouts)
//   bank_c:latency=4000ms:30s+90s   median latency becomes 4000 ms (the tail then hits the timeout)
//   bank_a:flap=20s:0s+300s         down for 20 s, up for 20 s, down again ... (starts down)
//   bank_d:errors=0.4:10s+60s       an extra 40% of attempts fail softly
// START is the offset from the run's start; DURATION omitted means until the end of the run. BANK
// may be `*` for every bank. Durations take ms, s, m, h (a bare number is seconds).
enum class IncidentKind : std::uint8_t { outage, latency, flap, errors };
struct Incident {
  std::string bank_id;  // "*" for all banks
  IncidentKind kind = IncidentKind::outage;
  double value = 0;     // latency: median ms; flap: half period ms; errors: extra failure rate
  std::int64_t start_offset_ms = 0;
  std::int64_t duration_ms = -1;  // -1: until the end of the run
  bool applies_to(std::string_view bank) const { return bank_id == "*" || bank_id == bank; }
  bool active_at(std::int64_t offset_ms) const {
    return offset_ms >= start_offset_ms && (duration_ms < 0 || offset_ms < start_offset_ms + duration_ms);
  }
};
Result<Incident> parse_incident(std::string_view spec);

// What incidents do to a bank at a moment: a pure function of the incidents, the bank and the time.
struct IncidentEffect {
  bool outage = false;
  double extra_error_rate = 0;
  double latency_median_ms = 0;  // 0: the baseline's
};
IncidentEffect incident_effect(std::span<const Incident> incidents, std::string_view bank_id,
                               std::int64_t offset_ms);

// The result of one attempt as the bank/gateway reports it.
struct AttemptOutcome {
  std::int64_t latency_ms = 0;
  ErrorCode code = ErrorCode::none;
  std::string_view message;  // static text, empty on success
};

class World {
 public:
  World(WorldSpec spec, std::vector<Incident> incidents, TimeMs run_start_ms);

  // Adopts a (re)loaded config: bank indices refer to config.banks from now on. Reads ids and
  // routing_rules' chaos fields only. Capacity counters are carried over by bank id.
  void bind(const Config& config);

  // One attempt on bank_index starting at start_ms. Draws from rng in a fixed order, so a seeded run
  // is reproducible. Chaos failures are drawn from the same soft-failure mix and latencies as the
  // baseline's, so nothing in a row tells them apart. REQUIRES: 0 <= bank_index < banks bound.
  AttemptOutcome attempt(std::int32_t bank_index, PaymentMethod method, TimeMs start_ms, Random& rng);

  const BankBehavior& behavior(std::int32_t bank_index) const { return banks_[bank_index].behavior; }
  TimeMs run_start_ms() const { return run_start_ms_; }

 private:
  // Attempts per second are counted in one-second buckets kept in a small ring: attempts arrive
  // nearly, not strictly, in time order (retries of one payment are computed before the next
  // payment starts), and a ring absorbs that.
  static constexpr std::size_t kRingSeconds = 16;
  struct BankState {
    std::string id;
    BankBehavior behavior;
    double chaos_rate = 0;
    std::vector<Incident> incidents;  // those that apply to this bank
    std::array<std::int64_t, kRingSeconds> bucket_second{};
    std::array<std::uint32_t, kRingSeconds> bucket_count{};
  };

  WorldSpec spec_;
  std::vector<Incident> incidents_;
  TimeMs run_start_ms_;
  std::vector<BankState> banks_;
};

}  // namespace payops
