// The simulator's calendar queue against the plain min-heap of (finish_ms, seq) it replaces: the
// same slots released in the same order under random traffic with rows far beyond the window, rows
// finishing before what was already released, releases that go back in time (lockstep instants),
// long idle gaps, and drains to the end of time.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "app/simulator_pending.h"
#include "platform/random.h"

using namespace payops;

namespace {

struct Key {
  TimeMs finish_ms;
  std::uint64_t seq;
  std::uint32_t slot;
};
struct LaterFirst {
  bool operator()(const Key& a, const Key& b) const {
    return a.finish_ms != b.finish_ms ? a.finish_ms > b.finish_ms : a.seq > b.seq;
  }
};

// The reference: what the simulator used before.
class HeapQueue {
 public:
  void push(TimeMs f, std::uint64_t seq, std::uint32_t slot) {
    heap_.push_back({f, seq, slot});
    std::push_heap(heap_.begin(), heap_.end(), LaterFirst{});
  }
  bool pop_due(TimeMs now, std::uint32_t& slot) {
    if (heap_.empty() || heap_.front().finish_ms > now) return false;
    std::pop_heap(heap_.begin(), heap_.end(), LaterFirst{});
    slot = heap_.back().slot;
    heap_.pop_back();
    return true;
  }
  TimeMs earliest() const { return heap_.front().finish_ms; }
  std::size_t size() const { return heap_.size(); }

 private:
  std::vector<Key> heap_;
};

// One random run: returns how many rows were released (all compared on the way).
std::size_t run_against_heap(std::uint64_t seed, TimeMs spread_ms, double far_chance, double late_chance) {
  Random rng(seed);
  PendingQueue queue;
  HeapQueue heap;
  std::vector<std::uint32_t> free_slots;
  std::uint32_t next_slot = 0;
  std::uint64_t seq = 0;
  std::size_t released = 0;
  TimeMs now = 1'795'000'000'000;
  const auto release = [&](TimeMs until) {
    std::uint32_t a = 0, b = 0;
    for (;;) {
      const bool got_a = queue.pop_due(until, a);
      const bool got_b = heap.pop_due(until, b);
      REQUIRE(got_a == got_b);
      if (!got_a) break;
      REQUIRE(a == b);
      free_slots.push_back(a);
      ++released;
    }
    REQUIRE(queue.size() == heap.size());
  };
  for (int step = 0; step < 20000; ++step) {
    now += static_cast<TimeMs>(rng.below(rng.chance(0.001) ? 500'000 : 12));  // now and then a long gap
    const int rows = static_cast<int>(rng.below(4));
    for (int r = 0; r < rows; ++r) {
      TimeMs finish = now + static_cast<TimeMs>(rng.below(static_cast<std::uint64_t>(spread_ms)));
      if (rng.chance(far_chance)) finish = now + 60'000 + static_cast<TimeMs>(rng.below(200'000));
      if (rng.chance(late_chance)) finish = now - static_cast<TimeMs>(rng.below(50));
      std::uint32_t slot;
      if (free_slots.empty()) {
        slot = next_slot++;
      } else {
        slot = free_slots.back();
        free_slots.pop_back();
      }
      queue.push(finish, seq, slot);
      heap.push(finish, seq, slot);
      ++seq;
    }
    if (!queue.empty()) REQUIRE(queue.earliest() == heap.earliest());
    // Usually up to now; sometimes an earlier instant (a lockstep tick behind the clock).
    release(rng.chance(0.05) ? now - static_cast<TimeMs>(rng.below(3000)) : now);
    if (!queue.empty()) REQUIRE(queue.earliest() == heap.earliest());
  }
  release(std::numeric_limits<TimeMs>::max());
  REQUIRE(queue.empty());
  return released;
}

}  // namespace

TEST_CASE("simulator pending queue: releases rows in the heap's (finish, seq) order") {
  CHECK(run_against_heap(1, 3000, 0.0, 0.0) > 20000);     // everything inside the window
  CHECK(run_against_heap(2, 3000, 0.05, 0.0) > 20000);    // some rows beyond it
  CHECK(run_against_heap(3, 3000, 0.05, 0.05) > 20000);   // and some finishing in the past
  CHECK(run_against_heap(4, 200'000, 0.2, 0.1) > 20000);  // most beyond the window
  CHECK(run_against_heap(5, 1, 0.0, 0.3) > 20000);        // many rows per millisecond
}

TEST_CASE("simulator pending queue: empty, one row, the end of time") {
  PendingQueue q;
  std::uint32_t slot = 99;
  CHECK(q.empty());
  CHECK_FALSE(q.pop_due(std::numeric_limits<TimeMs>::max(), slot));
  q.push(-70'000, 0, 4);  // the window starts before 1970
  std::uint32_t first = 99;
  REQUIRE(q.pop_due(-70'000, first));
  CHECK(first == 4);
  q.push(5, 0, 3);
  q.push(5, 1, 1);
  q.push(std::numeric_limits<TimeMs>::max() - 1, 2, 2);  // far beyond any window
  q.push(-70'000, 3, 0);                                 // before 1970, far behind the window
  CHECK(q.size() == 4);
  CHECK(q.earliest() == -70'000);
  CHECK_FALSE(q.pop_due(-70'001, slot));
  REQUIRE(q.pop_due(5, slot));
  CHECK(slot == 0);
  REQUIRE(q.pop_due(5, slot));
  CHECK(slot == 3);
  REQUIRE(q.pop_due(5, slot));
  CHECK(slot == 1);
  CHECK_FALSE(q.pop_due(1'000'000, slot));
  CHECK(q.earliest() == std::numeric_limits<TimeMs>::max() - 1);
  REQUIRE(q.pop_due(std::numeric_limits<TimeMs>::max(), slot));
  CHECK(slot == 2);
  CHECK(q.empty());
}
