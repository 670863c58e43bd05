// Scanning transactions.csv: a buffer line by line, or a whole mapped file split across threads.
#include "contract/csv_scan.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace payops {

namespace csv_detail {
void shift_line_numbers(ScanSummary& s, std::uint64_t offset) {
  for (auto& m : s.first_malformed) m.line_number += offset;
}
}  // namespace csv_detail

void ScanSummary::merge(const ScanSummary& later) {
  rows += later.rows;
  malformed += later.malformed;
  for (const auto& m : later.first_malformed) {
    if (first_malformed.size() >= kMaxNamedMalformed) break;
    first_malformed.push_back(m);
  }
  // An empty later chunk (more chunks than lines) says nothing about the end of the data.
  if (later.lines > 0 || later.partial_tail) partial_tail = later.partial_tail;
  bytes += later.bytes;
  lines += later.lines;
}

std::string ScanSummary::describe() const {
  if (malformed == 0) return {};
  std::string out = std::to_string(malformed);
  out += malformed == 1 ? " malformed line skipped (" : " malformed lines skipped (";
  for (std::size_t i = 0; i < first_malformed.size(); ++i) {
    if (i > 0) out += ", ";
    out += "line ";
    out += std::to_string(first_malformed[i].line_number);
    out += ": ";
    out += to_string(first_malformed[i].reason);
  }
  if (malformed > first_malformed.size()) out += ", ...";
  out += ")";
  return out;
}

ScanSummary scan_buffer(std::string_view buffer, std::uint64_t first_line, bool has_header_line,
                        const std::function<void(const RowView&)>& on_row) {
  return csv_detail::scan_lines(buffer, first_line, has_header_line,
                                [&on_row](const RowView& row) {
                                  if (on_row) on_row(row);
                                });
}

Result<MappedFile> MappedFile::open(const std::string& path) {
  // O_NONBLOCK: a FIFO planted at the path must not block the open; refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    return make_error("cannot open " + path + ": " + std::strerror(err),
                      err == ENOENT ? Error::Kind::not_found : Error::Kind::failed);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return make_error("cannot stat " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(path + " is not a regular file (a FIFO or device is never a transactions log)",
                      Error::Kind::invalid_input);
  }
  MappedFile m;
  if (st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return make_error("cannot map " + path + ": " + std::strerror(err));
    }
    ::madvise(p, size, MADV_SEQUENTIAL);
    m.ptr_ = static_cast<const char*>(p);
    m.size_ = size;
  }
  ::close(fd);  // the mapping keeps the file
  return m;
}

MappedFile::MappedFile(MappedFile&& other) noexcept : ptr_(other.ptr_), size_(other.size_) {
  other.ptr_ = nullptr;
  other.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (ptr_ != nullptr) ::munmap(const_cast<char*>(ptr_), size_);
    ptr_ = other.ptr_;
    size_ = other.size_;
    other.ptr_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (ptr_ != nullptr) ::munmap(const_cast<char*>(ptr_), size_);
}

std::vector<std::size_t> split_at_lines(std::string_view data, unsigned n) {
  if (n == 0) n = 1;
  std::vector<std::size_t> offsets;
  offsets.reserve(n + 1);
  offsets.push_back(0);
  for (unsigned i = 1; i < n; ++i) {
    std::size_t pos = data.size() / n * i;
    pos = std::max(pos, offsets.back());
    if (pos > 0 && pos < data.size() && data[pos - 1] != '\n') {
      const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
      pos = nl == nullptr ? data.size()
                          : static_cast<std::size_t>(static_cast<const char*>(nl) - data.data()) + 1;
    }
    offsets.push_back(pos);
  }
  offsets.push_back(data.size());
  return offsets;
}

void run_parallel(unsigned n, const std::function<void(unsigned)>& body) {
  if (n <= 1) {
    if (n == 1) body(0);
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(n - 1);
  for (unsigned i = 1; i < n; ++i) threads.emplace_back(body, i);
  body(0);
  for (auto& t : threads) t.join();
}

unsigned default_thread_count() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

}  // namespace payops
