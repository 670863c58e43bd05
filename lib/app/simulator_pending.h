// The simulator's rows in flight, released in (finish time, generation order): the order its
// output is defined by. A calendar of one bucket per millisecond over the next kWindowMs (each a
// list in generation order, so a push and a release are O(1)), and a heap for the rare row outside
// that window: a retry finishing further ahead, or a row finishing before what was already released
// (paced mode catching up). Same order as one heap of (finish_ms, seq) over every row.
#pragma once

#include <cstdint>
#include <vector>

#include "platform/time_util.h"

namespace payops {

class PendingQueue {
 public:
  PendingQueue();
  // Adds the row in `slot` (any small index the caller chooses; at most one row per slot at a
  // time). REQUIRES: seq larger than every seq pushed before.
  void push(TimeMs finish_ms, std::uint64_t seq, std::uint32_t slot);
  // The slot of the next row finishing by now, in (finish_ms, seq) order, removed; false if none is.
  bool pop_due(TimeMs now, std::uint32_t& slot);
  // The earliest finish time in the queue. REQUIRES: !empty().
  TimeMs earliest();
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

 private:
  static constexpr TimeMs kWindowMs = 1 << 16;  // buckets; retries rarely finish further ahead
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};
  struct Far {  // a row kept in the heap
    TimeMs finish_ms;
    std::uint64_t seq;
    std::uint32_t slot;
  };
  struct Bucket {
    std::uint32_t head = kNone, tail = kNone;
  };
  // Unsigned difference: no overflow whatever the two times are.
  bool in_window(TimeMs finish_ms) const {
    return finish_ms >= base_ &&
           static_cast<std::uint64_t>(finish_ms) - static_cast<std::uint64_t>(base_) < static_cast<std::uint64_t>(kWindowMs);
  }
  void append(TimeMs finish_ms, std::uint32_t slot);
  void pop_heap_top();
  void advance_base();  // base_ + 1, taking in the heap rows the window now reaches
  void take_in_heap_rows();

  // Invariants: the buckets hold exactly the rows with finish in [base_, base_ + kWindowMs), each
  // bucket in seq order; the heap holds the others (finish < base_: "late"; or beyond the window).
  TimeMs base_ = 0;
  std::vector<Bucket> buckets_;      // by finish_ms mod kWindowMs
  std::vector<std::uint32_t> next_;  // by slot: the next slot in its bucket
  std::vector<Far> heap_;            // min-heap by (finish_ms, seq)
  std::size_t in_buckets_ = 0, size_ = 0;
};

}  // namespace payops
