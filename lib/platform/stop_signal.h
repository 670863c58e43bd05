// How long-running tools (simulator, agent daemon) stop: SIGINT and SIGTERM set a flag that their
// loops poll, so they finish the work in hand (flush rows, end the cycle) and exit cleanly.
// SIGHUP is the logrotate convention "reopen your files": it never stops a tool, it bumps a
// generation counter that file writers (CsvAppender) compare against on their next write.
#pragma once

#include <array>
#include <csignal>
#include <cstdint>

namespace payops {

// Installs the handlers (SIGINT, SIGTERM: stop; SIGHUP: reopen) without SA_RESTART: a signal cuts a
// sleep or a blocking read short, so the loop notices it at once. Safe to call more than once.
void install_stop_handlers();
// True once SIGINT or SIGTERM has arrived.
bool stop_requested();
// How many SIGHUPs have arrived since the handlers were installed (0 if never). A writer that saw a
// smaller number reopens its file by path.
std::uint64_t reopen_generation();

// The same flag for a loop inside a longer-lived process (`agent status` live view): clears the
// flag, installs the handler (no SA_RESTART) for SIGINT, SIGTERM and SIGHUP (the terminal closing,
// so a live screen is still restored), and puts the previous handlers back when it goes away.
class ScopedStopHandlers {
 public:
  ScopedStopHandlers();
  ~ScopedStopHandlers();
  ScopedStopHandlers(const ScopedStopHandlers&) = delete;
  ScopedStopHandlers& operator=(const ScopedStopHandlers&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, kSignals.size()> old_{};
};

}  // namespace payops
