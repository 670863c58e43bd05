// libFuzzer target over the transactions.csv reader (built with -DPAYOPS_FUZZ=ON under clang):
// whatever the bytes, scan_buffer never reads outside them and accounts for every complete line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "contract/csv_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view buf(reinterpret_cast<const char*>(data), size);
  std::uint64_t delivered = 0;
  const payops::ScanSummary s = payops::scan_buffer(buf, 1, size > 0 && (data[0] & 1),
                                                    [&](const payops::RowView& r) {
                                                      ++delivered;
                                                      if (r.error_message_raw.data() + r.error_message_raw.size() > buf.data() + buf.size()) std::abort();
                                                    });
  std::uint64_t lines = 0, last_end = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      ++lines;
      last_end = i + 1;
    }
  }
  if (s.lines != lines || delivered != s.rows || s.bytes != last_end) std::abort();
  if (s.rows + s.malformed != lines && s.rows + s.malformed + 1 != lines) std::abort();
  if (s.partial_tail != (last_end < size)) std::abort();
  return 0;
}
