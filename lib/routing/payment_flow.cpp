// The retry loop of one payment.
#include "routing/payment_flow.h"

#include "routing/retry_backoff.h"

#include <algorithm>

namespace payops {
namespace {

// FNV-1a: a stable key per bank id, so a bank's luck does not depend on its place in the config.
std::uint64_t id_key(std::string_view id) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : id) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

}  // namespace

void PaymentFlow::set_config(const Config& config) {
  std::vector<std::string> tried_ids;
  for (std::int32_t i : tried_) tried_ids.push_back(ids_[static_cast<std::size_t>(i)]);

  router_.set_config(config);
  world_.bind(config);
  policies_.clear();
  ids_.clear();
  id_keys_.clear();
  for (const Bank& bank : config.banks) {
    policies_.push_back(bank.retry_policy);
    ids_.push_back(bank.id);
    id_keys_.push_back(id_key(bank.id));
  }
  // A bank that left the config can no longer be chosen, so forgetting it changes nothing.
  tried_.clear();
  for (const auto& id : tried_ids)
    for (std::size_t i = 0; i < ids_.size(); ++i)
      if (ids_[i] == id) tried_.push_back(static_cast<std::int32_t>(i));
}

void PaymentFlow::begin(const Payment& payment, TimeMs start_ms, std::uint64_t luck_seed) {
  payment_ = payment;
  luck_seed_ = luck_seed;
  attempts_.clear();  // keeps capacity: no allocation per payment in steady state
  tried_.clear();
  retries_done_ = 0;
  pending_backoff_ms_ = 0;
  next_start_ms_ = start_ms;
  done_ = false;
}

const AttemptRecord& PaymentFlow::step(RouteExplanation* explain) {
  AttemptRecord rec;
  rec.attempt = static_cast<std::int32_t>(attempts_.size());
  rec.start_ms = next_start_ms_;
  rec.backoff_before_ms = pending_backoff_ms_;
  rec.bank_index = router_.pick(tried_, explain);
  if (rec.bank_index < 0) {
    rec.finish_ms = rec.start_ms;
    rec.code = ErrorCode::NO_ROUTE;
    rec.message = kNoRouteMessage;
    done_ = true;
    attempts_.push_back(rec);
    return attempts_.back();
  }
  const auto bank = static_cast<std::size_t>(rec.bank_index);
  const auto visits = static_cast<std::uint64_t>(std::count(tried_.begin(), tried_.end(), rec.bank_index));
  // Random seeds through splitmix64, so nearby keys still give independent streams.
  Random rng(luck_seed_ ^ id_keys_[bank] ^ (visits * 0x9e3779b97f4a7c15ULL));
  const AttemptOutcome out = world_.attempt(rec.bank_index, payment_.method, rec.start_ms, rng);
  rec.latency_ms = out.latency_ms;
  rec.finish_ms = rec.start_ms + out.latency_ms;
  rec.code = out.code;
  rec.message = out.message;
  tried_.push_back(rec.bank_index);

  done_ = true;
  if (kind_of(rec.code) == ErrorKind::soft) {
    // The failed bank's policy decides: it is the one whose trouble we are reacting to.
    const RetryPolicy& policy = policies_[bank];
    if (may_retry(policy, retries_done_)) {
      pending_backoff_ms_ = backoff_delay_ms(policy, retries_done_, rng);
      next_start_ms_ = rec.finish_ms + pending_backoff_ms_;
      ++retries_done_;
      done_ = false;
    }
  }
  attempts_.push_back(rec);
  return attempts_.back();
}

std::span<const AttemptRecord> PaymentFlow::run(const Payment& payment, TimeMs start_ms, Random& rng,
                                                std::vector<RouteExplanation>* explanations) {
  begin(payment, start_ms, rng.next_u64());
  std::size_t n = 0;
  while (!done_) {
    RouteExplanation* explain = nullptr;
    if (explanations) {
      if (explanations->size() <= n) explanations->emplace_back();
      explain = &(*explanations)[n];
    }
    step(explain);
    ++n;
  }
  if (explanations) explanations->resize(n);
  return attempts_;
}

}  // namespace payops
