// The report's fast line decoder against parse_csv_line: same verdict and same values on valid rows
// and on thousands of mutated ones, and the SSE2 line loop against scan_lines.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "contract/csv_format.h"
#include "contract/csv_scan_decode.h"
#include "agent/window_stats.h"

using namespace payops;

namespace {

std::string row_line(int i) {
  TransactionRow r;
  r.timestamp_ms = *parse_timestamp("2026-11-22T12:00:00.000Z") + i * 377;
  char id[32];
  std::snprintf(id, sizeof id, "txn_%016llx", 0x9e3779b97f4a7c15ULL * static_cast<unsigned>(i + 1));
  r.transaction_id = id;
  r.amount_minor = 100 + i * 7;
  r.currency = i % 5 == 0 ? "JPY" : "EUR";
  r.type = static_cast<PaymentMethod>(i % kPaymentMethodCount);
  static const char* kBanks[] = {"bank_a", "hdfc_2", "b", "icici_bank_long_name_x", ""};
  r.bank_id = kBanks[i % 5];
  r.bank_name = i % 7 == 0 ? "Bank, \"quoted\"" : (i % 11 == 0 ? "Bänk" : "Bank A");
  static const ErrorCode kCodes[] = {ErrorCode::none, ErrorCode::GATEWAY_TIMEOUT, ErrorCode::DO_NOT_HONOR,
                                     ErrorCode::none, ErrorCode::NO_ROUTE};
  r.error_code = kCodes[i % 5];
  r.status = r.error_code == ErrorCode::none ? TxnStatus::success : TxnStatus::failed;
  r.latency_ms = (i * 37) % 20000;
  r.error_message = r.error_code == ErrorCode::none ? "" : (i % 3 == 0 ? "timeout, retry" : "declined");
  std::string out;
  append_csv_row(out, r);
  out.pop_back();  // the '\n'
  return out;
}

// Decodes one line (text, ending in '\n') through the structural scan, as the report does. The row's
// string views point into text, so the caller keeps text alive while it reads them.
struct Verdict {
  std::optional<Malformed> bad;
  DecodedRow row;
};
Verdict decode_via_scan(const std::string& text, CsvRowDecoder& decoder) {
  Verdict v;
  const ScanSummary s = csv_detail::scan_decoded(text, false, decoder, [&](const DecodedRow& r) { v.row = r; });
  REQUIRE(s.lines == 1);
  if (s.malformed == 1) v.bad = s.first_malformed.at(0).reason;
  return v;
}

void check_same_as_parse_csv_line(const std::string& line, CsvRowDecoder& decoder) {
  CAPTURE(line);
  RowView ref;
  const auto want = parse_csv_line(line, ref);
  const std::string text = line + "\n";
  const Verdict got = decode_via_scan(text, decoder);
  REQUIRE(got.bad == want);
  if (want) return;
  CHECK(got.row.timestamp_ms == ref.timestamp_ms);
  CHECK(got.row.txn_key == transaction_key(ref.transaction_id).value());
  CHECK(got.row.bank_id == ref.bank_id);
  CHECK(got.row.status == ref.status);
  CHECK(got.row.error_code == ref.error_code);
  CHECK(got.row.latency_ms == ref.latency_ms);
}

// Every variant of decode_fast this CPU runs: every decoder test runs once per variant.
std::vector<MaskIsa> isas_here() {
  std::vector<MaskIsa> isas{MaskIsa::sse2};
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx2")) isas.push_back(MaskIsa::avx2);
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) isas.push_back(MaskIsa::avx512);
#endif
  return isas;
}

}  // namespace

TEST_CASE("fast decoder: valid rows decode to parse_csv_line's values") {
  for (const MaskIsa isa : isas_here()) {
    CAPTURE(static_cast<int>(isa));
    CsvRowDecoder decoder(isa);
    for (int i = 0; i < 500; ++i) check_same_as_parse_csv_line(row_line(i), decoder);
  }
}

TEST_CASE("fast decoder: each variant takes the common shape itself, not through decode()") {
  for (const MaskIsa isa : isas_here()) {
    CAPTURE(static_cast<int>(isa));
    CsvRowDecoder decoder(isa);
    int fast = 0;
    for (int i = 0; i < 500; ++i) {
      const std::string line = row_line(i);
      if (line.find_first_of("\"\x80\xc3") != std::string::npos) continue;  // not the fast path's shape
      std::string padded = line + "\n";
      padded.resize(line.size() + CsvRowDecoder::kFastReadBytes, '\0');
      DecodedRow row;
      REQUIRE(decoder.decode_fast(padded.data(), row) == line.size());
      RowView ref;
      REQUIRE_FALSE(parse_csv_line(line, ref));
      CHECK(row.latency_ms == ref.latency_ms);
      CHECK(row.bank_id == ref.bank_id);
      ++fast;
    }
    CHECK(fast > 300);
  }
}

