// checkout as a spec: validation before anything is written, one payment on a ManualClock with every
// attempt's row matching the receipt, retries across banks, hard declines, no route, idempotent
// replay that writes nothing, conflicts, the window, and interactive entry with re-asking.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <stdlib.h>
#include <sys/stat.h>

#include "app/checkout.h"
#include "contract/config_store.h"
#include "contract/csv_scan.h"
#include "app/idempotency.h"

using namespace payops;

namespace {

constexpr TimeMs kT0 = 1'800'000'000'000;

struct CheckoutDir {
  std::string path;
  CheckoutDir() {
    char tmpl[] = "/tmp/payops_checkout_test.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~CheckoutDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  DataDir dir() const { return DataDir{path}; }
  void init(const Config& c = default_config()) { REQUIRE(ConfigStore(dir()).init(c, false).ok()); }
  std::string log() const {
    std::ifstream f(dir().transactions_csv(), std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  bool log_exists() const {
    struct stat st {};
    return ::stat(dir().transactions_csv().c_str(), &st) == 0;
  }
};

std::vector<RecordedAttempt> rows_of(const CheckoutDir& d, const std::string& id) {
  auto r = find_recorded_attempts(d.dir().transactions_csv(), id, 0);
  REQUIRE(r.ok());
  return *r;
}

WorldSpec world(const char* default_json) {
  auto w = parse_world_json(std::string(R"({"default": )") + default_json + "}", "test");
  REQUIRE(w.ok());
  return *w;
}
constexpr const char* kAlwaysPays =
    R"({"soft_failure_rate": 0, "latency_median_ms": 100, "latency_sigma": 0.1, "hard_decline_rate": {"card": 0, "upi": 0, "netbanking": 0, "wallet": 0, "bank_transfer": 0}})";
constexpr const char* kAlwaysDeclines =
    R"({"soft_failure_rate": 0, "hard_decline_rate": {"card": 1, "upi": 1, "netbanking": 1, "wallet": 1, "bank_transfer": 1}})";

CheckoutRequest request(const char* amount, const char* currency, const char* method,
                        std::optional<std::string> key = std::nullopt) {
  auto r = make_checkout_request(amount, currency, method, "cus_4111111111111111", key);
  REQUIRE(r.ok());
  return *r;
}

CheckoutOptions options(const char* default_json, std::vector<Incident> incidents = {}) {
  CheckoutOptions o;
  o.world = world(default_json);
  o.incidents = std::move(incidents);
  o.seed = 7;
  o.id_entropy = 0x1234;
  return o;
}

Incident outage(const char* bank) { return *parse_incident(std::string(bank) + ":outage:0s"); }

}  // namespace

TEST_CASE("invalid input is refused with one sentence and kind invalid_input") {
  const auto refused = [](const char* amount, const char* currency, const char* method) {
    auto r = make_checkout_request(amount, currency, method, "", std::nullopt);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == Error::Kind::invalid_input);
    CHECK(checkout_exit_code(r.error()) == kCheckoutUsage);
    CHECK(r.error().message.find('\n') == std::string::npos);
    return r.error().message;
  };
  CHECK(refused("-5", "USD", "card").find("no sign") != std::string::npos);
  CHECK(refused("0", "USD", "card").find("greater than zero") != std::string::npos);
  CHECK(refused("0.00", "INR", "upi").find("greater than zero") != std::string::npos);
  CHECK(refused("10.5", "JPY", "card").find("JPY") != std::string::npos);
  CHECK(refused("1.2345", "KWD", "card").find("3 decimals") != std::string::npos);
  CHECK(refused("1.234", "USD", "card").find("2 decimals") != std::string::npos);
  CHECK(refused("10", "XYZ", "card").find("unknown currency") != std::string::npos);
  CHECK(refused("10", "usd", "card").find("unknown currency") != std::string::npos);
  CHECK(refused("10", "USD", "cheque").find("unknown payment method") != std::string::npos);
  CHECK(refused("10", "USD", "upi").find("INR only") != std::string::npos);
  CHECK_FALSE(refused("99999999999", "USD", "card").empty());  // over the limit
  CHECK_FALSE(refused("abc", "USD", "card").empty());
  CHECK_FALSE(refused("", "USD", "card").empty());
  CHECK_FALSE(refused("1e5", "USD", "card").empty());
  // A card number typed into the amount never comes back unmasked.
  const std::string msg = refused("4111111111111111", "USD", "card");
  CHECK(msg.find("4111111111111111") == std::string::npos);
  CHECK(msg.find("****1111") != std::string::npos);

  CHECK(make_checkout_request("1.234", "KWD", "card", "", std::nullopt).ok());
  CHECK(make_checkout_request("1000", "JPY", "wallet", "", std::nullopt).ok());
  CHECK_FALSE(make_checkout_request("10", "USD", "card", "", std::string()).ok());  // empty key
  CHECK_FALSE(make_checkout_request("10", "USD", "card", "a\x1b[2Jb", std::nullopt).ok());
}

TEST_CASE("a key always names the same transaction id: txn_ + 16 hex of FNV-1a 64") {
  CHECK(fnv1a_64("") == 0xcbf29ce484222325ULL);
  CHECK(fnv1a_64("a") == 0xaf63dc4c8601ec8cULL);  // the published FNV-1a test vector
  CHECK(transaction_id_for_key("a") == "txn_af63dc4c8601ec8c");
  CHECK(is_transaction_id(transaction_id_for_key("order-77")));
  CHECK(transaction_id_for_key("order-77") != transaction_id_for_key("order-78"));
}

TEST_CASE("a paid checkout: one row that matches the receipt, written after the bank's latency") {
  CheckoutDir d;
  d.init();
  ManualClock clock(kT0);
  std::vector<std::size_t> rows_seen;  // rows in the log each time an attempt is reported
  auto r = run_checkout(request("125.50", "INR", "upi"), options(kAlwaysPays), d.dir(), clock,
                        [&](const ReceiptAttempt&) { rows_seen.push_back(rows_of(d, "txn_0000000000001234").size()); });
  REQUIRE(r.ok());
  CHECK(r->outcome == PaymentOutcome::paid);
  CHECK(r->exit_code() == kCheckoutPaid);
  CHECK(r->transaction_id == "txn_0000000000001234");
  CHECK(r->customer_masked == "****1111");
  REQUIRE(r->attempts.size() == 1);
  CHECK(rows_seen == std::vector<std::size_t>{1});
  const ReceiptAttempt& a = r->attempts[0];
  CHECK(clock.now_ms() == kT0 + a.latency_ms);  // slept through the attempt, nothing more
  REQUIRE(a.route.has_value());
  CHECK(a.route->basis == "weighted round robin");
  CHECK(a.route->description.find(a.bank_id) != std::string::npos);

  const auto rows = rows_of(d, r->transaction_id);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].amount == "125.50");
  CHECK(rows[0].currency == "INR");
  CHECK(rows[0].type == PaymentMethod::upi);
  CHECK(rows[0].bank_id == a.bank_id);
  CHECK(rows[0].bank_name == a.bank_name);
  CHECK(rows[0].status == TxnStatus::success);
  CHECK(rows[0].latency_ms == a.latency_ms);
  CHECK(rows[0].timestamp_ms == a.finish_ms);
  CHECK(d.log().find("4111111111111111") == std::string::npos);
  CHECK(d.log().find("cus_") == std::string::npos);  // the customer is not a column

