// The War Room: snapshot, renderers and the refresh loop (see war_room.h).
#include "report/war_room.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "contract/config_store.h"
#include "contract/csv_tail.h"
#include "platform/exit_codes.h"
#include "platform/stop_signal.h"
#include "platform/terminal.h"

namespace payops {

namespace {


// "12s", "4m05s", "2h03m": short enough for a table cell.
std::string short_duration(std::int64_t ms) {
  if (ms < 0) ms = 0;
  const std::int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

std::string first_line(std::string_view s) {
  const auto nl = s.find('\n');
  return std::string(nl == std::string_view::npos ? s : s.substr(0, nl));
}

// The breaker cell: its state and how long it has been so / until it half-opens.
std::string breaker_cell(const BankSnapshot& b, TimeMs now_ms) {
  switch (b.breaker) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::open:
      if (!b.opened_at) return "open";
      return fmt::format("open {} (half-open in {})", short_duration(now_ms - *b.opened_at),
                         short_duration(*b.opened_at + b.open_duration_s * 1000 - now_ms));
    case BreakerState::half_open:
      if (!b.opened_at) return "half_open";
      return fmt::format("half_open {}", short_duration(now_ms - (*b.opened_at + b.open_duration_s * 1000)));
  }
  return "?";
}

// The breaker cell for narrow terminals: an open breaker says when it half-opens (lets a probe
// through), which is what an operator waits for; how long it has been open is in the wide form.
std::string breaker_cell_compact(const BankSnapshot& b, TimeMs now_ms) {
  if (b.breaker != BreakerState::open || !b.opened_at) return breaker_cell(b, now_ms);
  return fmt::format("open, probe in {}", short_duration(*b.opened_at + b.open_duration_s * 1000 - now_ms));
}

std::string health_cell(const BankSnapshot& b) {
  if (!b.in_config) return "-";
  std::string s(to_string(b.health));
  if (!b.enabled) s += " (disabled)";
  return s;
}

std::string chaos_line(const StatusSnapshot& s) {
  if (!s.chaos_mode) return "chaos: off";
  std::string targets = "all banks";
  if (!s.chaos_targets.empty()) {
    targets.clear();
    for (const auto& t : s.chaos_targets) targets += (targets.empty() ? "" : ", ") + t;
  }
  return fmt::format("chaos: ON, {} of attempts fail on {}", format_percent(s.chaos_failure_rate), targets);
}

constexpr std::int64_t kHistorySkewMs = 5000;

constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReset = "\x1b[0m";

}  // namespace

std::string sparkline(const std::vector<std::optional<double>>& values, bool unicode) {
  static constexpr std::array<std::string_view, 8> kBlocks = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  static constexpr std::string_view kAscii = "_.,-=+*#";
  std::string out;
  for (const auto& v : values) {
    if (!v) {
      out += ' ';
      continue;
    }
    const double clamped = std::clamp(*v, 0.0, 1.0);
    const auto level = static_cast<std::size_t>(std::lround(clamped * 7.0));
    if (unicode) {
      out += kBlocks[level];
    } else {
      out += kAscii[level];
    }
  }
  return out;
}

namespace {

// The config's banks, in its order, then any the log names that the config does not.
void add_banks(const Config* config, const RowWindow& rows, StatusSnapshot& s) {
  if (config != nullptr) {
    const std::vector<double> shares = traffic_shares(*config);
    for (std::size_t i = 0; i < config->banks.size(); ++i) {
      const Bank& bank = config->banks[i];
      BankSnapshot b;
      b.id = bank.id;
      b.name = bank.name;
      b.weight = bank.weight;
      b.enabled = bank.enabled;
      b.configured_share = shares[i];
      b.health = bank.health_status;
      b.breaker = bank.circuit_breaker.state;
      b.opened_at = bank.circuit_breaker.opened_at;
      b.open_duration_s = bank.circuit_breaker.open_duration_s;
      s.banks.push_back(std::move(b));
    }
  }
  for (std::size_t i = 0; i < rows.banks().size(); ++i) {
    const std::string& id = rows.banks().id(i);
    if (id.empty()) continue;
    const bool known = std::any_of(s.banks.begin(), s.banks.end(), [&](const BankSnapshot& b) { return b.id == id; });
    if (known) continue;
    BankSnapshot b;
    b.id = id;
    b.in_config = false;
    s.banks.push_back(std::move(b));
  }
}

// Short-window numbers. First attempts are attempts that are not retries of an id seen earlier in
// the window: they are what the weights steer.
void fill_short_window(const WindowStats& window, StatusSnapshot& s) {
  std::uint64_t first_attempts_total = 0;
  for (const auto& st : window.per_bank) first_attempts_total += st.attempts - st.retries;
  for (auto& b : s.banks) {
    const BankWindowStats* st = window.find(b.id);
    if (st == nullptr) continue;
    b.attempts = st->attempts;
    b.success_rate = st->success_rate();
    b.p95_latency_ms = st->latency.percentile(0.95);
    b.actual_share = BankWindowStats::ratio(st->attempts - st->retries, first_attempts_total);
  }
}

// Sparkline buckets over [now - n * bucket, now): the success rate per bank and bucket.
void fill_sparklines(const RowWindow& rows, TimeMs now_ms, const SnapshotOptions& options, StatusSnapshot& s) {
  const std::size_t n = options.spark_buckets;
  const TimeMs spark_start = now_ms - static_cast<std::int64_t>(n) * options.spark_bucket_ms;
  std::vector<std::size_t> slot_of_bank(rows.banks().size(), s.banks.size());
  for (std::size_t i = 0; i < rows.banks().size(); ++i)
    for (std::size_t j = 0; j < s.banks.size(); ++j)
      if (s.banks[j].id == rows.banks().id(i)) slot_of_bank[i] = j;
  std::vector<std::uint64_t> attempts(s.banks.size() * n, 0), successes(s.banks.size() * n, 0);
  if (options.spark_bucket_ms > 0) {
    for (const CompactRow& r : rows.rows()) {
      if (r.timestamp_ms < spark_start || r.timestamp_ms >= now_ms || r.bank == kNoBank) continue;
      const std::size_t slot = slot_of_bank[r.bank];
      if (slot >= s.banks.size()) continue;
      const auto bucket = static_cast<std::size_t>((r.timestamp_ms - spark_start) / options.spark_bucket_ms);
      if (bucket >= n) continue;
      ++attempts[slot * n + bucket];
      if (r.status == TxnStatus::success) ++successes[slot * n + bucket];
    }
  }
  for (std::size_t j = 0; j < s.banks.size(); ++j) {
    s.banks[j].spark.resize(n);
    for (std::size_t k = 0; k < n; ++k)
      if (attempts[j * n + k] > 0)
        s.banks[j].spark[k] = BankWindowStats::ratio(successes[j * n + k], attempts[j * n + k]);
  }
}

// Chaos settings and the newest history lines, as of now_ms.
void fill_chaos_and_history(const Config& config, TimeMs now_ms, const SnapshotOptions& options, StatusSnapshot& s) {
  const RoutingRules& rr = config.routing_rules;
  s.chaos_mode = rr.chaos_mode;
  s.chaos_failure_rate = rr.chaos_failure_rate;
  if (rr.chaos_targets) s.chaos_targets = *rr.chaos_targets;
  const auto& h = config.agent_history;
  for (auto it = h.rbegin(); it != h.rend() && s.history.size() < options.history_lines; ++it) {
    // Viewing the past (--at): what had not happened yet is not shown; a few seconds of clock
    // skew between writers are tolerated.
    if (it->timestamp > now_ms + kHistorySkewMs) continue;
    s.history.push_back(HistoryLine{it->timestamp, it->actor, it->action, it->reason, it->outcome});
  }
}

}  // namespace

StatusSnapshot build_snapshot(const Config* config, const RowWindow& rows, TimeMs now_ms,
                              const SnapshotOptions& options) {
  StatusSnapshot s;
  s.now_ms = now_ms;
  s.short_window_ms = options.short_window_ms;
  s.spark_bucket_ms = options.spark_bucket_ms;

  const WindowStats window = rows.stats(now_ms - options.short_window_ms, now_ms);
  s.attempts = window.rows;
  s.payments = window.payments;
  s.no_route = window.no_route;
  s.payment_success_rate = window.payment_success_rate();
  s.rate_span_ms = options.short_window_ms;
  if (options.log_start_ms && *options.log_start_ms > now_ms - options.short_window_ms)
    s.rate_span_ms = std::max<std::int64_t>(now_ms - *options.log_start_ms, 1000);  // no 1-row spike to 1000/s
  s.payments_per_s = s.rate_span_ms > 0
                         ? static_cast<double>(window.payments) * 1000.0 / static_cast<double>(s.rate_span_ms)
                         : 0.0;
  if (config != nullptr) s.agent = agent_liveness(*config, now_ms);

  add_banks(config, rows, s);
  fill_short_window(window, s);
  fill_sparklines(rows, now_ms, options, s);
  if (config != nullptr) fill_chaos_and_history(*config, now_ms, options, s);
  return s;
}

namespace {

// The bank table's columns in display order: the numbers a person watches first (success, p95 and
// the sparkline), then state and weights, the name last.
enum ColumnId : std::size_t { kBank, kSuccess, kP95, kSpark, kHealth, kBreaker, kWeight, kShare, kActual, kAttempts, kName, kColumnCount };

// One column of the bank table: a header, one cell per bank in a wide form and (breaker and health
// only) a compact form for narrow terminals.
struct Column {
  std::string header;
  std::vector<std::string> wide;
  std::vector<std::string> compact;  // empty: the column has no compact form
  bool right = false;
  bool use_compact = false;
  bool shown = true;

