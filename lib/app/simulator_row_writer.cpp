// Formatting and writing the simulator's rows, inline or on a writer thread fed in batches.
#include "app/simulator_row_writer.h"


namespace payops {
namespace {
constexpr std::size_t kBatchRows = 4096;  // rows per hand-over: one lock per batch, not per row
constexpr std::size_t kMaxQueued = 4;     // batches waiting for the thread before add() blocks
}  // namespace

SimulatorRowWriter::SimulatorRowWriter(const Sink& sink, std::size_t flush_bytes, bool threaded)
    : sink_(sink), flush_bytes_(flush_bytes), threaded_(threaded), buffer_(flush_bytes_ + 4096) {
  if (threaded_) {
    batch_.reserve(kBatchRows);
    thread_ = std::thread([this] { thread_main(); });
  }
}

SimulatorRowWriter::~SimulatorRowWriter() {
  if (!threaded_) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Status SimulatorRowWriter::add(const SimulatorRow& row) {
  if (!threaded_) {
    if (!error_.ok()) return error_;  // after a failed write, rows are dropped
    format(row);
    return buffer_.size() >= flush_bytes_ ? write_inline() : ok_status();
  }
  batch_.push_back(row);
  return batch_.size() >= kBatchRows ? hand_over(false) : ok_status();
}

Status SimulatorRowWriter::flush() { return threaded_ ? hand_over(true) : write_inline(); }

Status SimulatorRowWriter::write_inline() {
  if (!error_.ok()) return error_;
  error_ = write_buffer();
  return error_;
}

Status SimulatorRowWriter::hand_over(bool wait_until_written) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.size() < kMaxQueued || !error_.ok(); });
  if (!batch_.empty()) {
    queue_.push_back(std::move(batch_));
    ++handed_;
    if (spare_.empty()) {
      batch_ = {};
      batch_.reserve(kBatchRows);
    } else {
      batch_ = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  if (wait_until_written) flush_asked_ = true;
  cv_.notify_all();
  if (wait_until_written) cv_.wait(lock, [&] { return (!flush_asked_ && written_ == handed_) || !error_.ok(); });
  return error_;
}

void SimulatorRowWriter::thread_main() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty() || flush_asked_; });
    if (stopping_) return;
    if (!queue_.empty()) {
      std::vector<SimulatorRow> rows = std::move(queue_.front());
      queue_.erase(queue_.begin());
      cv_.notify_all();  // room in the queue
      const bool failed = !error_.ok();
      lock.unlock();
      Status status = ok_status();
      for (const SimulatorRow& row : rows) {
        if (failed || !status.ok()) break;  // after a failed write, rows are dropped
        format(row);
        if (buffer_.size() >= flush_bytes_) status = write_buffer();
      }
      rows.clear();
      lock.lock();
      if (!status.ok() && error_.ok()) error_ = status;
      spare_.push_back(std::move(rows));
      ++written_;
      cv_.notify_all();
      continue;
    }
    // Asked to flush, and every batch handed over is formatted: write what is buffered.
    const bool failed = !error_.ok();
    lock.unlock();
    const Status status = failed ? ok_status() : write_buffer();
    lock.lock();
    if (!status.ok() && error_.ok()) error_ = status;
    flush_asked_ = false;
    cv_.notify_all();
  }
}

void SimulatorRowWriter::format(const SimulatorRow& row) { formatter_.append(row, buffer_); }

Status SimulatorRowWriter::write_buffer() {
  if (buffer_.empty()) return ok_status();
  Status status = sink_(buffer_.view());
  buffer_.clear();
  return status;
}

}  // namespace payops
