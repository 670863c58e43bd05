// Choosing a bank for each attempt of a payment, from the live config: the contract's eligibility,
// smooth weighted round robin (nginx) or primary_first, retries on the next untried bank, and an
// explanation of every choice that checkout prints. Shared by simulator and checkout.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "contract/config_model.h"

namespace payops {

// Why a bank was not chosen for an attempt. The first four are the bank's own state (the contract's
// eligibility plus weight); already_tried is about this payment.
enum class SkipReason : std::uint8_t { disabled, down, breaker_open, zero_weight, already_tried };
std::string_view to_string(SkipReason r);  // "disabled", "down", "breaker open", ...

// How the chosen bank was found.
enum class RouteBasis : std::uint8_t {
  weighted_round_robin,  // smooth WRR among eligible banks (untried ones for a retry)
  primary_first,         // the primary, or the next eligible bank by weight when it is not eligible
  last_resort,           // nothing eligible: the enabled primary_bank, whatever its health/breaker
  no_route,              // nothing eligible and no usable primary: the payment gets a NO_ROUTE row
};
std::string_view to_string(RouteBasis b);

struct SkippedBank {
  std::int32_t bank_index;  // into Config::banks
  SkipReason reason;
};

// Why an attempt went where it went. Reused across attempts by callers that care (skipped keeps its
// capacity), so explaining costs no allocation in steady state.
struct RouteExplanation {
  std::int32_t bank_index = -1;  // into Config::banks; -1 on no_route
  RouteBasis basis = RouteBasis::no_route;
  double share = 0;              // the chosen bank's share of first attempts (0..1), per weights
  bool half_open = false;        // the chosen bank is half_open and runs at its reduced share
  bool retry = false;            // this is a retry of the payment
  bool all_tried = false;        // a retry with every eligible bank already tried: one is reused
  std::vector<SkippedBank> skipped;  // in config order

  void clear();
};

// One line for people: "bank_a (Stripe Gateway): weighted round robin, 52.6% of first attempts;
// skipped bank_b (down), bank_c (breaker open)". REQUIRES: config is the one the choice was made on.
std::string describe(const RouteExplanation& e, const Config& config);

// Routing state over one config. Deterministic: the same config and the same sequence of calls give
// the same choices (no randomness at all). Not thread-safe; one per simulator/checkout.
class Router {
 public:
  Router() = default;
  explicit Router(const Config& config) { set_config(config); }

  // Adopts a (re)loaded config. Round-robin state is carried over by bank id, so a reload that
  // changes nothing does not perturb the sequence. Bank indices refer to config.banks from now on;
  // the config must outlive its use by this router (only ids/weights/states are copied).
  void set_config(const Config& config);

  // Picks the bank for an attempt. tried: bank indices this payment already used (empty for the
  // first attempt; then it is a retry). Returns the bank index, or -1 when the payment has no route.
  // First attempts advance the first-attempt WRR state only, so first-attempt shares converge to the
  // weights whatever the retries do; retries use their own WRR state over the untried banks.
  // explain, when not null, is filled (cleared first).
  std::int32_t pick(std::span<const std::int32_t> tried, RouteExplanation* explain);

  // The bank's share of first attempts (weight, or weight * half_open_traffic_ratio, over the sum of
  // eligible banks' effective weights); 0 for ineligible banks. Same order as config.banks.
  double share(std::int32_t bank_index) const;
  std::size_t bank_count() const { return banks_.size(); }

 private:
  struct BankSlot {
    std::string id;
    std::int64_t effective_weight = 0;  // the contract's effective_weight(bank); 0 when not routable
    bool routable = false;              // eligible with a positive effective weight
    bool half_open = false;
    bool last_resort_ok = false;        // the enabled primary_bank
    SkipReason reason = SkipReason::disabled;  // valid when !routable
    std::int64_t first_current = 0;     // smooth WRR state for first attempts
    std::int64_t retry_current = 0;     // smooth WRR state for retries
  };
  std::int32_t pick_wrr(std::span<const std::int32_t> tried, bool retry);
  std::int32_t pick_first_wrr();
  std::int32_t pick_primary_first(std::span<const std::int32_t> tried);

  std::vector<BankSlot> banks_;
  std::vector<std::int32_t> by_weight_;  // routable banks, primary first, then by weight desc
  std::int32_t primary_ = -1;
  FallbackStrategy strategy_ = FallbackStrategy::weighted_round_robin;
  std::int64_t total_weight_ = 0;
};

}  // namespace payops
