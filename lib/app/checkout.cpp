// checkout's logic: validation, idempotent replay, one payment in real time, receipts.
#include "app/checkout.h"

#include <cstring>

#include <fmt/format.h>

#include "contract/config_store.h"
#include "contract/csv_appender.h"
#include "contract/csv_format.h"
#include "app/idempotency.h"
#include "app/masking.h"
#include "routing/payment_flow.h"
#include "routing/payment_gen.h"
#include "platform/random.h"
#include "routing/router.h"
#include "platform/terminal.h"

namespace payops {
namespace {

constexpr std::size_t kMaxCustomerIdBytes = 128;

Error invalid(std::string message) {
  return make_error(mask_card_numbers(message), Error::Kind::invalid_input);
}

const CurrencyInfo* currency_entry(std::string_view code) {
  std::size_t n = 0;
  const CurrencyInfo* table = known_currencies(&n);
  for (std::size_t i = 0; i < n; ++i)
    if (table[i].code == code) return &table[i];
  return nullptr;
}

std::string known_methods() {
  std::string s;
  for (int i = 0; i < kPaymentMethodCount; ++i) {
    if (i) s += ", ";
    s += to_string(static_cast<PaymentMethod>(i));
  }
  return s;
}

PaymentOutcome outcome_of(ErrorCode last) {
  switch (kind_of(last)) {
    case ErrorKind::none: return PaymentOutcome::paid;
    case ErrorKind::hard: return PaymentOutcome::declined;
    case ErrorKind::routing: return PaymentOutcome::no_route;
    case ErrorKind::soft: return PaymentOutcome::failed;
  }
  return PaymentOutcome::failed;
}

// The recorded attempts of the key's payment as a receipt, or a conflict when they were another payment.
Result<Receipt> replay(const CheckoutRequest& request, const std::string& id,
                       const std::vector<RecordedAttempt>& rows) {
  const std::string amount = format_amount(request.amount);
  const RecordedAttempt& first = rows.front();
  if (first.amount != amount || first.currency != request.amount.currency || first.type != request.method)
    return make_error(
        fmt::format("the idempotency key was already used for a different payment ({} {} by {}, "
                    "transaction {}); use a new key for a new payment",
                    first.amount, first.currency, to_string(first.type), id),
        Error::Kind::conflict);
  Receipt r;
  r.transaction_id = id;
  r.amount = amount;
  r.currency = std::string(request.amount.currency);
  r.method = request.method;
  r.customer_masked = request.customer_masked;
  r.has_idempotency_key = true;
  r.replayed = true;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ReceiptAttempt a;
    a.attempt = static_cast<std::int32_t>(i);
    a.finish_ms = rows[i].timestamp_ms;
    a.bank_id = rows[i].bank_id;
    a.bank_name = mask_card_numbers(rows[i].bank_name);
    a.status = rows[i].status;
    a.latency_ms = rows[i].latency_ms;
    a.error_code = rows[i].error_code;
    a.error_message = mask_card_numbers(rows[i].error_message);
    r.attempts.push_back(std::move(a));
  }
  r.outcome = outcome_of(rows.back().error_code);
  return r;
}

RouteInfo route_info(const RouteExplanation& e, const Config& config) {
  RouteInfo info;
  info.basis = std::string(to_string(e.basis));
  info.share = e.share;
  info.retry = e.retry;
  info.half_open = e.half_open;
  info.all_tried = e.all_tried;
  for (const SkippedBank& s : e.skipped)
    info.skipped.push_back({config.banks[static_cast<std::size_t>(s.bank_index)].id, std::string(to_string(s.reason))});
  info.description = mask_card_numbers(describe(e, config));
  return info;
}

std::string format_ms(std::int64_t ms) {
  return ms < 1000 ? fmt::format("{} ms", ms) : fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
}

}  // namespace

int checkout_exit_code(const Error& e) {
  switch (e.kind) {
    case Error::Kind::invalid_input:
    case Error::Kind::conflict: return kCheckoutUsage;
    case Error::Kind::invalid_config:
    case Error::Kind::not_found:
    case Error::Kind::lock_timeout: return kCheckoutConfigInvalid;
    case Error::Kind::failed: return kCheckoutIoFailure;
  }
  return kCheckoutIoFailure;
}

