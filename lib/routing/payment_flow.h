// One payment through router + world + retry policy: the attempt rows it produces, each with the
// routing explanation behind it. The simulator runs whole payments at once in virtual time; checkout
// steps through one payment in real time (sleeping until next_start_ms() between steps).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "contract/config_model.h"
#include "routing/payment_gen.h"
#include "platform/random.h"
#include "routing/router.h"
#include "contract/transaction.h"
#include "routing/world.h"

namespace payops {

// One attempt, as its CSV row needs it (plus when it started and the wait before it).
struct AttemptRecord {
  std::int32_t bank_index = -1;   // into the config's banks; -1 on the NO_ROUTE row
  std::int32_t attempt = 0;       // 0 = first attempt, 1 = first retry, ...
  TimeMs start_ms = 0;
  TimeMs finish_ms = 0;           // the row's timestamp: start + latency
  std::int64_t backoff_before_ms = 0;  // the wait between the previous attempt's finish and start
  std::int64_t latency_ms = 0;
  ErrorCode code = ErrorCode::none;
  std::string_view message;       // static text; empty on success
  TxnStatus status() const { return code == ErrorCode::none ? TxnStatus::success : TxnStatus::failed; }
};

inline constexpr std::string_view kNoRouteMessage =
    "No eligible bank: every bank is disabled, down or has its circuit breaker open";

// The routing core: a Router and a World bound to the same config, and the per-payment state.
// Common random numbers: each attempt's luck (fault, latency, decline) comes from its own stream,
// keyed by the payment's luck seed, the bank's id and how many times this payment has already tried
// that bank. So a payment meets the same fate on the same bank whatever was routed before it, and
// two runs of one seed that route differently (no agent, the agent, the oracle) differ only by
// their routing, not by luck: the gap between them is measured with far less seed noise.
// Rules: the first attempt goes where the router says; a soft failure is retried while the failed
// bank's retry_policy allows (max_retries retries in all), after backoff_delay_ms, on the next
// eligible bank not yet tried (one is reused when all were tried); a hard decline ends the payment;
// no route gives exactly one NO_ROUTE row with latency 0. Not thread-safe.
class PaymentFlow {
 public:
  explicit PaymentFlow(World world) : world_(std::move(world)) {}

  // Binds router and world to a (re)loaded config and copies what the flow needs from it (retry
  // policies, ids), so the caller may replace the config afterwards. Safe between steps of a payment:
  // the banks already tried are carried over by id.
  void set_config(const Config& config);

  // --- stepwise, for real time (checkout) ---
  // Starts a payment whose first attempt begins at start_ms; luck_seed keys its attempts' streams.
  void begin(const Payment& payment, TimeMs start_ms, std::uint64_t luck_seed);
  bool done() const { return done_; }
  // When the next attempt starts (after the backoff). REQUIRES: !done().
  TimeMs next_start_ms() const { return next_start_ms_; }
  // Makes the next attempt; explain (optional) says why the bank was chosen. REQUIRES: !done().
  const AttemptRecord& step(RouteExplanation* explain = nullptr);

  // --- all at once, for virtual time (simulator) ---
  // Runs every attempt of the payment, its luck seed the next number of rng (one draw per payment,
  // whatever the routing); explanations, when not null, gets one per attempt (its elements are
  // reused, so a caller that keeps the vector pays no allocation per payment).
  std::span<const AttemptRecord> run(const Payment& payment, TimeMs start_ms, Random& rng,
                                     std::vector<RouteExplanation>* explanations = nullptr);

  std::span<const AttemptRecord> attempts() const { return attempts_; }
  bool succeeded() const { return !attempts_.empty() && attempts_.back().code == ErrorCode::none; }

  Router& router() { return router_; }
  World& world() { return world_; }

 private:
  Router router_;
  World world_;
  std::vector<RetryPolicy> policies_;  // by bank index
  std::vector<std::string> ids_;       // by bank index
  std::vector<std::uint64_t> id_keys_;  // by bank index: a hash of the id, for the luck streams

  Payment payment_;
  std::uint64_t luck_seed_ = 0;
  std::vector<AttemptRecord> attempts_;
  std::vector<std::int32_t> tried_;
  std::int64_t retries_done_ = 0;
  std::int64_t pending_backoff_ms_ = 0;
  TimeMs next_start_ms_ = 0;
  bool done_ = true;
};

}  // namespace payops
