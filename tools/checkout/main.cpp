// checkout: flags only; the checks, the payment and the receipt are lib/app/checkout_command.cpp.
#include <CLI/CLI.hpp>

#include <exception>

#include <fmt/format.h>

#include "app/checkout.h"
#include "app/checkout_command.h"

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
  CheckoutFlags f;
  app.add_option("--amount", f.amount, "Amount in the currency's units, e.g. 125.50 (JPY: no decimals, KWD: three)");
  app.add_option("--currency", f.currency, "ISO 4217 code: USD EUR GBP INR JPY KRW KWD BHD SGD AUD CAD CHF BRL AED");
  app.add_option("--method", f.method, "card, upi (INR only), netbanking, wallet or bank_transfer");
  app.add_option("--customer", f.customer, "Customer id (shown masked, never written to the log)");
  app.add_option("--idempotency-key", f.idempotency_key, "Replays the first payment made with this key instead of paying again");
  app.add_option("--idempotency-window", f.idempotency_window, "How far back the log is searched for the key (default 24h)");
  app.add_option("--idempotency-wait", f.idempotency_wait,
                 "How long to wait for another checkout holding the same key before exiting 6 (default 0s)");
  app.add_flag("--json", f.json, "Print the receipt as one JSON object");
  app.add_option("--data-dir", f.data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_option("--world", f.world, "JSON file overriding bank behaviour, as for the simulator");
  app.add_option("--incident", f.incidents, "Scripted incident BANK:KIND[=VALUE]:START[+DURATION], START from now; repeatable");
  app.add_option("--seed", f.seed, "Random seed for the simulated banks and backoff jitter (default: from the OS)");
  app.add_flag("--no-wait", f.no_wait,
               "Virtual time for scripts and tests: do not sleep through latencies and backoffs; rows keep "
               "the timestamps real time would give them (so they may lie seconds in the future)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Not app.exit(e): CLI11's message may echo a value, which must be masked like everything else.
    return checkout_fail(kCheckoutUsage, fmt::format("{} (see --help)", e.what()));
  }
  return checkout_command(f);
} catch (const std::exception& e) {
  return payops::checkout_fail(payops::kCheckoutIoFailure, e.what());
}
