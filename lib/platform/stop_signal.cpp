// The stop flag behind install_stop_handlers() and ScopedStopHandlers, and the reopen counter.
#include "platform/stop_signal.h"

#include <atomic>
#include <csignal>

namespace payops {
namespace {

volatile std::sig_atomic_t g_stop = 0;
// Lock-free on every platform we build for, so it is safe to bump from a signal handler.
std::atomic<std::uint64_t> g_reopen{0};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

extern "C" void payops_on_stop_request(int) { g_stop = 1; }
extern "C" void payops_on_reopen_request(int) { g_reopen.fetch_add(1, std::memory_order_relaxed); }

struct sigaction stop_action() {
  struct sigaction sa {};
  sa.sa_handler = payops_on_stop_request;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a sleep or read ends at once
  return sa;
}

}  // namespace

void install_stop_handlers() {
  const struct sigaction sa = stop_action();
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  struct sigaction hup {};
  hup.sa_handler = payops_on_reopen_request;
  sigemptyset(&hup.sa_mask);
  hup.sa_flags = SA_RESTART;  // a reopen request must not cut a write or a sleep short
  sigaction(SIGHUP, &hup, nullptr);
}

ScopedStopHandlers::ScopedStopHandlers() {
  g_stop = 0;
  const struct sigaction sa = stop_action();
  for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &sa, &old_[i]);
}

ScopedStopHandlers::~ScopedStopHandlers() {
  for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &old_[i], nullptr);
}

bool stop_requested() { return g_stop != 0; }

std::uint64_t reopen_generation() { return g_reopen.load(std::memory_order_relaxed); }

}  // namespace payops