  const std::vector<std::string>& cells() const { return use_compact ? compact : wide; }
  // Columns on screen: cells are escaped by Table before they are shown, so measure them escaped.
  std::size_t width() const {
    std::size_t w = display_width(header);
    for (const auto& c : cells()) w = std::max(w, display_width(escape_for_terminal(c)));
    return w;
  }
};

std::size_t table_width(const std::array<Column, kColumnCount>& columns) {
  std::size_t total = 0, shown = 0;
  for (const auto& c : columns)
    if (c.shown) total += c.width(), ++shown;
  return shown == 0 ? 0 : total + 2 * (shown - 1);
}

std::array<Column, kColumnCount> bank_columns(const StatusSnapshot& s, bool unicode) {
  std::array<Column, kColumnCount> col;
  const char* headers[kColumnCount] = {"BANK", "SUCCESS", "P95", "SUCCESS OVER TIME", "HEALTH", "BREAKER",
                                       "WEIGHT", "SHARE", "ACTUAL", "ATTEMPTS", "NAME"};
  for (std::size_t i = 0; i < kColumnCount; ++i) col[i].header = headers[i];
  for (std::size_t i : {kSuccess, kP95, kWeight, kShare, kActual, kAttempts}) col[i].right = true;
  for (const auto& b : s.banks) {
    const bool has = b.attempts > 0;
    col[kBank].wide.push_back(b.id);
    col[kSuccess].wide.push_back(has ? format_percent(b.success_rate) : "-");
    col[kP95].wide.push_back(has ? fmt::format("{}ms", b.p95_latency_ms) : "-");
    col[kSpark].wide.push_back(fmt::format("|{}|", sparkline(b.spark, unicode)));  // not "|" + ...: gcc 12 -Wrestrict
    col[kHealth].wide.push_back(health_cell(b));
    col[kHealth].compact.push_back(!b.in_config ? "-" : b.enabled ? std::string(to_string(b.health)) : "disabled");
    col[kBreaker].wide.push_back(b.in_config ? breaker_cell(b, s.now_ms) : "-");
    col[kBreaker].compact.push_back(b.in_config ? breaker_cell_compact(b, s.now_ms) : "-");
    col[kWeight].wide.push_back(b.in_config ? std::to_string(b.weight) : "-");
    col[kShare].wide.push_back(b.in_config ? format_percent(b.configured_share) : "-");
    col[kActual].wide.push_back(has ? format_percent(b.actual_share) : "-");
    col[kAttempts].wide.push_back(std::to_string(b.attempts));
    col[kName].wide.push_back(b.in_config ? b.name : "(not in config)");
  }
  return col;
}

// Narrows the table to `width` columns (0: no limit) one step at a time: compact breaker and health
// cells first, then columns dropped from the least watched (the name) up. Bank, success, p95 and the
// sparkline always stay: at 80 columns they take about 45.
void fit_columns(std::array<Column, kColumnCount>& col, std::size_t width) {
  if (width == 0) return;
  const std::size_t ladder[] = {kBreaker, kHealth, kName, kAttempts, kShare, kActual, kWeight, kBreaker, kHealth};
  bool compacted[kColumnCount] = {};
  for (const std::size_t id : ladder) {
    if (table_width(col) <= width) return;
    if (!compacted[id] && !col[id].compact.empty()) {
      col[id].use_compact = compacted[id] = true;
    } else {
      col[id].shown = false;
    }
  }
}

// A line of at most `width` code points (0: no limit); a longer one ends in an ellipsis so the cut is
// visible.
std::string fit_line(std::string line, std::size_t width, bool unicode) {
  if (width == 0 || display_width(line) <= width) return line;
  const std::string_view mark = unicode ? "…" : "~";
  return fit_to_columns(line, width - 1) + std::string(mark);
}

struct Line {
  std::string text;
  std::string_view color;  // empty: none
};

std::vector<Line> bank_table_lines(const StatusSnapshot& s, const RenderOptions& options) {
  auto col = bank_columns(s, options.unicode);
  fit_columns(col, options.width);
  std::vector<std::string> header;
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < kColumnCount; ++i)
    if (col[i].shown) header.push_back(col[i].header), shown.push_back(i);
  Table table(header);
  for (std::size_t k = 0; k < shown.size(); ++k)
    if (col[shown[k]].right) table.align_right(k);
  for (std::size_t row = 0; row < s.banks.size(); ++row) {
    std::vector<std::string> cells;
    for (const std::size_t i : shown) cells.push_back(col[i].cells()[row]);
    table.add_row(std::move(cells));
  }
  std::vector<Line> lines;
  const std::string rendered = table.render();
  for (std::size_t pos = 0, row = 0; pos < rendered.size(); ++row) {
    const auto nl = rendered.find('\n', pos);
    std::string_view color = kBold;
    if (row > 0) {
      const BankSnapshot& b = s.banks[row - 1];
      const bool red = b.health == Health::down || b.breaker == BreakerState::open || !b.enabled;
      const bool yellow = b.health == Health::degraded || b.breaker == BreakerState::half_open;
      color = red ? kRed : yellow ? kYellow : std::string_view{};
    }
    lines.push_back({rendered.substr(pos, nl - pos), color});
    pos = nl + 1;
  }
  return lines;
}

// What the sparkline's characters mean, drawn with the same function as the bars.
std::string spark_legend(const StatusSnapshot& s, bool unicode) {
  return fmt::format("sparkline: success per {}, oldest left  {} 0%  {} 50%  {} 100%  blank: none",
                     short_duration(s.spark_bucket_ms), sparkline({0.0}, unicode), sparkline({0.5}, unicode),
                     sparkline({1.0}, unicode));
}

std::vector<Line> history_lines(const StatusSnapshot& s, std::size_t max_entries) {
  if (s.history.empty()) return {{"agent history: none yet", {}}};
  if (max_entries == 0) return {};
  const std::size_t n = std::min(max_entries, s.history.size());
  std::vector<Line> lines;
  lines.push_back({n < s.history.size() ? fmt::format("agent history (newest {} of {}):", n, s.history.size())
                                        : std::string("agent history (newest first):"),
                   kBold});
  for (std::size_t i = 0; i < n; ++i) {
    const HistoryLine& h = s.history[i];
    lines.push_back({fmt::format("  {}  {:<11} {:<20} {:<11} {}", clock_time(h.timestamp), escape_for_terminal(h.actor),
                                 escape_for_terminal(h.action), h.outcome ? to_string(*h.outcome) : std::string_view("-"),
                                 escape_for_terminal(h.reason)),
                     h.outcome == Outcome::ineffective ? kYellow : std::string_view{}});
  }
  return lines;
}

}  // namespace