  const std::string text = render_receipt_text(*r);
  CHECK(text.find("PAID") != std::string::npos);
  CHECK(text.find("why: ") != std::string::npos);
  const Json j = receipt_to_json(*r);
  CHECK(j["status"] == "paid");
  CHECK(j["customer"] == "****1111");
  CHECK(j["attempts"][0]["route"]["explanation"] == a.route->description);
}

TEST_CASE("an outage: soft failures retried on other banks, with the backoff slept in between") {
  CheckoutDir d;
  d.init();
  ManualClock clock(kT0);
  auto r = run_checkout(request("10.00", "USD", "card"),
                        options(kAlwaysPays, {outage("bank_a"), outage("bank_b"), outage("bank_c")}), d.dir(), clock);
  REQUIRE(r.ok());
  CHECK(r->outcome == PaymentOutcome::paid);
  REQUIRE(r->attempts.size() >= 2);
  std::set<std::string> banks;
  for (std::size_t i = 0; i < r->attempts.size(); ++i) {
    const auto& a = r->attempts[i];
    banks.insert(a.bank_id);
    CHECK(a.route->retry == (i > 0));
    if (i + 1 < r->attempts.size()) CHECK(kind_of(a.error_code) == ErrorKind::soft);
  }
  CHECK(banks.size() == r->attempts.size());  // each retry on a bank not yet tried
  CHECK(r->attempts.back().bank_id == "bank_d");
  CHECK(clock.now_ms() == r->attempts.back().finish_ms);
  const auto rows = rows_of(d, r->transaction_id);
  REQUIRE(rows.size() == r->attempts.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].bank_id == r->attempts[i].bank_id);
    CHECK(rows[i].error_code == r->attempts[i].error_code);
    CHECK(rows[i].timestamp_ms == r->attempts[i].finish_ms);
  }
}

