// A file through a thread pool in line-aligned chunks, each read into its worker's buffer, delivered
// in file order.
#include "contract/csv_scan_chunks.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
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

// A worker's buffer for the chunk it scans, reused chunk after chunk. Chunks are read into it with
// pread instead of being scanned in the file's mapping: on the 2-core VM of bench/speed6.md, scanning
// mapped page-cache pages (4 KiB TLB refills, MADV_POPULATE_READ and MADV_DONTNEED per chunk) cost
// more than the kernel's copy, which reads the page cache through its own large-page mapping. The
// buffer asks for 2 MiB pages (a hint; 4 KiB pages work too, with more system time).
class ChunkBuffer {
 public:
  // Room for n bytes; the contents are not kept. False if memory ran out.
  bool reserve(std::size_t n) {
    if (n <= capacity_) return true;
    constexpr std::size_t kHugePage = std::size_t{2} << 20;
    const std::size_t capacity = (n + kHugePage - 1) / kHugePage * kHugePage;
    data_.reset();
    capacity_ = 0;
    char* p = static_cast<char*>(std::aligned_alloc(kHugePage, capacity));
    if (p == nullptr) return false;
    ::madvise(p, capacity, MADV_HUGEPAGE);
    data_.reset(p);
    capacity_ = capacity;
    return true;
  }
  char* data() { return data_.get(); }

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> data_;
  std::size_t capacity_ = 0;
};

// Reads bytes [begin, begin + n) of fd (the file at path) into out. Errors name the file and byte.
Status read_at(int fd, const std::string& path, std::size_t begin, std::size_t n, char* out) {
  for (std::size_t got = 0; got < n;) {
    const ssize_t r = ::pread(fd, out + got, n - got, static_cast<off_t>(begin + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return make_error("cannot read " + path + " at byte " + std::to_string(begin + got) + ": " + std::strerror(errno));
    if (r == 0) return make_error(path + " shrank while it was read (no byte " + std::to_string(begin + got) + ")");
    got += static_cast<std::size_t>(r);
  }
  return ok_status();
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
  // The mapping only finds the chunks' first lines (a page or two each); the bytes are read.
  auto mapped = MappedFile::open(path);
  if (!mapped.ok()) return mapped.error();
  const std::string_view data = mapped->data();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error("cannot open " + path + ": " + std::strerror(errno));
  const std::unique_ptr<const int, void (*)(const int*)> close_fd(&fd, [](const int* f) { ::close(*f); });
  const unsigned threads = options.threads == 0 ? default_thread_count() : options.threads;
  const std::size_t chunk_bytes =
      options.chunk_bytes == 0 ? default_chunk_bytes(data.size(), threads) : options.chunk_bytes;
  const std::size_t chunks = std::max<std::size_t>(1, (data.size() + chunk_bytes - 1) / chunk_bytes);
  const unsigned busy = static_cast<unsigned>(std::min<std::size_t>(threads, chunks));
  InOrderDelivery delivery(chunks, 2 * static_cast<std::size_t>(busy) + 1, deliver);
  std::atomic<std::size_t> next{0};
  std::mutex error_mu;
  Status error = ok_status();
  run_parallel(busy, [&](unsigned) {
    ChunkBuffer buffer;
    for (std::size_t k = next.fetch_add(1); k < chunks; k = next.fetch_add(1)) {
      delivery.wait_for_room(k);
      const std::size_t begin = line_start_at_or_after(data, k * chunk_bytes);
      const std::size_t end = k + 1 == chunks ? data.size() : line_start_at_or_after(data, (k + 1) * chunk_bytes);
      const std::size_t size = std::max(begin, end) - begin;
      Status read = buffer.reserve(size) ? read_at(fd, path, begin, size, buffer.data())
                                         : Status(make_error("out of memory for a chunk of " + path));
      // A chunk that could not be read is scanned empty, so every chunk is still delivered once;
      // the caller gets the error instead of the results.
      scan(k, read.ok() ? std::string_view(buffer.data(), size) : std::string_view());
      if (!read.ok()) {
        std::lock_guard lock(error_mu);
        if (error.ok()) error = std::move(read);
      }
      delivery.finished(k);
    }
  });
  return error;
}

}  // namespace payops