std::string_view to_string(PaymentOutcome o) {
  switch (o) {
    case PaymentOutcome::paid: return "paid";
    case PaymentOutcome::declined: return "declined";
    case PaymentOutcome::failed: return "failed";
    case PaymentOutcome::no_route: return "no_route";
    case PaymentOutcome::in_flight: return "in_flight";
    case PaymentOutcome::charged_unrecorded: return "charged_unrecorded";
  }
  return "failed";
}

int exit_code_for(PaymentOutcome o) {
  switch (o) {
    case PaymentOutcome::paid: return kCheckoutPaid;
    case PaymentOutcome::declined: return kCheckoutDeclined;
    case PaymentOutcome::failed:
    case PaymentOutcome::no_route: return kCheckoutFailed;
    case PaymentOutcome::in_flight: return kCheckoutInFlight;
    case PaymentOutcome::charged_unrecorded: return kCheckoutUnrecorded;
  }
  return kCheckoutFailed;
}

Result<CheckoutRequest> make_checkout_request(std::string_view amount, std::string_view currency,
                                              std::string_view method, std::string_view customer,
                                              const std::optional<std::string>& idempotency_key) {
  CheckoutRequest req;
  auto money = parse_amount(amount, currency);  // names an unknown currency first
  if (!money) return invalid(money.error().message);
  if (money->minor <= 0) return invalid(fmt::format("amount \"{}\" must be greater than zero", amount));
  req.amount = *money;
  const auto m = parse_payment_method(method);
  if (!m) return invalid(fmt::format("unknown payment method \"{}\" (known: {})", method, known_methods()));
  // UPI is India's instant payment system: it moves rupees only (the simulator's mix agrees).
  if (*m == PaymentMethod::upi && req.amount.currency != "INR")
    return invalid(fmt::format("upi payments are in INR only, not {}", req.amount.currency));
  req.method = *m;
  if (customer.size() > kMaxCustomerIdBytes)
    return invalid(fmt::format("the customer id is {} bytes long; the most is {}", customer.size(), kMaxCustomerIdBytes));
  for (char c : customer) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) return invalid("the customer id holds a control character");
  }
  if (!is_valid_utf8(customer)) return invalid("the customer id is not valid UTF-8");
  req.customer_masked = mask_customer_id(customer);
  if (idempotency_key) {
    if (auto s = validate_idempotency_key(*idempotency_key); !s.ok()) return invalid(s.error().message);
    req.idempotency_key = *idempotency_key;
  }
  return req;
}