TEST_CASE("every bank down in an outage: failed after retries, exit 3") {
  CheckoutDir d;
  d.init();
  ManualClock clock(kT0);
  auto r = run_checkout(request("10.00", "USD", "card"), options(kAlwaysPays, {outage("*")}), d.dir(), clock);
  REQUIRE(r.ok());
  CHECK(r->outcome == PaymentOutcome::failed);
  CHECK(r->exit_code() == kCheckoutFailed);
  CHECK(r->attempts.size() == 4);  // the default policy: 3 retries
  CHECK(rows_of(d, r->transaction_id).size() == 4);
}

TEST_CASE("a hard decline is final: one attempt, exit 1") {
  CheckoutDir d;
  d.init();
  ManualClock clock(kT0);
  auto r = run_checkout(request("10.00", "USD", "card"), options(kAlwaysDeclines), d.dir(), clock);
  REQUIRE(r.ok());
  CHECK(r->outcome == PaymentOutcome::declined);
  CHECK(r->exit_code() == kCheckoutDeclined);
  REQUIRE(r->attempts.size() == 1);
  CHECK(kind_of(r->attempts[0].error_code) == ErrorKind::hard);
  CHECK(rows_of(d, r->transaction_id).size() == 1);
}

TEST_CASE("no eligible bank: one NO_ROUTE row, exit 3") {
  CheckoutDir d;
  Config c = default_config();
  for (Bank& b : c.banks) b.enabled = false;
  d.init(c);
  ManualClock clock(kT0);
  auto r = run_checkout(request("10.00", "USD", "card"), options(kAlwaysPays), d.dir(), clock);
  REQUIRE(r.ok());
  CHECK(r->outcome == PaymentOutcome::no_route);
  CHECK(r->exit_code() == kCheckoutFailed);
  REQUIRE(r->attempts.size() == 1);
  CHECK(r->attempts[0].error_code == ErrorCode::NO_ROUTE);
  CHECK(r->attempts[0].route->skipped.size() == c.banks.size());
  CHECK(rows_of(d, r->transaction_id).size() == 1);
}

TEST_CASE("a missing or broken config: nothing written, exit 4") {
  CheckoutDir d;
  ManualClock clock(kT0);
  auto r = run_checkout(request("10.00", "USD", "card"), options(kAlwaysPays), d.dir(), clock);
  REQUIRE_FALSE(r.ok());
  CHECK(checkout_exit_code(r.error()) == kCheckoutConfigInvalid);
  CHECK(r.error().message.find("config-tool init") != std::string::npos);
  CHECK_FALSE(d.log_exists());

  std::ofstream(d.dir().config_json()) << "{\"banks\": [";
  r = run_checkout(request("10.00", "USD", "card"), options(kAlwaysPays), d.dir(), clock);
  REQUIRE_FALSE(r.ok());
  CHECK(checkout_exit_code(r.error()) == kCheckoutConfigInvalid);
  CHECK_FALSE(d.log_exists());
}

