// Integer limits of the config that more than one module enforces (validation, router, guardrails),
// in one place so the rule has one definition.
#pragma once

#include <cstdint>

namespace payops {

// The largest bank weight a valid config holds (validation, `config-tool weights`): weight times the
// router's scale (1000), summed over any number of banks a config can hold, stays far inside int64.
inline constexpr std::int64_t kMaxBankWeight = 1'000'000'000;

}  // namespace payops
