// The retry loop of one payment.
#include "routing/payment_flow.h"

#include "routing/retry_backoff.h"

namespace payops {

void PaymentFlow::set_config(const Config& config) {
  std::vector<std::string> tried_ids;
  for (std::int32_t i : tried_) tried_ids.push_back(ids_[static_cast<std::size_t>(i)]);

  router_.set_config(config);
  world_.bind(config);
  policies_.clear();
  ids_.clear();
  for (const Bank& bank : config.banks) {
    policies_.push_back(bank.retry_policy);
    ids_.push_back(bank.id);
  }
  // A bank that left the config can no longer be chosen, so forgetting it changes nothing.
  tried_.clear();
  for (const auto& id : tried_ids)
    for (std::size_t i = 0; i < ids_.size(); ++i)
      if (ids_[i] == id) tried_.push_back(static_cast<std::int32_t>(i));
}

void PaymentFlow::begin(const Payment& payment, TimeMs start_ms) {
  payment_ = payment;
  attempts_.clear();  // keeps capacity: no allocation per payment in steady state
  tried_.clear();
  retries_done_ = 0;
  pending_backoff_ms_ = 0;
  next_start_ms_ = start_ms;
  done_ = false;
}

const AttemptRecord& PaymentFlow::step(Random& rng, RouteExplanation* explain) {
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
  const AttemptOutcome out = world_.attempt(rec.bank_index, payment_.method, rec.start_ms, rng);
  rec.latency_ms = out.latency_ms;
  rec.finish_ms = rec.start_ms + out.latency_ms;
  rec.code = out.code;
  rec.message = out.message;
  tried_.push_back(rec.bank_index);

  done_ = true;
  if (kind_of(rec.code) == ErrorKind::soft) {
    // The failed bank's policy decides: it is the one whose trouble we are reacting to.
    const RetryPolicy& policy = policies_[static_cast<std::size_t>(rec.bank_index)];
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
  begin(payment, start_ms);
  std::size_t n = 0;
  while (!done_) {
    RouteExplanation* explain = nullptr;
    if (explanations) {
      if (explanations->size() <= n) explanations->emplace_back();
      explain = &(*explanations)[n];
    }
    step(rng, explain);
    ++n;
  }
  if (explanations) explanations->resize(n);
  return attempts_;
}

}  // namespace payops
