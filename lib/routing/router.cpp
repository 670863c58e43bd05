// Eligibility, smooth weighted round robin and primary_first over the live config.
#include "routing/router.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>


namespace payops {
namespace {

bool contains(std::span<const std::int32_t> set, std::int32_t value) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

}  // namespace

std::string_view to_string(SkipReason r) {
  switch (r) {
    case SkipReason::disabled: return "disabled";
    case SkipReason::down: return "down";
    case SkipReason::breaker_open: return "breaker open";
    case SkipReason::zero_weight: return "zero weight";
    case SkipReason::already_tried: return "already tried";
  }
  return "?";
}

std::string_view to_string(RouteBasis b) {
  switch (b) {
    case RouteBasis::weighted_round_robin: return "weighted round robin";
    case RouteBasis::primary_first: return "primary first";
    case RouteBasis::last_resort: return "primary bank as last resort (no bank is eligible)";
    case RouteBasis::no_route: return "no route (no bank is eligible)";
  }
  return "?";
}

void RouteExplanation::clear() {
  bank_index = -1;
  basis = RouteBasis::no_route;
  share = 0;
  half_open = false;
  retry = false;
  all_tried = false;
  skipped.clear();
}

std::string describe(const RouteExplanation& e, const Config& config) {
  std::string out;
  const auto bank_label = [&](std::int32_t i) {
    return i >= 0 && static_cast<std::size_t>(i) < config.banks.size() ? config.banks[i].id
                                                                         : std::string("?");
  };
  if (e.bank_index < 0) {
    out = "NO_ROUTE: no bank is eligible and the primary bank is not enabled";
  } else {
    const Bank& b = config.banks[static_cast<std::size_t>(e.bank_index)];
    out = fmt::format("{} ({}): {}", b.id, b.name, to_string(e.basis));
    if (e.basis != RouteBasis::last_resort)
      out += fmt::format(", {:.1f}% of first attempts", e.share * 100.0);
    if (e.half_open) out += ", half_open at its reduced share";
    if (e.retry) out += e.all_tried ? ", retry (every eligible bank already tried, reusing one)"
                                    : ", retry on a bank not yet tried";
  }
  if (!e.skipped.empty()) {
    out += "; skipped ";
    for (std::size_t i = 0; i < e.skipped.size(); ++i) {
      if (i) out += ", ";
      out += fmt::format("{} ({})", bank_label(e.skipped[i].bank_index), to_string(e.skipped[i].reason));
    }
  }
  return out;
}

void Router::set_config(const Config& config) {
  std::unordered_map<std::string, std::pair<std::int64_t, std::int64_t>> carried;
  for (const auto& slot : banks_) carried[slot.id] = {slot.first_current, slot.retry_current};

  banks_.clear();
  banks_.reserve(config.banks.size());
  strategy_ = config.routing_rules.fallback_strategy;
  primary_ = -1;
  total_weight_ = 0;
  for (std::size_t i = 0; i < config.banks.size(); ++i) {
    const Bank& bank = config.banks[i];
    BankSlot slot;
    slot.id = bank.id;
    switch (ineligibility(bank)) {
      case Ineligibility::none:
        slot.half_open = bank.circuit_breaker.state == BreakerState::half_open;
        slot.effective_weight = effective_weight(bank);
        slot.routable = slot.effective_weight > 0;
        if (!slot.routable) slot.reason = SkipReason::zero_weight;
        break;
      case Ineligibility::disabled: slot.reason = SkipReason::disabled; break;
      case Ineligibility::down: slot.reason = SkipReason::down; break;
      case Ineligibility::breaker_open: slot.reason = SkipReason::breaker_open; break;
    }
    slot.last_resort_ok = bank.enabled && bank.id == config.routing_rules.primary_bank;
    if (bank.id == config.routing_rules.primary_bank) primary_ = static_cast<std::int32_t>(i);
    if (auto it = carried.find(slot.id); it != carried.end() && slot.routable) {
      slot.first_current = it->second.first;
      slot.retry_current = it->second.second;
    }
    if (slot.routable) total_weight_ += slot.effective_weight;
    banks_.push_back(std::move(slot));
  }

  // primary_first order: the primary when routable, then by effective weight (ties: config order).
  by_weight_.clear();
  for (std::size_t i = 0; i < banks_.size(); ++i)
    if (banks_[i].routable) by_weight_.push_back(static_cast<std::int32_t>(i));
  std::stable_sort(by_weight_.begin(), by_weight_.end(), [&](std::int32_t a, std::int32_t b) {
    if ((a == primary_) != (b == primary_)) return a == primary_;
    return banks_[a].effective_weight > banks_[b].effective_weight;
  });
}

double Router::share(std::int32_t bank_index) const {
  if (bank_index < 0 || static_cast<std::size_t>(bank_index) >= banks_.size()) return 0;
  const BankSlot& slot = banks_[static_cast<std::size_t>(bank_index)];
  if (!slot.routable || total_weight_ <= 0) return 0;
  return static_cast<double>(slot.effective_weight) / static_cast<double>(total_weight_);
}

// nginx's smooth weighted round robin: every candidate's current weight grows by its effective
// weight, the largest wins and pays back the round's total. Over any run of picks each bank's count
// stays within one of its exact share, and a heavy bank is interleaved rather than picked in bursts.
// A first attempt: the loop below without the tried set or the retry state, as most picks are.
std::int32_t Router::pick_first_wrr() {
  std::int64_t round_total = 0;
  std::int32_t best = -1;
  std::int64_t best_current = 0;
  for (std::size_t i = 0; i < banks_.size(); ++i) {
    BankSlot& slot = banks_[i];
    if (!slot.routable) continue;
    slot.first_current += slot.effective_weight;
    round_total += slot.effective_weight;
    if (best < 0 || slot.first_current > best_current) {
      best = static_cast<std::int32_t>(i);
      best_current = slot.first_current;
    }
  }
  if (best >= 0) banks_[static_cast<std::size_t>(best)].first_current -= round_total;
  return best;
}

std::int32_t Router::pick_wrr(std::span<const std::int32_t> tried, bool retry) {
  if (!retry && tried.empty()) return pick_first_wrr();
  std::int64_t round_total = 0;
  std::int32_t best = -1;
  for (std::size_t i = 0; i < banks_.size(); ++i) {
    BankSlot& slot = banks_[i];
    if (!slot.routable || contains(tried, static_cast<std::int32_t>(i))) continue;
    std::int64_t& current = retry ? slot.retry_current : slot.first_current;
    current += slot.effective_weight;
    round_total += slot.effective_weight;
    if (best < 0 || current > (retry ? banks_[best].retry_current : banks_[best].first_current))
      best = static_cast<std::int32_t>(i);
  }
  if (best >= 0) (retry ? banks_[best].retry_current : banks_[best].first_current) -= round_total;
  return best;
}

std::int32_t Router::pick_primary_first(std::span<const std::int32_t> tried) {
  for (std::int32_t i : by_weight_)
    if (!contains(tried, i)) return i;
  return -1;
}

std::int32_t Router::pick(std::span<const std::int32_t> tried, RouteExplanation* explain) {
  const bool retry = !tried.empty();
  const bool primary_first = strategy_ == FallbackStrategy::primary_first;
  std::int32_t chosen = primary_first ? pick_primary_first(tried) : pick_wrr(tried, retry);
  bool all_tried = false;
  if (chosen < 0 && retry && total_weight_ > 0) {
    // Every eligible bank was tried: the retry reuses one, chosen the same way, rather than giving up
    // while retries are left.
    all_tried = true;
    chosen = primary_first ? pick_primary_first({}) : pick_wrr({}, true);
  }
  RouteBasis basis = primary_first ? RouteBasis::primary_first : RouteBasis::weighted_round_robin;
  if (chosen < 0) {
    if (primary_ >= 0 && banks_[static_cast<std::size_t>(primary_)].last_resort_ok) {
      chosen = primary_;
      basis = RouteBasis::last_resort;
    } else {
      basis = RouteBasis::no_route;
    }
  }
  if (explain) {
    explain->clear();
    explain->bank_index = chosen;
    explain->basis = basis;
    explain->retry = retry;
    explain->all_tried = all_tried;
    if (chosen >= 0) {
      explain->share = share(chosen);
      explain->half_open = banks_[static_cast<std::size_t>(chosen)].half_open;
    }
    for (std::size_t i = 0; i < banks_.size(); ++i) {
      const auto index = static_cast<std::int32_t>(i);
      if (index == chosen) continue;
      if (!banks_[i].routable)
        explain->skipped.push_back({index, banks_[i].reason});
      else if (!all_tried && contains(tried, index))
        explain->skipped.push_back({index, SkipReason::already_tried});
    }
  }
  return chosen;
}

}  // namespace payops
