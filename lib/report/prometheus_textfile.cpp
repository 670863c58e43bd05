// Prometheus text format for the war room's snapshot.
#include "report/prometheus_textfile.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace payops {
namespace {

// A label value: backslash, double quote and newline escaped, as the format requires.
std::string label(std::string_view v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  return fmt::format("{}", v);
}

void family(std::string& out, std::string_view name, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
}

double seconds(TimeMs ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace

std::string status_to_prometheus(const StatusSnapshot& s) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::string out;
  const auto per_bank = [&](std::string_view name, std::string_view help, auto value) {
    family(out, name, help);
    for (const BankSnapshot& b : s.banks) out += fmt::format("{}{{bank=\"{}\"}} {}\n", name, label(b.id), number(value(b)));
  };
  per_bank("payops_bank_success_ratio", "Attempts on the bank that succeeded over the window (NaN: none).",
           [&](const BankSnapshot& b) { return b.attempts ? b.success_rate : nan; });
  per_bank("payops_bank_p95_latency_seconds", "95th percentile attempt latency over the window (NaN: none).",
           [&](const BankSnapshot& b) { return b.attempts ? static_cast<double>(b.p95_latency_ms) / 1000.0 : nan; });
  per_bank("payops_bank_attempts", "Attempts on the bank over the window.",
           [](const BankSnapshot& b) { return static_cast<double>(b.attempts); });
  per_bank("payops_bank_weight", "The bank's configured routing weight.",
           [](const BankSnapshot& b) { return static_cast<double>(b.weight); });
  family(out, "payops_bank_health", "1 for the bank's health status in the config, 0 for the others.");
  for (const BankSnapshot& b : s.banks) {
    for (const Health h : {Health::healthy, Health::degraded, Health::down})
      out += fmt::format("payops_bank_health{{bank=\"{}\",status=\"{}\"}} {}\n", label(b.id), to_string(h), b.health == h ? 1 : 0);
  }
  family(out, "payops_bank_breaker_state", "1 for the bank's circuit breaker state, 0 for the others.");
  for (const BankSnapshot& b : s.banks) {
    for (const BreakerState st : {BreakerState::closed, BreakerState::open, BreakerState::half_open})
      out += fmt::format("payops_bank_breaker_state{{bank=\"{}\",state=\"{}\"}} {}\n", label(b.id), to_string(st),
                         b.breaker == st ? 1 : 0);
  }
  family(out, "payops_payments_per_second", "Distinct payments per second over the window (or the log's age if younger).");
  out += fmt::format("payops_payments_per_second {}\n", number(s.payments_per_s));
  family(out, "payops_payment_success_ratio", "Payments that succeeded on any attempt (NaN: none).");
  out += fmt::format("payops_payment_success_ratio {}\n", number(s.payments ? s.payment_success_rate : nan));
  family(out, "payops_window_seconds", "The window the bank and payment gauges cover.");
  out += fmt::format("payops_window_seconds {}\n", number(seconds(s.short_window_ms)));
  if (s.agent.last_cycle_ms) {
    family(out, "payops_agent_last_cycle_timestamp_seconds", "When the agent last completed a cycle (Unix time).");
    out += fmt::format("payops_agent_last_cycle_timestamp_seconds {}\n", number(seconds(*s.agent.last_cycle_ms)));
    family(out, "payops_agent_cycle_age_seconds", "Seconds since the agent last completed a cycle.");
    out += fmt::format("payops_agent_cycle_age_seconds {}\n", number(seconds(*s.agent.age_ms)));
  }
  family(out, "payops_snapshot_timestamp_seconds", "When this file was written (Unix time).");
  out += fmt::format("payops_snapshot_timestamp_seconds {}\n", number(seconds(s.now_ms)));
  return out;
}

Status write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return make_error(fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error(fmt::format("cannot write {}: {}", tmp, std::strerror(err)));
    }
    done += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return make_error(fmt::format("cannot replace {}: {}", path, std::strerror(err)));
  }
  return ok_status();
}

}  // namespace payops
