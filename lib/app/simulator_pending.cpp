// The calendar queue of rows in flight (see simulator_pending.h).
#include "app/simulator_pending.h"

#include <algorithm>
#include <cassert>

namespace payops {
namespace {
struct LaterFirst {
  template <class Far>
  bool operator()(const Far& a, const Far& b) const {
    return a.finish_ms != b.finish_ms ? a.finish_ms > b.finish_ms : a.seq > b.seq;
  }
};
}  // namespace

PendingQueue::PendingQueue() : buckets_(static_cast<std::size_t>(kWindowMs)) {}

void PendingQueue::append(TimeMs finish_ms, std::uint32_t slot) {
  Bucket& b = buckets_[static_cast<std::size_t>(finish_ms & (kWindowMs - 1))];
  next_[slot] = kNone;
  if (b.tail == kNone) {
    b.head = slot;
  } else {
    next_[b.tail] = slot;
  }
  b.tail = slot;
  ++in_buckets_;
}

void PendingQueue::pop_heap_top() {
  std::pop_heap(heap_.begin(), heap_.end(), LaterFirst{});
  heap_.pop_back();
}

// Rows of the heap that now fall in the window go to their buckets, in (finish, seq) order, before
// any push can reach those buckets: each bucket stays in seq order.
void PendingQueue::take_in_heap_rows() {
  while (!heap_.empty() && in_window(heap_.front().finish_ms)) {
    append(heap_.front().finish_ms, heap_.front().slot);
    pop_heap_top();
  }
}

void PendingQueue::advance_base() {
  ++base_;
  if (!heap_.empty() && in_window(heap_.front().finish_ms)) take_in_heap_rows();
}

void PendingQueue::push(TimeMs finish_ms, std::uint64_t seq, std::uint32_t slot) {
  if (slot >= next_.size()) next_.resize(std::max<std::size_t>(slot + 1, 2 * next_.size()), kNone);
  ++size_;
  if (in_buckets_ == 0 && !in_window(finish_ms)) {
    // Empty buckets: the window may move anywhere. It starts at the earliest row, so none is late.
    base_ = heap_.empty() ? finish_ms : std::min(finish_ms, heap_.front().finish_ms);
    take_in_heap_rows();
  }
  if (in_window(finish_ms)) {
    append(finish_ms, slot);  // the largest seq so far: the bucket's end
    return;
  }
  heap_.push_back(Far{finish_ms, seq, slot});
  std::push_heap(heap_.begin(), heap_.end(), LaterFirst{});
}

bool PendingQueue::pop_due(TimeMs now, std::uint32_t& slot) {
  for (;;) {
    if (!heap_.empty() && heap_.front().finish_ms < base_) {  // late rows come before every bucket
      if (heap_.front().finish_ms > now) return false;
      slot = heap_.front().slot;
      pop_heap_top();
      --size_;
      return true;
    }
    if (base_ > now) return false;
    if (in_buckets_ == 0) {  // jump to the heap's earliest row (the window is empty)
      if (heap_.empty() || heap_.front().finish_ms > now) return false;
      base_ = heap_.front().finish_ms;
      take_in_heap_rows();
      continue;
    }
    Bucket& b = buckets_[static_cast<std::size_t>(base_ & (kWindowMs - 1))];
    if (b.head != kNone) {
      slot = b.head;
      b.head = next_[slot];
      if (b.head == kNone) b.tail = kNone;
      --in_buckets_;
      --size_;
      return true;
    }
    advance_base();
  }
}

TimeMs PendingQueue::earliest() {
  assert(size_ > 0);
  if (!heap_.empty() && heap_.front().finish_ms < base_) return heap_.front().finish_ms;
  if (in_buckets_ == 0) return heap_.front().finish_ms;
  // Empty buckets before the first row are stepped over for good (base_ moves, as a release would).
  while (buckets_[static_cast<std::size_t>(base_ & (kWindowMs - 1))].head == kNone) advance_base();
  return base_;
}

}  // namespace payops