namespace {

Receipt new_receipt(const CheckoutRequest& request, const std::string& id) {
  Receipt r;
  r.transaction_id = id;
  r.amount = format_amount(request.amount);
  r.currency = std::string(request.amount.currency);
  r.method = request.method;
  r.customer_masked = request.customer_masked;
  r.has_idempotency_key = request.idempotency_key.has_value();
  return r;
}

ReceiptAttempt receipt_attempt(const AttemptRecord& rec, const RouteExplanation& explain, const Config& cfg) {
  ReceiptAttempt a;
  a.attempt = rec.attempt;
  a.finish_ms = rec.finish_ms;
  if (rec.bank_index >= 0) {
    const Bank& bank = cfg.banks[static_cast<std::size_t>(rec.bank_index)];
    a.bank_id = bank.id;
    a.bank_name = mask_card_numbers(bank.name);
  }
  a.status = rec.status();
  a.latency_ms = rec.latency_ms;
  a.backoff_before_ms = rec.backoff_before_ms;
  a.error_code = rec.code;
  a.error_message = mask_card_numbers(rec.message);
  a.route = route_info(explain, cfg);
  return a;
}

// The attempt's row, as one CSV line.
std::string row_line(const Receipt& r, const CheckoutRequest& request, const ReceiptAttempt& a) {
  TransactionRow row;
  row.timestamp_ms = a.finish_ms;
  row.transaction_id = r.transaction_id;
  row.amount_minor = request.amount.minor;
  row.currency = r.currency;
  row.type = request.method;
  row.bank_id = a.bank_id;
  row.bank_name = a.bank_name;
  row.status = a.status;
  row.latency_ms = a.latency_ms;
  row.error_code = a.error_code;
  row.error_message = a.error_message;
  std::string line;
  append_csv_row(line, row);
  return line;
}

// Routes and pays, appending each attempt's row as it finishes.
Result<Receipt> pay(const CheckoutRequest& request, const CheckoutOptions& options, ConfigWatcher& config,
                    CsvAppender& log, Receipt r, Clock& clock, const AttemptObserver& observer) {
  Random rng(options.seed);
  PaymentFlow flow(World(options.world, options.incidents, clock.now_ms()));
  flow.set_config(config.current());
  // A fresh router always makes the same first pick (smooth WRR starts at the heaviest bank), and a
  // checkout process routes only one payment. Advancing it by a uniform number of first-attempt picks
  // in [0, 1000) makes each bank's chance of the first attempt its configured share within 0.1%.
  for (std::uint64_t k = rng.below(1000); k > 0; --k) flow.router().pick({}, nullptr);

  Payment payment;
  std::memcpy(payment.transaction_id, r.transaction_id.data(), kTransactionIdLength);
  payment.amount_minor = request.amount.minor;
  payment.currency = currency_entry(request.amount.currency);
  payment.method = request.method;

  flow.begin(payment, clock.now_ms(), rng.next_u64());
  RouteExplanation explain;
  while (!flow.done()) {
    clock.sleep_ms(flow.next_start_ms() - clock.now_ms());
    // Between attempts an agent may have opened a breaker or marked a bank down: honour it now.
    if (!r.attempts.empty() && config.poll() == ConfigWatcher::Poll::reloaded) flow.set_config(config.current());
    const Config& cfg = config.current();
    const AttemptRecord& rec = flow.step(&explain);
    clock.sleep_ms(rec.finish_ms - clock.now_ms());  // the bank answers after its latency
    ReceiptAttempt a = receipt_attempt(rec, explain, cfg);
    if (auto s = log.append(row_line(r, request, a)); !s.ok()) {
      if (a.status != TxnStatus::success)
        return make_error(fmt::format("{} (after {} of this payment's attempts were written)", s.error().message,
                                      r.attempts.size()),
                          Error::Kind::failed);
      // The money moved and the log cannot say so: report the charge, never an I/O error alone.
      r.bank_reference = fmt::format("{}/{}/{}", a.bank_id, r.transaction_id, a.attempt + 1);
      r.record_error = s.error().message;
      r.attempts.push_back(std::move(a));
      r.outcome = PaymentOutcome::charged_unrecorded;
      return r;
    }
    r.attempts.push_back(std::move(a));
    if (observer) observer(r.attempts.back());
  }
  r.outcome = outcome_of(r.attempts.back().error_code);
  return r;
}

}  // namespace

Result<Receipt> run_checkout(const CheckoutRequest& request, const CheckoutOptions& options,
                             const DataDir& dir, Clock& clock, const AttemptObserver& observer) {
  ConfigWatcher config(dir.config_json());
  switch (config.poll()) {
    case ConfigWatcher::Poll::reloaded: break;
    case ConfigWatcher::Poll::missing:
      return make_error(fmt::format("no config at {}: run `config-tool init` first", dir.config_json()),
                        Error::Kind::not_found);
    default:
      return make_error(config.last_error(), Error::Kind::invalid_config);
  }
  // Opened (and created, with its header) before the key's lookup: the key lock lives on this file.
  auto log = CsvAppender::open(dir.transactions_csv());
  if (!log) return make_error(log.error().message, Error::Kind::failed);

  std::string id;
  std::optional<KeyLock> key_lock;  // held until the outcome is written (this function's end)
  if (request.idempotency_key) {
    id = transaction_id_for_key(*request.idempotency_key);
    auto locked = KeyLock::acquire(dir.transactions_csv(), *request.idempotency_key, options.idempotency_wait_ms);
    if (!locked && locked.error().kind == Error::Kind::lock_timeout) {
      Receipt r = new_receipt(request, id);
      r.outcome = PaymentOutcome::in_flight;
      return r;
    }
    if (!locked) return locked.error();
    key_lock.emplace(std::move(*locked));
    auto recorded = find_recorded_attempts(dir.transactions_csv(), id,
                                           clock.now_ms() - options.idempotency_window_ms);
    if (!recorded) return make_error(recorded.error().message, Error::Kind::failed);
    if (!recorded->empty()) return replay(request, id, *recorded);
  } else {
    id = make_transaction_id(options.id_entropy);
  }
  return pay(request, options, config, *log, new_receipt(request, id), clock, observer);
}

