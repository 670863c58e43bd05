// A mapped file through a thread pool in line-aligned chunks, delivered in file order.
#include "contract/csv_scan_chunks.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>

#include "contract/csv_scan.h"

namespace payops {
namespace {

// The offset of the first line that starts at or after pos (data.size() if none).
std::size_t line_start_at_or_after(std::string_view data, std::size_t pos) {
  if (pos == 0) return 0;
  if (pos >= data.size()) return data.size();
  if (data[pos - 1] == '\n') return pos;
  const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
  return nl == nullptr ? data.size() : static_cast<std::size_t>(static_cast<const char*>(nl) - data.data()) + 1;
}

// Hands finished chunks to deliver in order. Whoever finishes a chunk delivers every chunk that is
// ready; one deliverer at a time, the others go back to scanning.
class InOrderDelivery {
 public:
  InOrderDelivery(std::size_t chunks, std::size_t window, const std::function<void(std::size_t)>& deliver)
      : done_(std::make_unique<std::atomic<bool>[]>(chunks)), chunks_(chunks), window_(window), deliver_(deliver) {}

  // Blocks until chunk k is within the window of undelivered chunks.
  void wait_for_room(std::size_t k) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return k < delivered_ + window_; });
  }

  void finished(std::size_t k) {
    done_[k].store(true, std::memory_order_release);
    std::unique_lock lock(mu_);
    if (delivering_) return;  // the deliverer re-checks done_ under the lock after each chunk
    delivering_ = true;
    while (delivered_ < chunks_ && done_[delivered_].load(std::memory_order_acquire)) {
      const std::size_t next = delivered_;
      lock.unlock();
      deliver_(next);
      lock.lock();
      ++delivered_;
      room_.notify_all();
    }
    delivering_ = false;
  }

 private:
  std::unique_ptr<std::atomic<bool>[]> done_;
  std::size_t chunks_, window_;
  const std::function<void(std::size_t)>& deliver_;
  std::mutex mu_;
  std::condition_variable room_;
  std::size_t delivered_ = 0;
  bool delivering_ = false;
};

}  // namespace

std::size_t default_chunk_bytes(std::size_t file_bytes, unsigned threads) {
  // About eight chunks per thread balances the load; 16 MiB caps the pages in flight per thread.
  constexpr std::size_t kMin = std::size_t{1} << 20, kMax = std::size_t{16} << 20;
  return std::clamp<std::size_t>(file_bytes / (std::max(threads, 1u) * 8u), kMin, kMax);
}

Status scan_file_chunks(const std::string& path, const ChunkedScanOptions& options,
                        const std::function<void(std::size_t, std::string_view)>& scan,
                        const std::function<void(std::size_t)>& deliver) {
  auto mapped = MappedFile::open(path);
  if (!mapped.ok()) return mapped.error();
  const std::string_view data = mapped->data();
  const unsigned threads = options.threads == 0 ? default_thread_count() : options.threads;
  const std::size_t chunk_bytes =
      options.chunk_bytes == 0 ? default_chunk_bytes(data.size(), threads) : options.chunk_bytes;
  const std::size_t chunks = std::max<std::size_t>(1, (data.size() + chunk_bytes - 1) / chunk_bytes);
  const unsigned busy = static_cast<unsigned>(std::min<std::size_t>(threads, chunks));
  InOrderDelivery delivery(chunks, 2 * static_cast<std::size_t>(busy) + 1, deliver);
  std::atomic<std::size_t> next{0};
  run_parallel(busy, [&](unsigned) {
    for (std::size_t k = next.fetch_add(1); k < chunks; k = next.fetch_add(1)) {
      delivery.wait_for_room(k);
      const std::size_t begin = line_start_at_or_after(data, k * chunk_bytes);
      const std::size_t end = k + 1 == chunks ? data.size() : line_start_at_or_after(data, (k + 1) * chunk_bytes);
      mapped->populate(begin, end);
      scan(k, data.substr(begin, std::max(begin, end) - begin));
      mapped->release(begin, end);
      delivery.finished(k);
    }
  });
  return ok_status();
}

}  // namespace payops
