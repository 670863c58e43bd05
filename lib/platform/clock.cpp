// The real clock behind the Clock seam.
#include "platform/clock.h"

#include <cerrno>
#include <ctime>

namespace payops {

TimeMs SystemClock::now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<TimeMs>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void SystemClock::sleep_ms(std::int64_t duration_ms) {
  if (duration_ms <= 0) return;
  // A signal cuts the sleep short on purpose: daemons check their stop flag right after.
  timespec req{static_cast<time_t>(duration_ms / 1000), static_cast<long>(duration_ms % 1000) * 1000000};
  nanosleep(&req, nullptr);
}

SystemClock& SystemClock::instance() {
  static SystemClock clock;
  return clock;
}

}  // namespace payops