std::string render_status_text(const StatusSnapshot& s, const RenderOptions& options) {
  std::vector<Line> lines;
  lines.push_back({fmt::format("payops war room  {}  window {}  sparkline {}", format_timestamp(s.now_ms),
                               short_duration(s.short_window_ms),
                               short_duration(s.spark_bucket_ms * static_cast<std::int64_t>(
                                                                      s.banks.empty() ? 0 : s.banks.front().spark.size()))),
                   kBold});
  lines.push_back({fmt::format("payments {:.1f}/s  success {}  ({} payments, {} attempts, {} no route)", s.payments_per_s,
                               s.payments == 0 ? std::string("-") : format_percent(s.payment_success_rate), s.payments,
                               s.attempts, s.no_route),
                   {}});
  // Is the agent alive? Its line is part of the fixed layout, so it never gives way to the history.
  lines.push_back({liveness_line(s.agent), s.agent.stale ? kYellow : std::string_view{}});
  lines.push_back({chaos_line(s), s.chaos_mode ? kYellow : std::string_view{}});
  lines.push_back({"", {}});
  for (auto& l : bank_table_lines(s, options)) lines.push_back(std::move(l));
  lines.push_back({spark_legend(s, options.unicode), {}});
  if (s.malformed > 0) lines.push_back({fmt::format("{} malformed lines skipped in the window", s.malformed), kYellow});
  for (const auto& note : s.notes) lines.push_back({"note: " + escape_for_terminal(note), kYellow});

  // The history takes the rows that are left (a frame taller than the terminal would scroll).
  std::size_t entries = s.history.size();
  if (options.height > 0) {
    const std::size_t fixed = lines.size() + 2;  // + the blank line and the history's title
    entries = options.height > fixed ? std::min(entries, options.height - fixed) : 0;
  }
  const std::vector<Line> history = history_lines(s, entries);
  if (!history.empty()) {
    lines.push_back({"", {}});
    for (const auto& l : history) lines.push_back(l);
  }

  std::string out;
  for (auto& l : lines) {
    const std::string text = fit_line(std::move(l.text), options.width, options.unicode);
    if (options.color && !l.color.empty() && !text.empty()) {
      out += l.color;
      out += text;
      out += kReset;
    } else {
      out += text;
    }
    out += '\n';
  }
  return out;
}