std::string render_receipt_text(const Receipt& r) {
  std::string out;
  const std::size_t n = r.attempts.size();
  std::string headline;
  switch (r.outcome) {
    case PaymentOutcome::paid: headline = "PAID"; break;
    case PaymentOutcome::declined: headline = "DECLINED by the issuer (not retried)"; break;
    case PaymentOutcome::failed: headline = fmt::format("FAILED after {} attempt{}", n, n == 1 ? "" : "s"); break;
    case PaymentOutcome::no_route: headline = "FAILED: no eligible bank"; break;
    case PaymentOutcome::in_flight: headline = "IN FLIGHT: another checkout with this idempotency key is paying"; break;
    case PaymentOutcome::charged_unrecorded: headline = "CHARGED BUT NOT RECORDED: reconcile by hand"; break;
  }
  out += fmt::format("Payment {}: {}\n", r.transaction_id, headline);
  if (r.outcome == PaymentOutcome::in_flight) {
    out += fmt::format("  amount    {} {} by {}\n", r.amount, r.currency, to_string(r.method));
    out += "  this run charged nothing and wrote nothing; run it again with the same key for the outcome\n";
    return out;
  }
  if (r.outcome == PaymentOutcome::charged_unrecorded)
    out += fmt::format("  bank reference {}\n  the row could not be written: {}\n", r.bank_reference,
                       escape_for_terminal(r.record_error));
  out += fmt::format("  amount    {} {} by {}\n", r.amount, r.currency, to_string(r.method));
  if (!r.customer_masked.empty()) out += fmt::format("  customer  {}\n", escape_for_terminal(r.customer_masked));
  if (r.replayed)
    out += "  replayed  this idempotency key was used before: this is the recorded outcome; nothing new was "
           "charged or written\n";
  Table table({"#", "bank", "result", "latency", "waited"});
  table.align_right(0);
  table.align_right(3);
  table.align_right(4);
  for (const ReceiptAttempt& a : r.attempts) {
    const std::string bank = a.bank_id.empty() ? std::string("-")
                                               : fmt::format("{} ({})", a.bank_id, escape_for_terminal(a.bank_name));
    table.add_row({std::to_string(a.attempt + 1), bank,
                   a.error_code == ErrorCode::none ? std::string("success") : std::string(to_string(a.error_code)),
                   format_ms(a.latency_ms), a.attempt == 0 ? std::string("-") : format_ms(a.backoff_before_ms)});
  }
  out += "\n" + table.render();
  out += "\n";
  for (const ReceiptAttempt& a : r.attempts) {
    out += fmt::format("  {}. {}\n", a.attempt + 1, meaning_of(a.error_code));
    if (a.route) out += fmt::format("     why: {}\n", escape_for_terminal(a.route->description));
  }
  if (r.replayed) out += "  (routing reasons are not recorded in the log, so a replay cannot show them)\n";
  return out;
}

