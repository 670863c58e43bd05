// `agent report` over a whole file: parallel scan, merge, render.
#include "agent_report.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "terminal.h"

namespace payops {
namespace {

// One thread's accumulator. The range check is two compares, so a report without --since/--until
// costs the same.
struct ReportWorker {
  TimeMs since = INT64_MIN;
  TimeMs until = INT64_MAX;
  WindowStats stats;
  void operator()(const RowView& row) {
    if (row.timestamp_ms < since || row.timestamp_ms >= until) return;
    stats.add(row);
  }
};

Result<std::string> read_all_stdin() {
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t got = ::read(STDIN_FILENO, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(fmt::format("cannot read stdin: {}", std::strerror(errno)));
    }
    if (got == 0) break;
    data.append(buf, static_cast<std::size_t>(got));
  }
  return data;
}

std::string pct(double v) { return fmt::format("{:.2f}%", v * 100.0); }

}  // namespace

Result<Report> build_report(const ReportOptions& options) {
  const TimeMs since = options.since_ms.value_or(INT64_MIN);
  const TimeMs until = options.until_ms.value_or(INT64_MAX);
  Report report;
  if (options.path == "-") {
    auto data = read_all_stdin();
    if (!data.ok()) return data.error();
    ReportWorker worker{since, until, {}};
    worker.stats.track_payments = options.payments;
    report.summary = scan_buffer(*data, 1, true, [&worker](const RowView& row) { worker(row); });
    report.stats = std::move(worker.stats);
    return report;
  }
  auto scan = scan_file_parallel<ReportWorker>(options.path, options.threads,
                                               [&] {
                                                 ReportWorker w{since, until, {}};
                                                 w.stats.track_payments = options.payments;
                                                 return w;
                                               });
  if (!scan.ok()) return scan.error();
  for (std::size_t i = 0; i < scan->workers.size(); ++i) {
    if (i == 0) {
      report.stats = std::move(scan->workers[0].stats);
    } else {
      report.stats.merge(scan->workers[i].stats);
    }
  }
  report.summary = std::move(scan->summary);
  return report;
}

Json report_to_json(const Report& r) {
  const WindowStats& w = r.stats;
  const auto tracked = [&](std::uint64_t v) { return w.track_payments ? Json(v) : Json(); };
  Json banks = Json::array();
  for (std::size_t i = 0; i < w.banks.size(); ++i) {
    const BankWindowStats& s = w.per_bank[i];
    banks.push_back(Json{{"bank_id", w.banks.id(i)},
                         {"count", s.attempts},
                         {"successes", s.successes},
                         {"success_rate", s.success_rate()},
                         {"soft_failures", s.soft_failures},
                         {"soft_failure_rate", s.soft_failure_rate()},
                         {"hard_declines", s.hard_declines},
                         {"retries", tracked(s.retries)},
                         {"avg_latency_ms", s.latency.average_ms()},
                         {"p50_latency_ms", s.latency.percentile(0.50)},
                         {"p95_latency_ms", s.latency.percentile(0.95)},
                         {"p99_latency_ms", s.latency.percentile(0.99)}});
  }
  Json malformed = Json::array();
  for (const MalformedLine& m : r.summary.first_malformed) {
    malformed.push_back(Json{{"line", m.line_number}, {"reason", to_string(m.reason)}});
  }
  return Json{{"rows", w.rows},
              {"from", w.first_ms ? Json(format_timestamp(*w.first_ms)) : Json()},
              {"to", w.last_ms ? Json(format_timestamp(*w.last_ms)) : Json()},
              {"banks", banks},
              {"no_route", w.no_route},
              {"payments", tracked(w.payments)},
              {"payments_succeeded", tracked(w.payments_succeeded)},
              {"payment_success_rate", w.track_payments ? Json(w.payment_success_rate()) : Json()},
              {"payments_hard_declined", tracked(w.payments_hard_declined)},
              {"malformed_lines", r.summary.malformed},
              {"first_malformed", malformed}};
}

std::string report_to_text(const Report& r) {
  const WindowStats& w = r.stats;
  Table table({"BANK", "COUNT", "SUCCESS", "SOFT FAIL", "HARD DECL", "RETRIES", "AVG MS", "P50", "P95", "P99"});
  for (std::size_t c = 1; c < 10; ++c) table.align_right(c);
  for (std::size_t i = 0; i < w.banks.size(); ++i) {
    const BankWindowStats& s = w.per_bank[i];
    table.add_row({escape_for_terminal(w.banks.id(i)), fmt::format("{}", s.attempts), pct(s.success_rate()),
                   pct(s.soft_failure_rate()), fmt::format("{}", s.hard_declines),
                   w.track_payments ? fmt::format("{}", s.retries) : std::string("-"),
                   fmt::format("{:.1f}", s.latency.average_ms()), fmt::format("{}", s.latency.percentile(0.50)),
                   fmt::format("{}", s.latency.percentile(0.95)), fmt::format("{}", s.latency.percentile(0.99))});
  }
  std::string out = table.render();
  out += fmt::format("NO_ROUTE rows: {}\n", w.no_route);
  if (w.track_payments) {
    out += fmt::format("payments: {} ({} succeeded, {}; {} hard-declined)\n", w.payments, w.payments_succeeded,
                       pct(w.payment_success_rate()), w.payments_hard_declined);
  } else {
    out += "payments and retries: not tracked (--no-payments)\n";
  }
  if (w.first_ms) out += fmt::format("rows: {} from {} to {}\n", w.rows, format_timestamp(*w.first_ms), format_timestamp(*w.last_ms));
  if (r.summary.malformed > 0) out += r.summary.describe() + "\n";
  return out;
}

}  // namespace payops
