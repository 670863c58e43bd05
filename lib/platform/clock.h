// The clock seam: wall time and sleeping go through Clock so tests and the simulator's virtual-time
// mode can drive time instead of waiting for it.
#pragma once

#include <cstdint>

#include "platform/time_util.h"

namespace payops {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock UTC time in epoch milliseconds.
  virtual TimeMs now_ms() = 0;
  // Blocks (or, for a virtual clock, advances) for duration_ms. Non-positive durations return at once.
  virtual void sleep_ms(std::int64_t duration_ms) = 0;
};

// The real clock: CLOCK_REALTIME for now_ms, nanosleep for sleep_ms. A signal ends a sleep early
// (not restarted), so a daemon notices SIGINT/SIGTERM at once.
class SystemClock final : public Clock {
 public:
  TimeMs now_ms() override;
  void sleep_ms(std::int64_t duration_ms) override;
  static SystemClock& instance();
};

// A clock that only moves when told to: sleep_ms advances it. For tests and virtual time.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start_ms) : now_(start_ms) {}
  TimeMs now_ms() override { return now_; }
  void sleep_ms(std::int64_t duration_ms) override {
    if (duration_ms > 0) now_ += duration_ms;
  }
  void set(TimeMs t) { now_ = t; }
  void advance(std::int64_t duration_ms) { now_ += duration_ms; }

 private:
  TimeMs now_;
};

}  // namespace payops
