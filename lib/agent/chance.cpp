#include "agent/chance.h"

#include <algorithm>
#include <cmath>

namespace payops {

double poisson_at_most(std::uint64_t k, double mean) {
  if (mean <= 0) return 1.0;
  // Sum the terms in log space: e^-mean underflows long before the sum is anything but tiny.
  double log_term = -mean;  // log P(X = 0)
  double sum = std::exp(log_term);
  for (std::uint64_t i = 1; i <= k; ++i) {
    log_term += std::log(mean) - std::log(static_cast<double>(i));
    sum += std::exp(log_term);
  }
  return std::min(1.0, sum);
}

double poisson_at_least(std::uint64_t k, double mean) {
  if (k == 0) return 1.0;
  if (mean <= 0) return 0.0;
  // log P(X = k) = -mean + k log(mean) - log(k!); then the terms shrink once i > mean.
  double log_term = -mean + static_cast<double>(k) * std::log(mean) - std::lgamma(static_cast<double>(k) + 1);
  double sum = 0;
  for (std::uint64_t i = k; i < k + 100'000; ++i) {
    const double term = std::exp(log_term);
    sum += term;
    if (static_cast<double>(i) > mean && term < sum * 1e-17) break;
    log_term += std::log(mean) - std::log(static_cast<double>(i + 1));
  }
  return std::min(1.0, sum);
}

}  // namespace payops
