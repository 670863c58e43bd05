// Streaming a file through a thread pool in line-aligned chunks: chunks are read into their worker's
// buffer and scanned on any thread in any order, then delivered in file order, so memory stays
// bounded by the chunks in flight however large the file.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace payops {

struct ChunkedScanOptions {
  unsigned threads = 0;          // 0: one per core
  std::size_t chunk_bytes = 0;   // 0: picked from the file size and thread count (1..16 MiB)
};

// Chunk k covers the lines that start in [k * chunk_bytes, (k + 1) * chunk_bytes) (chunk 0 starts
// at 0; a chunk may be empty; the last one ends at the file's end, partial last line included).
// scan(k, bytes) runs once per chunk on some worker thread; deliver(k) runs once per chunk, in
// increasing k, on one thread at a time, after scan(k) returned. At most 2 * threads + 1 chunks are
// scanned but not yet delivered, which bounds the memory of per-chunk results. The bytes are those
// present when the file was opened (writers only append). Errors: the file cannot be opened,
// stat'ed, mapped or read, or shrank while it was read (names it; every chunk is still delivered).
Status scan_file_chunks(const std::string& path, const ChunkedScanOptions& options,
                        const std::function<void(std::size_t, std::string_view)>& scan,
                        const std::function<void(std::size_t)>& deliver);

// The chunk size scan_file_chunks uses for a file of file_bytes on threads threads when asked for 0.
std::size_t default_chunk_bytes(std::size_t file_bytes, unsigned threads);

}  // namespace payops