TEST_CASE("idempotency: replay writes nothing, a different payment is a conflict, the window ends it") {
  CheckoutDir d;
  d.init();
  ManualClock clock(kT0);
  const auto opts = options(kAlwaysPays, {outage("bank_a"), outage("bank_b"), outage("bank_c")});
  auto first = run_checkout(request("125.50", "INR", "upi", "order-77"), opts, d.dir(), clock);
  REQUIRE(first.ok());
  CHECK(first->transaction_id == transaction_id_for_key("order-77"));
  CHECK_FALSE(first->replayed);
  const std::string log_before = d.log();

  clock.advance(3600 * 1000);
  auto again = run_checkout(request("125.50", "INR", "upi", "order-77"), opts, d.dir(), clock);
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(again->outcome == first->outcome);
  CHECK(again->exit_code() == first->exit_code());
  REQUIRE(again->attempts.size() == first->attempts.size());
  for (std::size_t i = 0; i < again->attempts.size(); ++i) {
    CHECK(again->attempts[i].bank_id == first->attempts[i].bank_id);
    CHECK(again->attempts[i].error_code == first->attempts[i].error_code);
    CHECK(again->attempts[i].latency_ms == first->attempts[i].latency_ms);
    CHECK_FALSE(again->attempts[i].route.has_value());
  }
  CHECK(d.log() == log_before);
  CHECK(receipt_to_json(*again)["replayed"] == true);

  // A declined payment replays as declined, with its exit code.
  auto declined = run_checkout(request("5.00", "USD", "card", "order-78"), options(kAlwaysDeclines), d.dir(), clock);
  REQUIRE(declined.ok());
  auto declined_again = run_checkout(request("5.00", "USD", "card", "order-78"), options(kAlwaysPays), d.dir(), clock);
  REQUIRE(declined_again.ok());
  CHECK(declined_again->replayed);
  CHECK(declined_again->exit_code() == kCheckoutDeclined);

  const std::string log_mid = d.log();
  for (const auto& [amount, currency, method] : {std::tuple{"125.51", "INR", "upi"}, std::tuple{"125.50", "INR", "card"}}) {
    auto conflict = run_checkout(request(amount, currency, method, "order-77"), opts, d.dir(), clock);
    REQUIRE_FALSE(conflict.ok());
    CHECK(conflict.error().kind == Error::Kind::conflict);
    CHECK(checkout_exit_code(conflict.error()) == kCheckoutUsage);
    CHECK(conflict.error().message.find("different payment") != std::string::npos);
  }
  auto other_currency = run_checkout(request("125.50", "USD", "card", "order-77"), opts, d.dir(), clock);
  REQUIRE_FALSE(other_currency.ok());
  CHECK(d.log() == log_mid);

  // Past the window the key is forgotten: the same request is a new payment.
  clock.advance(kDefaultIdempotencyWindowMs);
  auto later = run_checkout(request("125.50", "INR", "upi", "order-77"), opts, d.dir(), clock);
  REQUIRE(later.ok());
  CHECK_FALSE(later->replayed);
  CHECK(d.log().size() > log_mid.size());
}

TEST_CASE("interactive entry: defaults, and a bad answer is explained and asked again") {
  const auto run = [](const std::string& input, PromptDefaults given = {}) {
    std::string in_text = input;
    std::FILE* in = fmemopen(in_text.data(), in_text.size(), "r");
    char* out_buf = nullptr;
    std::size_t out_len = 0;
    std::FILE* out = open_memstream(&out_buf, &out_len);
    auto r = ask_checkout_request(in, out, given, "", std::nullopt);
    std::fclose(in);
    std::fclose(out);
    std::string shown(out_buf, out_len);
    std::free(out_buf);
    return std::pair{std::move(r), shown};
  };
  {
    auto [r, shown] = run("\n-5\n12.345\n4111111111111111\n12.34\nbitcoin\n\n");
    REQUIRE(r.ok());
    CHECK(r->amount.currency == "INR");
    CHECK(r->amount.minor == 1234);
    CHECK(r->method == PaymentMethod::upi);
    CHECK(shown.find("Currency [INR]") != std::string::npos);
    CHECK(shown.find("no sign") != std::string::npos);
    CHECK(shown.find("2 decimals") != std::string::npos);
    CHECK(shown.find("4111111111111111") == std::string::npos);
    CHECK(shown.find("unknown payment method") != std::string::npos);
  }
  {
    auto [r, shown] = run("jpy\nJPY\n1000\n\n");
    REQUIRE(r.ok());
    CHECK(r->amount.currency == "JPY");
    CHECK(r->method == PaymentMethod::card);  // upi is INR only, so the default is card
  }
  {
    auto [r, shown] = run("wallet\n", PromptDefaults{std::string("9.99"), std::string("USD"), std::nullopt});
    REQUIRE(r.ok());
    CHECK(r->method == PaymentMethod::wallet);
    CHECK(shown.find("Amount") == std::string::npos);
  }
  {
    auto [r, shown] = run("USD\n");  // input ends before the amount
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == Error::Kind::invalid_input);
  }
}
