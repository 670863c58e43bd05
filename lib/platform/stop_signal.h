// How long-running tools (simulator, agent daemon) stop: SIGINT and SIGTERM set a flag that their
// loops poll, so they finish the work in hand (flush rows, end the cycle) and exit cleanly.
#pragma once

namespace payops {

// Installs the handlers without SA_RESTART: a signal cuts a sleep or a blocking read short, so the
// loop notices it at once. Safe to call more than once.
void install_stop_handlers();
// True once SIGINT or SIGTERM has arrived.
bool stop_requested();

}  // namespace payops
