// The simulator's row writer: the thread writes the same bytes, in the same whole-row writes, as the
// inline path, and a failing sink stops the run with its error whichever path wrote.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "app/simulator_row_writer.h"
#include "contract/csv_format.h"
#include "simulator_row_test_util.h"

using namespace payops;

namespace {

const CurrencyInfo kInr{"INR", 2, 100000000};
const SimulatorLabel kLabels[] = {{"", "", 0}, {"bank_a", "Stripe Gateway", 0}, {"bank_b", "Bank, \"quoted\"", 1}};

SimulatorRow row_at(int i) {
  SimulatorRow r{};
  r.finish_ms = 1'795'000'000'000 + i * 7;
  r.amount_minor = 100 + i;
  r.latency_ms = i % 900;
  r.currency = &kInr;
  r.label = &kLabels[1 + i % 2];
  r.code = i % 5 == 0 ? ErrorCode::GATEWAY_TIMEOUT : ErrorCode::none;
  r.message = r.code == ErrorCode::none ? "" : "Gateway timed out";
  r.method = PaymentMethod::card;
  format_transaction_id(static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ULL, r.transaction_id);
  return r;
}

// Writes rows through a writer and returns its sink's writes, each a run of whole rows.
std::vector<std::string> writes_of(bool threaded, int rows, int flush_every) {
  std::vector<std::string> writes;
  const SimulatorRowWriter::Sink sink = [&](std::string_view bytes) {
    writes.emplace_back(bytes);
    return ok_status();
  };
  SimulatorRowWriter writer(sink, 4096, threaded);
  for (int i = 0; i < rows; ++i) {
    REQUIRE(writer.add(row_at(i)).ok());
    if (flush_every > 0 && i % flush_every == flush_every - 1) REQUIRE(writer.flush().ok());
  }
  REQUIRE(writer.flush().ok());
  return writes;
}

}  // namespace

TEST_CASE("simulator row writer: the thread writes what the inline path writes, write by write") {
  for (const int flush_every : {0, 1, 999}) {
    CAPTURE(flush_every);
    const auto inline_writes = writes_of(false, 20000, flush_every);
    const auto thread_writes = writes_of(true, 20000, flush_every);
    CHECK(inline_writes == thread_writes);
    std::string all, want;
    for (const auto& w : thread_writes) {
      CHECK(w.back() == '\n');
      all += w;
    }
    for (int i = 0; i < 20000; ++i) {
      const SimulatorRow r = row_at(i);
      append_csv_row(want, test::transaction_row_of(r));
    }
    CHECK(all == want);
  }
}

TEST_CASE("simulator row writer: a failing sink's error reaches the caller, inline or threaded") {
  for (const bool threaded : {false, true}) {
    CAPTURE(threaded);
    int calls = 0;
    const SimulatorRowWriter::Sink sink = [&](std::string_view) -> Status {
      return ++calls >= 3 ? Status(make_error("disk full")) : ok_status();
    };
    SimulatorRowWriter writer(sink, 4096, threaded);
    bool failed = false;
    for (int i = 0; i < 50000 && !failed; ++i) failed = !writer.add(row_at(i)).ok();
    const Status end = writer.flush();
    REQUIRE_FALSE(end.ok());
    CHECK(end.error().message.find("disk full") != std::string::npos);
    CHECK(calls == 3);  // nothing written after the failure
  }
}
