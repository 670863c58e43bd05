// The stop flag behind install_stop_handlers().
#include "platform/stop_signal.h"

#include <csignal>

namespace payops {
namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void payops_on_stop_request(int) { g_stop = 1; }

}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = payops_on_stop_request;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_stop != 0; }

}  // namespace payops