Json status_to_json(const StatusSnapshot& s) {
  const auto opt_time = [](const std::optional<TimeMs>& t) { return t ? Json(format_timestamp(*t)) : Json(nullptr); };
  Json banks = Json::array();
  for (const auto& b : s.banks) {
    Json spark = Json::array();
    for (const auto& v : b.spark) spark.push_back(v ? Json(*v) : Json(nullptr));
    Json breaker = {{"state", to_string(b.breaker)}, {"opened_at", opt_time(b.opened_at)},
                    {"open_duration_s", b.open_duration_s}};
    if (b.opened_at) {
      const TimeMs half_open_at = *b.opened_at + b.open_duration_s * 1000;
      if (b.breaker == BreakerState::open) {
        breaker["open_for_ms"] = s.now_ms - *b.opened_at;
        breaker["half_open_in_ms"] = std::max<std::int64_t>(0, half_open_at - s.now_ms);
      }
    }
    banks.push_back(Json{{"id", b.id},
                         {"name", b.name},
                         {"in_config", b.in_config},
                         {"weight", b.weight},
                         {"enabled", b.enabled},
                         {"configured_share", b.configured_share},
                         {"actual_share", b.actual_share},
                         {"health_status", to_string(b.health)},
                         {"circuit_breaker", breaker},
                         {"attempts", b.attempts},
                         {"success_rate", b.attempts ? Json(b.success_rate) : Json(nullptr)},
                         {"p95_latency_ms", b.attempts ? Json(b.p95_latency_ms) : Json(nullptr)},
                         {"success_rate_buckets", spark}});
  }
  Json history = Json::array();
  for (const auto& h : s.history)
    history.push_back(Json{{"timestamp", format_timestamp(h.timestamp)},
                           {"actor", h.actor},
                           {"action", h.action},
                           {"reason", h.reason},
                           {"outcome", h.outcome ? Json(to_string(*h.outcome)) : Json(nullptr)}});
  return Json{{"now", format_timestamp(s.now_ms)},
              {"short_window_s", s.short_window_ms / 1000},
              {"bucket_s", s.spark_bucket_ms / 1000},
              {"payments", s.payments},
              {"payments_per_s", s.payments_per_s},
              {"rate_span_s", static_cast<double>(s.rate_span_ms) / 1000.0},
              {"agent", liveness_to_json(s.agent)},
              {"payment_success_rate", s.payments ? Json(s.payment_success_rate) : Json(nullptr)},
              {"attempts", s.attempts},
              {"no_route", s.no_route},
              {"chaos", {{"mode", s.chaos_mode}, {"failure_rate", s.chaos_failure_rate}, {"targets", s.chaos_targets}}},
              {"banks", banks},
              {"agent_history", history},
              {"malformed_rows", s.malformed},
              {"notes", s.notes}};
}

