#include "app/checkout_command.h"

#include <cstdio>
#include <utility>

#include <fmt/format.h>

#include "app/checkout.h"
#include "app/masking.h"
#include "contract/data_dir.h"
#include "platform/clock.h"
#include "platform/error_output.h"
#include "platform/random.h"
#include "platform/terminal.h"
#include "platform/time_util.h"
#include "routing/world.h"

namespace payops {

int checkout_fail(int code, const std::string& message) {
  return report_error("checkout", code, escape_for_terminal(mask_card_numbers(message)));
}

namespace {

// The idempotency durations, incidents, world and seeds; an invalid_input sentence naming the flag.
Result<CheckoutOptions> read_options(const CheckoutFlags& flags) {
  CheckoutOptions options;
  const auto window = parse_duration_ms(flags.idempotency_window);
  if (!window || *window <= 0)
    return make_error(fmt::format("--idempotency-window \"{}\" is not a duration like 30m or 24h", flags.idempotency_window));
  options.idempotency_window_ms = *window;
  const auto wait = parse_duration_ms(flags.idempotency_wait);
  if (!wait || *wait < 0)
    return make_error(fmt::format("--idempotency-wait \"{}\" is not a duration like 0s, 500ms or 30s", flags.idempotency_wait));
  options.idempotency_wait_ms = *wait;
  for (const auto& spec : flags.incidents) {
    auto inc = parse_incident(spec);
    if (!inc) return inc.error();
    options.incidents.push_back(std::move(*inc));
  }
  if (!flags.world.empty()) {
    auto w = load_world_file(flags.world);
    if (!w) return w.error();
    options.world = std::move(*w);
  }
  options.seed = flags.seed ? *flags.seed : Random::os_seed();
  options.id_entropy = Random::os_seed();  // independent of --seed: two runs never share an id by accident
  return options;
}

// From the flags, or asked on a terminal; an exit code (already reported) when neither can be had.
Result<CheckoutRequest> read_request(const CheckoutFlags& flags, int& code) {
  if (flags.amount && flags.currency && flags.method) {
    auto r = make_checkout_request(*flags.amount, *flags.currency, *flags.method, flags.customer, flags.idempotency_key);
    if (!r) code = checkout_fail(checkout_exit_code(r.error()), r.error().message);
    return r;
  }
  if (is_terminal(stdin) && is_terminal(stdout) && !flags.json) {
    auto r = ask_checkout_request(stdin, stdout, PromptDefaults{flags.amount, flags.currency, flags.method}, flags.customer,
                                  flags.idempotency_key);
    if (!r) code = checkout_fail(checkout_exit_code(r.error()), r.error().message);
    return r;
  }
  std::string missing;
  for (const auto& [flag, v] : {std::pair{"--amount", &flags.amount}, std::pair{"--currency", &flags.currency},
                                std::pair{"--method", &flags.method}})
    if (!*v) missing += (missing.empty() ? "" : ", ") + std::string(flag);
  code = checkout_fail(kCheckoutUsage, fmt::format("missing {} (interactive entry needs a terminal and no --json); "
                                                   "see --help", missing));
  return make_error("missing flags", Error::Kind::invalid_input);
}

// Live progress for a person watching a slow payment; never on a pipe, never mixed into --json.
AttemptObserver progress_observer(bool json) {
  if (json || !is_terminal(stderr)) return {};
  return [](const ReceiptAttempt& a) {
    fmt::print(stderr, "  attempt {} on {}: {} ({} ms)\n", a.attempt + 1, a.bank_id.empty() ? "-" : a.bank_id,
               a.error_code == ErrorCode::none ? "success" : to_string(a.error_code), a.latency_ms);
  };
}

}  // namespace

int checkout_command(const CheckoutFlags& flags) {
  auto options = read_options(flags);
  if (!options) return checkout_fail(kCheckoutUsage, options.error().message);
  int code = kCheckoutUsage;
  auto request = read_request(flags, code);
  if (!request) return code;

  ManualClock virtual_clock(SystemClock::instance().now_ms());
  Clock& clock = flags.no_wait ? static_cast<Clock&>(virtual_clock) : SystemClock::instance();
  auto receipt = run_checkout(*request, *options, resolve_data_dir(flags.data_dir), clock, progress_observer(flags.json));
  if (!receipt) return checkout_fail(checkout_exit_code(receipt.error()), receipt.error().message);
  if (flags.quiet) {
  } else if (flags.json) {
    fmt::print("{}\n", receipt_to_json(*receipt).dump());
  } else {
    fmt::print("{}", render_receipt_text(*receipt));
  }
  std::fflush(stdout);
  if (receipt->outcome == PaymentOutcome::charged_unrecorded) {
    // The JSON receipt already says so (status, record_error, exit_code): stdout stays one document,
    // and the sentence goes to stderr only.
    if (flags.json && !flags.quiet) set_json_errors(false);
    checkout_fail(kCheckoutUnrecorded, fmt::format("the payment was charged ({}) but could not be recorded: {}",
                                                   receipt->bank_reference, receipt->record_error));
  }
  return receipt->exit_code();
}

}  // namespace payops