Json receipt_to_json(const Receipt& r) {
  Json j = Json::object();
  j["transaction_id"] = r.transaction_id;
  j["status"] = to_string(r.outcome);
  j["exit_code"] = r.exit_code();
  j["amount"] = r.amount;
  j["currency"] = r.currency;
  j["method"] = to_string(r.method);
  j["customer"] = r.customer_masked.empty() ? Json(nullptr) : Json(r.customer_masked);
  j["idempotency_key_used"] = r.has_idempotency_key;
  j["replayed"] = r.replayed;
  if (r.outcome == PaymentOutcome::charged_unrecorded) {
    j["bank_reference"] = r.bank_reference;
    j["record_error"] = r.record_error;
  }
  Json attempts = Json::array();
  for (const ReceiptAttempt& a : r.attempts) {
    Json x = Json::object();
    x["attempt"] = a.attempt + 1;
    x["timestamp"] = format_timestamp(a.finish_ms);
    x["bank_id"] = a.bank_id;
    x["bank_name"] = a.bank_name;
    x["status"] = to_string(a.status);
    x["latency_ms"] = a.latency_ms;
    x["backoff_before_ms"] = a.backoff_before_ms;
    x["error_code"] = to_string(a.error_code);
    x["error_kind"] = a.error_code == ErrorCode::none ? "" : [&]() -> const char* {
      switch (kind_of(a.error_code)) {
        case ErrorKind::soft: return "soft";
        case ErrorKind::hard: return "hard";
        case ErrorKind::routing: return "routing";
        case ErrorKind::none: break;
      }
      return "";
    }();
    x["meaning"] = meaning_of(a.error_code);
    x["error_message"] = a.error_message;
    if (a.route) {
      Json route = Json::object();
      route["basis"] = a.route->basis;
      route["share"] = a.route->share;
      route["retry"] = a.route->retry;
      route["half_open"] = a.route->half_open;
      route["all_tried"] = a.route->all_tried;
      Json skipped = Json::array();
      for (const RouteSkip& s : a.route->skipped) skipped.push_back({{"bank_id", s.bank_id}, {"reason", s.reason}});
      route["skipped"] = std::move(skipped);
      route["explanation"] = a.route->description;
      x["route"] = std::move(route);
    } else {
      x["route"] = nullptr;
    }
    attempts.push_back(std::move(x));
  }
  j["attempts"] = std::move(attempts);
  return j;
}

Result<CheckoutRequest> ask_checkout_request(std::FILE* in, std::FILE* out, const PromptDefaults& given,
                                             std::string_view customer,
                                             const std::optional<std::string>& idempotency_key) {
  // One line from `in`, without its '\n'; nullopt at end of input.
  const auto read_line = [&]() -> std::optional<std::string> {
    std::string s;
    int c;
    while ((c = std::fgetc(in)) != EOF && c != '\n') s += static_cast<char>(c);
    if (c == EOF && s.empty()) return std::nullopt;
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    return s;
  };
  // Asks until check() accepts; an empty answer takes the default when there is one.
  const auto ask = [&](std::string_view prompt, const std::string& fallback,
                       const std::function<std::optional<std::string>(const std::string&)>& check)
      -> Result<std::string> {
    for (;;) {
      if (fallback.empty()) fmt::print(out, "{}: ", prompt);
      else fmt::print(out, "{} [{}]: ", prompt, fallback);
      std::fflush(out);
      auto answer = read_line();
      if (!answer) return invalid("input ended before the payment was complete; nothing was written");
      if (answer->empty()) answer = fallback;
      if (answer->empty()) {
        fmt::print(out, "  please enter a value\n");
        continue;
      }
      if (const auto problem = check(*answer)) {
        fmt::print(out, "  {}\n", escape_for_terminal(mask_card_numbers(*problem)));
        continue;
      }
      return *answer;
    }
  };

  std::string currency = given.currency.value_or("");
  if (!given.currency) {
    auto c = ask("Currency", "INR", [](const std::string& s) -> std::optional<std::string> {
      if (find_currency(s)) return std::nullopt;
      return parse_amount("1", s).error().message;
    });
    if (!c) return c.error();
    currency = *c;
  }
  std::string amount = given.amount.value_or("");
  if (!given.amount) {
    auto a = ask(fmt::format("Amount in {}", currency), "", [&](const std::string& s) -> std::optional<std::string> {
      auto req = make_checkout_request(s, currency, "card", "", std::nullopt);
      if (req) return std::nullopt;
      return req.error().message;
    });
    if (!a) return a.error();
    amount = *a;
  }
  std::string method = given.method.value_or("");
  if (!given.method) {
    auto m = ask(fmt::format("Method ({})", known_methods()), currency == "INR" ? "upi" : "card",
                 [&](const std::string& s) -> std::optional<std::string> {
                   auto req = make_checkout_request(amount, currency, s, "", std::nullopt);
                   if (req) return std::nullopt;
                   return req.error().message;
                 });
    if (!m) return m.error();
    method = *m;
  }
  return make_checkout_request(amount, currency, method, customer, idempotency_key);
}

}  // namespace payops