TEST_CASE("fast decoder: mutated rows get parse_csv_line's verdict") {
  // Single-byte edits at every kind of position, with the bytes that matter to the format.
  const std::string alphabet = std::string(",\"\r0919aAfFgz_.:-TZ x\x7f") + "\xc3\xa4\xff" + std::string(1, '\0');
  std::mt19937 rng(17);
  for (const MaskIsa isa : isas_here()) {
    CAPTURE(static_cast<int>(isa));
    CsvRowDecoder decoder(isa);
    for (int n = 0; n < 20000; ++n) {
      std::string line = row_line(n % 200);
      const int edits = 1 + static_cast<int>(rng() % 2);
      for (int e = 0; e < edits; ++e) {
        const std::size_t at = rng() % line.size();
        const char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
          case 0: line[at] = c; break;
          case 1: line.insert(line.begin() + static_cast<std::ptrdiff_t>(at), c); break;
          default: line.erase(at, 1); break;
        }
      }
      if (line.find('\n') != std::string::npos || line.empty()) continue;
      check_same_as_parse_csv_line(line, decoder);
    }
  }
}

TEST_CASE("fast decoder: latencies of every length, leading zeros and bad digits as parse_csv_line reads them") {
  for (const MaskIsa isa : isas_here()) {
    CAPTURE(static_cast<int>(isa));
    CsvRowDecoder decoder(isa);
    for (const int i : {1, 3}) {  // a soft failure and a success, both on the fast path's shape
      const std::string good = row_line(i);
      std::size_t c7 = 0;
      for (int commas = 0; commas < 8; ++c7) commas += good[c7] == ',';
      const std::size_t c8 = good.find(',', c7);
      for (const char* latency : {"0", "7", "10", "00000001", "12345678", "99999999", "123456789", "999999999999999999",
                                  "1234567890123456789", "", "1a", "12345/78", "1234567:", " 1", "-1", "+1"}) {
        std::string line = good;
        line.replace(c7, c8 - c7, latency);
        check_same_as_parse_csv_line(line, decoder);
      }
    }
  }
}

TEST_CASE("fast decoder: the second-prefix cache never vouches for a different second") {
  CsvRowDecoder decoder;
  const std::string good = row_line(1);
  check_same_as_parse_csv_line(good, decoder);
  for (const char* ts : {"2026-11-22T12:00:01.000Z", "2026-02-30T12:00:00.377Z", "2026-11-22T24:00:00.377Z",
                         "2026-11-22T12:00:00.37xZ", "2026-11-22T12:00:00.377z", "2026-11-22T12:00:60.377Z"}) {
    std::string line = good;
    line.replace(0, 24, ts);
    check_same_as_parse_csv_line(line, decoder);
    check_same_as_parse_csv_line(good, decoder);
  }
}

TEST_CASE("fast decoder: transaction ids decode like transaction_key") {
  std::uint64_t key = 0;
  CHECK(decode_transaction_id("txn_0123456789abcdef", key));
  CHECK(key == 0x0123456789abcdefULL);
  CHECK(decode_transaction_id("txn_ffffffffffffffff", key));
  CHECK(key == ~std::uint64_t{0});
  CHECK_FALSE(decode_transaction_id("txn_0123456789abcdeF", key));
  CHECK_FALSE(decode_transaction_id("txn_0123456789abcdeg", key));
  CHECK_FALSE(decode_transaction_id("txn_012345678/abcdef", key));
  CHECK_FALSE(decode_transaction_id("txm_0123456789abcdef", key));
}

