// Tables behind the simulated payment mix.
#include "routing/payment_gen.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace payops {
namespace {

struct CurrencyMix {
  std::string_view code;
  double cumulative;          // market share, cumulative
  double median_major;        // typical ticket in major units
  const double* method_cdf;   // cumulative over PaymentMethod order
};
// card, upi, netbanking, wallet, bank_transfer
constexpr double kInrMethods[] = {0.35, 0.75, 0.87, 0.97, 1.0};
constexpr double kCardHeavy[] = {0.70, 0.70, 0.75, 0.92, 1.0};
constexpr double kEuMethods[] = {0.60, 0.60, 0.65, 0.80, 1.0};
constexpr double kWalletHeavy[] = {0.45, 0.45, 0.50, 0.95, 1.0};

const std::array kMix = {
    CurrencyMix{"INR", 0.45, 1200, kInrMethods},  CurrencyMix{"USD", 0.65, 45, kCardHeavy},
    CurrencyMix{"EUR", 0.75, 40, kEuMethods},     CurrencyMix{"GBP", 0.80, 35, kCardHeavy},
    CurrencyMix{"JPY", 0.85, 4500, kWalletHeavy}, CurrencyMix{"SGD", 0.88, 60, kWalletHeavy},
    CurrencyMix{"AED", 0.91, 150, kCardHeavy},    CurrencyMix{"BRL", 0.94, 120, kEuMethods},
    CurrencyMix{"AUD", 0.96, 55, kCardHeavy},     CurrencyMix{"CAD", 0.98, 50, kCardHeavy},
    CurrencyMix{"KWD", 0.99, 15, kCardHeavy},     CurrencyMix{"KRW", 1.0, 40000, kWalletHeavy},
};

const CurrencyInfo* static_currency(std::string_view code) {
  std::size_t count = 0;
  const CurrencyInfo* all = known_currencies(&count);
  for (std::size_t j = 0; j < count; ++j)
    if (all[j].code == code) return &all[j];
  return nullptr;
}

struct ResolvedMix {
  const CurrencyMix* mix;
  const CurrencyInfo* info;  // into the static currency table
  std::int64_t unit;         // minor units per major unit
};

// Resolved once: the currency table is static, so the hot path never searches by code.
const std::array<ResolvedMix, kMix.size()>& resolved() {
  static const auto table = [] {
    std::array<ResolvedMix, kMix.size()> t{};
    for (std::size_t i = 0; i < kMix.size(); ++i) {
      t[i].mix = &kMix[i];
      t[i].info = static_currency(kMix[i].code);  // every code in kMix is a known currency
      t[i].unit = 1;
      for (int d = 0; d < t[i].info->decimals; ++d) t[i].unit *= 10;
    }
    return t;
  }();
  return table;
}

}  // namespace

void format_transaction_id(std::uint64_t value, char (&out)[kTransactionIdLength]) {
  static constexpr char kHex[] = "0123456789abcdef";
  out[0] = 't', out[1] = 'x', out[2] = 'n', out[3] = '_';
  for (int i = 0; i < 16; ++i) out[4 + i] = kHex[(value >> (60 - 4 * i)) & 0xF];
}

PaymentGenerator::PaymentGenerator() { (void)resolved(); }

void PaymentGenerator::next(Random& rng, Payment& out) const {
  const auto& table = resolved();
  format_transaction_id(rng.next_u64(), out.transaction_id);

  const double u = rng.uniform();
  std::size_t c = 0;
  while (c + 1 < table.size() && u >= table[c].mix->cumulative) ++c;
  const ResolvedMix& r = table[c];
  out.currency = r.info;

  const double m = rng.uniform();
  int method = 0;
  while (method + 1 < kPaymentMethodCount && m >= r.mix->method_cdf[method]) ++method;
  out.method = static_cast<PaymentMethod>(method);

  const double major = rng.lognormal(r.mix->median_major, 0.9);
  // major > 0, so adding 0.5 and truncating rounds; cheaper than llround on the hot path.
  std::int64_t minor = static_cast<std::int64_t>(major * static_cast<double>(r.unit) + 0.5);
  if (r.unit > 1 && rng.uniform() < 0.5) minor -= minor % r.unit;  // a round price
  out.amount_minor = std::clamp<std::int64_t>(minor, r.unit, r.info->max_minor);
}

}  // namespace payops
