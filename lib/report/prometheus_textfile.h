// The war room's snapshot in Prometheus' text exposition format, for node_exporter's textfile
// collector (`agent status --prometheus FILE`, run by a timer: examples/systemd/). node_exporter
// reads the file whenever it is scraped, so it is replaced atomically: written to a temporary file
// in the same directory, then renamed over FILE; a scrape never sees half a file.
#pragma once

#include <string>

#include "platform/result.h"
#include "report/war_room.h"

namespace payops {

// Metrics (gauges; the short window is the war room's):
//   payops_bank_success_ratio{bank}         attempts that succeeded / attempts (NaN: no attempts)
//   payops_bank_p95_latency_seconds{bank}   (NaN: no attempts)
//   payops_bank_attempts{bank}              attempts in the window
//   payops_bank_weight{bank}                configured weight
//   payops_bank_health{bank,status}         1 for the bank's status, 0 for the others
//   payops_bank_breaker_state{bank,state}   1 for the breaker's state, 0 for the others
//   payops_payments_per_second, payops_payment_success_ratio, payops_window_seconds
//   payops_agent_last_cycle_timestamp_seconds, payops_agent_cycle_age_seconds (absent: no cycle yet)
//   payops_snapshot_timestamp_seconds       when this file was made
std::string status_to_prometheus(const StatusSnapshot& snapshot);

// Writes text to path via path.tmp.PID and rename(2). Errors name the path.
Status write_file_atomically(const std::string& path, const std::string& text);

}  // namespace payops