TEST_CASE("scan_decoded: same summary and rows as scan_lines, lines across 64-byte blocks") {
  std::string text = std::string(kCsvHeader) + "\n";
  for (int i = 0; i < 300; ++i) {
    text += row_line(i) + "\n";
    if (i % 37 == 5) text += "garbage,,\n";
    if (i % 53 == 7) text += "\n";
    if (i % 61 == 9) text += std::string(kCsvHeader) + "\n";
    if (i % 71 == 3) text += row_line(i) + "\r\n";
    if (i % 97 == 1) text += std::string(70000, 'x') + "\n";
  }
  // Then a long run of common-shape lines (no quote, nothing non-ASCII), across decode_run's batches.
  for (int i = 0, run = 0; run < 150; ++i) {
    const std::string line = row_line(i);
    if (line.find_first_of("\"\x80\xc3") != std::string::npos) continue;
    text += line + "\n";
    ++run;
  }
  // Every field of every row, so a row decode_run put in the wrong batch slot or skipped shows.
  const auto fields = [](TimeMs t, std::uint64_t key, std::string_view bank, TxnStatus status, ErrorCode code,
                         std::int64_t latency) {
    return std::to_string(t) + "|" + std::to_string(key) + "|" + std::string(bank) + "|" +
           std::to_string(static_cast<int>(status)) + "|" + std::to_string(static_cast<int>(code)) + "|" +
           std::to_string(latency);
  };
  for (const MaskIsa isa : isas_here()) {
    for (const std::string tail : {"", "2026-11-22T12:0"}) {
      CAPTURE(static_cast<int>(isa));
      const std::string buf = text + tail;
      std::vector<std::string> want, got;
      const ScanSummary a = csv_detail::scan_lines(buf, 1, true, [&](const RowView& r) {
        want.push_back(fields(r.timestamp_ms, transaction_key(r.transaction_id).value(), r.bank_id, r.status,
                              r.error_code, r.latency_ms));
      });
      CsvRowDecoder decoder(isa);
      const ScanSummary b = csv_detail::scan_decoded(buf, true, decoder, [&](const DecodedRow& r) {
        got.push_back(fields(r.timestamp_ms, r.txn_key, r.bank_id, r.status, r.error_code, r.latency_ms));
      });
      CHECK(a.rows == b.rows);
      CHECK(a.malformed == b.malformed);
      CHECK(a.malformed > 10);
      CHECK(a.lines == b.lines);
      CHECK(a.bytes == b.bytes);
      CHECK(a.partial_tail == b.partial_tail);
      CHECK(a.describe() == b.describe());
      CHECK(want == got);
    }
  }
}

TEST_CASE("fast decoder: a remembered span never vouches for different bytes of the same length") {
  for (const MaskIsa isa : isas_here()) {
    CAPTURE(static_cast<int>(isa));
    CsvRowDecoder decoder(isa);
    // row_line(1): EUR, a bank id, "Bank A", a soft failure; row_line(3): a success. Remember both,
    // then change one byte of the currency..status span at a time, keeping its length and commas.
    for (const int i : {1, 3}) {
      const std::string good = row_line(i);
      check_same_as_parse_csv_line(good, decoder);
      std::size_t span_begin = 0;
      for (int commas = 0; commas < 3; ++span_begin) commas += good[span_begin] == ',';
      std::size_t span_end = span_begin;
      for (int commas = 0; commas < 5; ++span_end) commas += good[span_end] == ',';
      --span_end;  // the comma after status
      for (std::size_t at = span_begin; at < span_end; ++at) {
        if (good[at] == ',') continue;
        for (const char c : {'A', 'z', '_', '1', ' '}) {
          std::string line = good;
          if (line[at] == c) continue;
          line[at] = c;
          check_same_as_parse_csv_line(line, decoder);
          check_same_as_parse_csv_line(good, decoder);
        }
      }
    }
  }
}

TEST_CASE("scan_decoded: the AVX2 and AVX-512 block masks equal the SSE2 ones on every kind of byte") {
#if defined(__x86_64__) && defined(__GNUC__)
  if (!__builtin_cpu_supports("avx2")) return;  // nothing to compare on this CPU
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  std::mt19937 rng(5);
  const std::string alphabet = std::string(",\"\n\r0aZ_.") + "\x80\xc3\xff\x7f" + std::string(1, '\0');
  alignas(32) char block[64];
  for (int n = 0; n < 20000; ++n) {
    for (char& c : block) c = n % 2 == 0 ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng());
    const csv_detail::BlockMasks a = csv_detail::block_masks(block);
    const csv_detail::BlockMasks b = csv_detail::block_masks_avx2(block);
    REQUIRE(a.newline == b.newline);
    REQUIRE(a.comma == b.comma);
    REQUIRE(a.special == b.special);
    if (!avx512) continue;
    const csv_detail::BlockMasks c = csv_detail::block_masks_avx512(block);
    REQUIRE(a.newline == c.newline);
    REQUIRE(a.comma == c.comma);
    REQUIRE(a.special == c.special);
  }
#endif
}
