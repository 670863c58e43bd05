// One merchant payment from the command line: a validated request, the idempotency check, the payment
// routed through the shared core (PaymentFlow) in real time on a Clock, every attempt appended to
// transactions.csv as it finishes, and the receipt rendered for people (text) or machines (JSON).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/clock.h"
#include "contract/config_model.h"
#include "contract/data_dir.h"
#include "contract/money.h"
#include "platform/result.h"
#include "contract/transaction.h"
#include "routing/world.h"

namespace payops {

// checkout's exit codes; scripts rely on them (see --help and README).
enum CheckoutExit : int {
  kCheckoutPaid = 0,
  kCheckoutDeclined = 1,       // the issuer declined (a hard decline): never retried
  kCheckoutUsage = 2,          // bad flags, invalid input or an idempotency conflict; nothing written
  kCheckoutFailed = 3,         // soft failures until the retry policy gave up, or no eligible bank
  kCheckoutConfigInvalid = 4,  // shared_config.json missing or invalid; nothing written
  kCheckoutIoFailure = 5,      // the log could not be read or written (rows already written stay)
  kCheckoutInFlight = 6,       // another checkout with the same idempotency key is still paying
  kCheckoutUnrecorded = 7,     // the bank charged but the row could not be written: reconcile by hand
};
// Maps an error from this module to the exit code above.
int checkout_exit_code(const Error& e);

// A request that passed validation: nothing about it can be refused any more.
struct CheckoutRequest {
  Money amount;                 // > 0 and within the currency's limit
  PaymentMethod method = PaymentMethod::card;
  std::string customer_masked;  // mask_customer_id of --customer; empty when none was given
  std::optional<std::string> idempotency_key;  // as given (never written anywhere, only hashed)
};

// Validates the raw inputs, in this order: currency, amount (positive, the currency's decimals, its
// upper limit), method (and that upi is for INR only), customer id, idempotency key. The first problem
// is one sentence (kind invalid_input) in which any card-like number has been masked.
Result<CheckoutRequest> make_checkout_request(std::string_view amount, std::string_view currency,
                                              std::string_view method, std::string_view customer,
                                              const std::optional<std::string>& idempotency_key);

struct CheckoutOptions {
  WorldSpec world;                  // --world: how the simulated banks behave (shared with simulator)
  std::vector<Incident> incidents;  // --incident, offsets from the moment checkout starts
  std::uint64_t seed = 1;           // the world's and the backoff jitter's draws
  std::uint64_t id_entropy = 0;     // the transaction id when there is no idempotency key
  std::int64_t idempotency_window_ms = 24LL * 3600 * 1000;
  // How long to wait for another checkout holding the same key before reporting it in flight.
  std::int64_t idempotency_wait_ms = 0;
};

// Why the bank of one attempt was chosen, in structured form for --json (describe() for people).
struct RouteSkip {
  std::string bank_id;
  std::string reason;  // to_string(SkipReason)
};
struct RouteInfo {
  std::string basis;  // to_string(RouteBasis)
  double share = 0;
  bool retry = false;
  bool half_open = false;
  bool all_tried = false;
  std::vector<RouteSkip> skipped;
  std::string description;  // describe(RouteExplanation, config), masked
};

struct ReceiptAttempt {
  std::int32_t attempt = 0;  // 0 = first attempt
  TimeMs finish_ms = 0;      // the row's timestamp
  std::string bank_id;       // empty on NO_ROUTE
  std::string bank_name;     // masked, as written to the row
  TxnStatus status = TxnStatus::success;
  std::int64_t latency_ms = 0;
  std::int64_t backoff_before_ms = 0;
  ErrorCode error_code = ErrorCode::none;
  std::string error_message;     // masked, as written to the row
  std::optional<RouteInfo> route;  // absent on a replay: the log does not record routing reasons
};

// in_flight: another process holds the key's lock (nothing was charged or written by this run).
// charged_unrecorded: the bank accepted the payment but its row could not be appended (a full disk):
// the money moved, the log does not say so; Receipt::bank_reference identifies it for reconciliation.
enum class PaymentOutcome : std::uint8_t { paid, declined, failed, no_route, in_flight, charged_unrecorded };
// "paid", "declined", "failed", "no_route", "in_flight", "charged_unrecorded"
std::string_view to_string(PaymentOutcome o);
int exit_code_for(PaymentOutcome o);

struct Receipt {
  std::string transaction_id;
  std::string amount;    // formatted with the currency's decimals
  std::string currency;
  PaymentMethod method = PaymentMethod::card;
  std::string customer_masked;
  bool has_idempotency_key = false;
  bool replayed = false;  // the recorded outcome of an earlier request with the same key
  PaymentOutcome outcome = PaymentOutcome::failed;
  std::vector<ReceiptAttempt> attempts;  // on charged_unrecorded the last one is the unrecorded charge
  std::string bank_reference;  // charged_unrecorded: "BANK_ID/TXN_ID/ATTEMPT", how the bank knows the charge
  std::string record_error;    // charged_unrecorded: why the row could not be written

  int exit_code() const { return exit_code_for(outcome); }
};

// Called after each attempt's row has been written (for live progress on a terminal).
using AttemptObserver = std::function<void(const ReceiptAttempt&)>;

// Makes the payment. Reads shared_config.json without a lock (and again between attempts, so an
// agent's change takes effect at the next retry). With an idempotency key, first looks up the key's
// transaction id in the log's last idempotency_window_ms: rows with the same amount, currency and
// method replay as the receipt (replayed = true) and nothing is written; rows that differ are a
// conflict. Otherwise routes one payment: sleeps on `clock` until each attempt's start and until it
// finishes, then appends its row in one write, so a reader sees each attempt as it finishes.
// With a key, the lookup and the payment run under the key's KeyLock (held until the outcome is
// written), so concurrent checkouts with one key charge at most once; one that cannot take the lock
// within idempotency_wait_ms returns outcome in_flight. A successful attempt whose row cannot be
// appended returns outcome charged_unrecorded (not an error: the receipt is what reconciles it).
// Errors: not_found / invalid_config (the config), conflict (the key), failed (I/O on the log).
Result<Receipt> run_checkout(const CheckoutRequest& request, const CheckoutOptions& options,
                             const DataDir& dir, Clock& clock, const AttemptObserver& observer = {});

// The receipt for people: status line, amount, each attempt with its meaning and routing reason.
// Text from the log or the config is escaped for the terminal.
std::string render_receipt_text(const Receipt& r);
// The receipt as one JSON object (routing explanations included).
Json receipt_to_json(const Receipt& r);

// Interactive entry on a terminal: asks for currency (default INR), amount, and method (default upi
// for INR, else card), re-asking after each bad answer with the reason. `in` ending (Ctrl-D) is an
// invalid_input error. Customer and key come from flags and are validated here too.
struct PromptDefaults {
  std::optional<std::string> amount, currency, method;  // values already given by flags
};
Result<CheckoutRequest> ask_checkout_request(std::FILE* in, std::FILE* out, const PromptDefaults& given,
                                             std::string_view customer,
                                             const std::optional<std::string>& idempotency_key);

}  // namespace payops