bool locale_is_utf8() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') continue;
    std::string lower(v);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find("utf-8") != std::string::npos || lower.find("utf8") != std::string::npos;
  }
  return false;
}

StatusSource::StatusSource(DataDir dir, std::int64_t short_window_ms, std::int64_t long_window_ms)
    : dir_(std::move(dir)),
      short_window_ms_(short_window_ms),
      long_window_ms_(long_window_ms),
      watcher_(dir_.config_json()),
      log_watch_(dir_.transactions_csv()) {}

std::string StatusSource::config_problem() const {
  if (watcher_.has_config()) return {};
  if (!rejected_.empty()) return rejected_;
  return fmt::format("no {}: run `config-tool init` first", dir_.config_json());
}

StatusSnapshot StatusSource::read(TimeMs now_ms) {
  std::vector<std::string> notes;
  switch (watcher_.poll()) {
    case ConfigWatcher::Poll::reloaded: rejected_.clear(); break;
    case ConfigWatcher::Poll::rejected: rejected_ = first_line(watcher_.last_error()); break;
    case ConfigWatcher::Poll::missing: rejected_.clear(); break;
    case ConfigWatcher::Poll::unchanged: break;
  }
  if (!watcher_.has_config() && rejected_.empty())
    notes.push_back(fmt::format("no {} yet (run `config-tool init`)", dir_.config_json()));
  if (!rejected_.empty())
    notes.push_back((watcher_.has_config() ? "config rejected, showing the last good copy: " : "config rejected: ") +
                    rejected_);

  SnapshotOptions so;
  so.short_window_ms = short_window_ms_;
  so.spark_buckets = 20;
  so.spark_bucket_ms = std::max<std::int64_t>(1000, long_window_ms_ / static_cast<std::int64_t>(so.spark_buckets));
  const TimeMs since = std::min(now_ms - so.spark_bucket_ms * static_cast<std::int64_t>(so.spark_buckets),
                                now_ms - short_window_ms_);

  RowWindow rows;
  std::uint64_t malformed = 0;
  for (std::string& said : log_watch_.look(now_ms)) notes.push_back(std::move(said));
  auto tail = read_tail(dir_.transactions_csv(), since, now_ms + 1);
  if (tail.ok()) {
    for (const RowView& r : tail->rows) rows.add(r);
    malformed = tail->summary.malformed;
    // Read from the start of the file: the first row is the log's first, so the log may be younger
    // than the window.
    if (tail->file_offset == 0 && !tail->rows.empty()) so.log_start_ms = tail->rows.front().timestamp_ms;
  } else if (!log_watch_.missing()) {  // a missing log is already a note
    notes.push_back(first_line(tail.error().message));
  }
  StatusSnapshot s = build_snapshot(watcher_.has_config() ? &watcher_.current() : nullptr, rows, now_ms, so);
  s.malformed = malformed;
  s.notes = std::move(notes);
  return s;
}

