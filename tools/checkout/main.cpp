// checkout: flags, the terminal check and output selection only; the payment is lib/checkout.cpp.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "app/checkout.h"
#include "platform/clock.h"
#include "contract/data_dir.h"
#include "app/idempotency.h"
#include "app/masking.h"
#include "platform/random.h"
#include "platform/terminal.h"
#include "platform/time_util.h"
#include "contract/transaction.h"
#include "routing/world.h"

namespace {

// Every sentence checkout prints about input passes through here: it may echo what the user typed.
int fail(int code, const std::string& message) {
  // fputs, not fmt::print: it never throws, so a full disk under stderr cannot turn an error into
  // an abort from the catch block below.
  const std::string line = "checkout: " + payops::escape_for_terminal(payops::mask_card_numbers(message)) + "\n";
  std::fputs(line.c_str(), stderr);
  return code;
}

}  // namespace

int main(int argc, char** argv) try {
  using namespace payops;
  CLI::App app{
      "checkout: one merchant payment through the live shared_config.json and the same routing core and\n"
      "simulated banks as the simulator. Every attempt is appended to transactions.csv as it finishes;\n"
      "the receipt shows the transaction id, the final status, each attempt (bank, latency, error code\n"
      "and its meaning) and why each bank was chosen or skipped.\n\n"
      "Examples:\n"
      "  checkout --amount 125.50 --currency INR --method upi\n"
      "  checkout --amount 1000 --currency JPY --method card --customer cus_8812 --idempotency-key order-77 --json\n"
      "  checkout                      on a terminal: asks for currency, amount and method\n"
      "  checkout --amount 10 --currency USD --method card --no-wait --incident bank_a:outage:0s\n\n"
      "Idempotency: the transaction id is txn_ + the 16 hex digits of the 64-bit FNV-1a hash of the key.\n"
      "If the log's last --idempotency-window (default 24h) holds rows with that id, the same amount,\n"
      "currency and method replay the recorded receipt and exit code, writing nothing; a different\n"
      "payment under that key is refused (exit 2). Without a key every run is a new payment.\n"
      "Concurrent checkouts with one key charge at most once: each holds a record lock (fcntl\n"
      "F_OFD_SETLKW) on one byte of transactions.csv chosen by the key's hash from its look-up until its\n"
      "outcome is written; one that cannot take it within --idempotency-wait (default 0s) exits 6.\n\n"
      "Customer ids are shown as ****LAST4 and never written to the log; card-like numbers (12 or more\n"
      "digits) in anything echoed are masked to ****LAST4.\n\n"
      "Exit codes: 0 paid; 1 declined by the issuer (hard decline, never retried); 2 usage, invalid\n"
      "input or idempotency conflict (nothing written); 3 failed after retries, or no eligible bank;\n"
      "4 shared_config.json missing or invalid (nothing written; checkout reads it without a lock, so a\n"
      "held config lock never blocks it); 5 the log could not be read or written; 6 in flight: another\n"
      "checkout holds this idempotency key (nothing charged or written; run again for the outcome);\n"
      "7 charged but not recorded: the bank took the payment and its row could not be written (a full\n"
      "disk); the receipt (with --json on stdout) carries bank_reference for reconciliation."};
  std::optional<std::string> amount, currency, method, key;
  std::string customer, data_dir, world_path, window_text = "24h", wait_text = "0s";
  std::vector<std::string> incident_specs;
  std::optional<std::uint64_t> seed;
  bool json = false, no_wait = false;
  app.add_option("--amount", amount, "Amount in the currency's units, e.g. 125.50 (JPY: no decimals, KWD: three)");
  app.add_option("--currency", currency, "ISO 4217 code: USD EUR GBP INR JPY KRW KWD BHD SGD AUD CAD CHF BRL AED");
  app.add_option("--method", method, "card, upi (INR only), netbanking, wallet or bank_transfer");
  app.add_option("--customer", customer, "Customer id (shown masked, never written to the log)");
  app.add_option("--idempotency-key", key, "Replays the first payment made with this key instead of paying again");
  app.add_option("--idempotency-window", window_text, "How far back the log is searched for the key (default 24h)");
  app.add_option("--idempotency-wait", wait_text,
                 "How long to wait for another checkout holding the same key before exiting 6 (default 0s)");
  app.add_flag("--json", json, "Print the receipt as one JSON object");
  app.add_option("--data-dir", data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_option("--world", world_path, "JSON file overriding bank behaviour, as for the simulator");
  app.add_option("--incident", incident_specs, "Scripted incident BANK:KIND[=VALUE]:START[+DURATION], START from now; repeatable");
  app.add_option("--seed", seed, "Random seed for the simulated banks and backoff jitter (default: from the OS)");
  app.add_flag("--no-wait", no_wait,
               "Virtual time for scripts and tests: do not sleep through latencies and backoffs; rows keep "
               "the timestamps real time would give them (so they may lie seconds in the future)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Not app.exit(e): CLI11's message may echo a value, which must be masked like everything else.
    return fail(kCheckoutUsage, fmt::format("{} (see --help)", e.what()));
  }

  const auto window = parse_duration_ms(window_text);
  if (!window || *window <= 0)
    return fail(kCheckoutUsage, fmt::format("--idempotency-window \"{}\" is not a duration like 30m or 24h", window_text));
  CheckoutOptions options;
  options.idempotency_window_ms = *window;
  const auto wait = parse_duration_ms(wait_text);
  if (!wait || *wait < 0)
    return fail(kCheckoutUsage, fmt::format("--idempotency-wait \"{}\" is not a duration like 0s, 500ms or 30s", wait_text));
  options.idempotency_wait_ms = *wait;
  for (const auto& spec : incident_specs) {
    auto inc = parse_incident(spec);
    if (!inc) return fail(kCheckoutUsage, inc.error().message);
    options.incidents.push_back(std::move(*inc));
  }
  if (!world_path.empty()) {
    auto w = load_world_file(world_path);
    if (!w) return fail(kCheckoutUsage, w.error().message);
    options.world = std::move(*w);
  }
  options.seed = seed ? *seed : Random::os_seed();
  options.id_entropy = Random::os_seed();  // independent of --seed: two runs never share an id by accident

  Result<CheckoutRequest> request = make_error("unreachable");
  if (amount && currency && method) {
    request = make_checkout_request(*amount, *currency, *method, customer, key);
  } else if (is_terminal(stdin) && is_terminal(stdout) && !json) {
    request = ask_checkout_request(stdin, stdout, PromptDefaults{amount, currency, method}, customer, key);
  } else {
    std::string missing;
    for (const auto& [flag, v] : {std::pair{"--amount", &amount}, std::pair{"--currency", &currency}, std::pair{"--method", &method}})
      if (!*v) missing += (missing.empty() ? "" : ", ") + std::string(flag);
    return fail(kCheckoutUsage, fmt::format("missing {} (interactive entry needs a terminal and no --json); "
                                            "see --help", missing));
  }
  if (!request) return fail(checkout_exit_code(request.error()), request.error().message);

  ManualClock virtual_clock(SystemClock::instance().now_ms());
  Clock& clock = no_wait ? static_cast<Clock&>(virtual_clock) : SystemClock::instance();
  // Live progress for a person watching a slow payment; never on a pipe, never mixed into --json.
  const bool progress = !json && is_terminal(stderr);
  const AttemptObserver observer = [&](const ReceiptAttempt& a) {
    if (!progress) return;
    fmt::print(stderr, "  attempt {} on {}: {} ({} ms)\n", a.attempt + 1, a.bank_id.empty() ? "-" : a.bank_id,
               a.error_code == ErrorCode::none ? "success" : to_string(a.error_code), a.latency_ms);
  };
  auto receipt = run_checkout(*request, options, resolve_data_dir(data_dir), clock, observer);
  if (!receipt) return fail(checkout_exit_code(receipt.error()), receipt.error().message);
  if (json) fmt::print("{}\n", receipt_to_json(*receipt).dump());
  else fmt::print("{}", render_receipt_text(*receipt));
  std::fflush(stdout);
  if (receipt->outcome == PaymentOutcome::charged_unrecorded)
    fail(kCheckoutUnrecorded, fmt::format("the payment was charged ({}) but could not be recorded: {}",
                                          receipt->bank_reference, receipt->record_error));
  return receipt->exit_code();
} catch (const std::exception& e) {
  return fail(payops::kCheckoutIoFailure, e.what());
}
