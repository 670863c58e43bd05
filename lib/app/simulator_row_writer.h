// The simulator's finished rows on their way to transactions.csv: formatted and handed to the sink
// in batches, either inline (paced and lockstep runs: a row is written before the run goes on) or
// on a second thread (a --fast run: generation and formatting then use both cores). Same bytes in
// the same order either way.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/simulator_row_format.h"
#include "platform/result.h"

namespace payops {

class SimulatorRowWriter {
 public:
  using Sink = std::function<Status(std::string_view rows)>;
  // threaded: format and write on a thread of its own. flush_bytes: the size of one write.
  SimulatorRowWriter(const Sink& sink, std::size_t flush_bytes, bool threaded);
  ~SimulatorRowWriter();  // stops the thread; rows not yet flushed are dropped
  SimulatorRowWriter(const SimulatorRowWriter&) = delete;
  SimulatorRowWriter& operator=(const SimulatorRowWriter&) = delete;

  // Queues a row (inline: formats it and writes when a write's worth is buffered). Returns the
  // sink's first error, if any happened so far (threaded: perhaps for an earlier row); rows added
  // after a failed write are dropped.
  Status add(const SimulatorRow& row);
  // Every row added so far is written (threaded: waits for the thread). The sink's first error.
  Status flush();

 private:
  Status hand_over(bool wait_until_written);
  void thread_main();
  void format(const SimulatorRow& row);
  Status write_buffer();
  Status write_inline();  // write_buffer, remembering the first error (the inline path)

  const Sink& sink_;
  const std::size_t flush_bytes_;
  const bool threaded_;
  RowBuffer buffer_;         // formatted rows not yet written (the thread's, when threaded)
  SimulatorRowFormatter formatter_;
  std::vector<SimulatorRow> batch_;  // the caller's rows not yet handed over (threaded)

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::vector<SimulatorRow>> queue_, spare_;  // batches for the thread, emptied ones
  std::uint64_t handed_ = 0, written_ = 0;  // batches handed over / fully written
  bool flush_asked_ = false, stopping_ = false;
  Status error_ = ok_status();  // the sink's first error (guarded by mu_ when threaded)
  std::thread thread_;
};

}  // namespace payops