namespace {

// The alternate screen with the cursor hidden, for as long as it lives; on every way out (return,
// signal-ended loop, exception) the terminal gets its normal screen and cursor back.
class LiveScreen {
 public:
  explicit LiveScreen(std::FILE* out) : out_(out) {
    std::fputs("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J", out_);
    std::fflush(out_);
  }
  ~LiveScreen() {
    std::fputs("\x1b[0m\x1b[?25h\x1b[?1049l", out_);
    std::fflush(out_);
  }
  LiveScreen(const LiveScreen&) = delete;
  LiveScreen& operator=(const LiveScreen&) = delete;

 private:
  std::FILE* out_;
};

// A frame for the live screen: each line cleared to its end, at most `rows` lines (a taller frame
// would scroll and break the redraw), then everything below cleared.
std::string live_frame(const std::string& text, std::size_t rows) {
  std::string out = "\x1b[H";
  std::size_t n = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto nl = text.find('\n', pos);
    if (rows > 0 && n + 1 >= rows) break;  // keep the last row free: writing it could scroll
    out.append(text, pos, nl - pos);
    out += "\x1b[K\r\n";
    pos = nl + 1;
    ++n;
  }
  out += "\x1b[J";
  return out;
}

}  // namespace

int run_status(const StatusOptions& o) {
  Clock& clock = o.clock != nullptr ? *o.clock : SystemClock::instance();
  StatusSource source(o.data_dir, o.short_window_ms, o.long_window_ms);
  const auto now = [&] { return o.at_ms ? *o.at_ms : clock.now_ms(); };

  if (!o.watch) {
    StatusSnapshot s = source.read(now());
    if (!source.has_config()) {
      std::fprintf(stderr, "agent status: %s\n", source.config_problem().c_str());
      return kExitInvalidConfig;
    }
    if (o.json) {
      std::fputs((status_to_json(s).dump() + "\n").c_str(), o.out);
    } else {
      RenderOptions ro;
      ro.unicode = locale_is_utf8() && is_terminal(o.out);
      ro.color = use_color(o.out);
      ro.width = terminal_size(o.out).cols;  // 0 when not a terminal: no limit
      std::fputs(render_status_text(s, ro).c_str(), o.out);
    }
    return std::ferror(o.out) ? kExitFailure : kExitOk;
  }

  // On a terminal the view redraws in place; NO_COLOR only takes the colours away.
  const bool live = !o.json && is_terminal(o.out);
  const ScopedStopHandlers signals;
  std::optional<LiveScreen> screen;
  if (live) screen.emplace(o.out);
  RenderOptions ro;
  ro.unicode = live && locale_is_utf8();
  ro.color = live && use_color(o.out);
  for (std::uint64_t frame = 0; !stop_requested(); ++frame) {
    const StatusSnapshot s = source.read(now());
    std::string text;
    if (o.json) {
      text = status_to_json(s).dump() + "\n";
    } else if (live) {
      const TerminalSize size = terminal_size(o.out);
      ro.width = size.cols;
      ro.height = size.rows > 0 ? size.rows - 1 : 0;  // live_frame keeps the last row free
      text = live_frame(render_status_text(s, ro), size.rows);
    } else {
      text = render_status_text(s, ro) + "\n";  // a blank line between blocks
    }
    std::fwrite(text.data(), 1, text.size(), o.out);
    std::fflush(o.out);
    if (std::ferror(o.out)) return kExitFailure;
    if (o.max_frames > 0 && frame + 1 >= o.max_frames) break;
    clock.sleep_ms(o.interval_ms);
  }
  return kExitOk;
}

}  // namespace payops
