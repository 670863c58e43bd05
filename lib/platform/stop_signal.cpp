// The stop flag behind install_stop_handlers() and ScopedStopHandlers.
#include "platform/stop_signal.h"

#include <csignal>

namespace payops {
namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void payops_on_stop_request(int) { g_stop = 1; }

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

}  // namespace payops
