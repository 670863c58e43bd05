// The War Room: snapshot, renderers and the refresh loop (see war_room.h).
#include "report/war_room.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "contract/config_store.h"
#include "contract/csv_tail.h"
#include "platform/exit_codes.h"
#include "platform/terminal.h"

namespace payops {

namespace {

std::string percent(double ratio) { return fmt::format("{:.1f}%", ratio * 100.0); }

// "12s", "4m05s", "2h03m": short enough for a table cell.
std::string short_duration(std::int64_t ms) {
  if (ms < 0) ms = 0;
  const std::int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

// "HH:MM:SS" of a timestamp (UTC), from the contract's form.
std::string clock_time(TimeMs t) { return format_timestamp(t).substr(11, 8); }

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The first `width` code points of s (whole UTF-8 sequences only).
std::string cut_to_width(std::string_view s, std::size_t width) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == width) return std::string(s.substr(0, i));
      ++n;
    }
  }
  return std::string(s);
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
  return fmt::format("chaos: ON, {} of attempts fail on {}", percent(s.chaos_failure_rate), targets);
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
  s.payments_per_s = options.short_window_ms > 0
                         ? static_cast<double>(window.payments) * 1000.0 / static_cast<double>(options.short_window_ms)
                         : 0.0;

  // Banks: the config's, in its order, then any the log names that the config does not.
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

  // Short-window numbers. First attempts are attempts that are not retries of an id seen earlier in
  // the window: they are what the weights steer.
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

  // Sparkline buckets over [now - n * bucket, now): attempts and successes per bank and bucket.
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

  if (config != nullptr) {
    const RoutingRules& rr = config->routing_rules;
    s.chaos_mode = rr.chaos_mode;
    s.chaos_failure_rate = rr.chaos_failure_rate;
    if (rr.chaos_targets) s.chaos_targets = *rr.chaos_targets;
    const auto& h = config->agent_history;
    for (auto it = h.rbegin(); it != h.rend() && s.history.size() < options.history_lines; ++it) {
      // Viewing the past (--at): what had not happened yet is not shown; a few seconds of clock
      // skew between writers are tolerated.
      if (it->timestamp > now_ms + kHistorySkewMs) continue;
      s.history.push_back(HistoryLine{it->timestamp, it->actor, it->action, it->reason, it->outcome});
    }
  }
  return s;
}

std::string render_status_text(const StatusSnapshot& s, const RenderOptions& options) {
  std::vector<std::string> lines;
  std::vector<std::string_view> colors;  // one per line, empty for none
  const auto add = [&](std::string line, std::string_view color = {}) {
    lines.push_back(std::move(line));
    colors.push_back(color);
  };

  add(fmt::format("payops war room  {}  window {}  sparkline {} x {}", format_timestamp(s.now_ms),
                  short_duration(s.short_window_ms), s.banks.empty() ? 0 : s.banks.front().spark.size(),
                  short_duration(s.spark_bucket_ms)),
      kBold);
  add(fmt::format("payments {:.1f}/s  success {}  ({} payments, {} attempts, {} no route)", s.payments_per_s,
                  s.payments == 0 ? std::string("-") : percent(s.payment_success_rate), s.payments, s.attempts,
                  s.no_route));
  add(chaos_line(s), s.chaos_mode ? kYellow : std::string_view{});
  add("");

  Table table({"BANK", "NAME", "WEIGHT", "SHARE", "ACTUAL", "HEALTH", "BREAKER", "SUCCESS", "P95", "ATTEMPTS",
               "SUCCESS OVER TIME"});
  for (std::size_t c : {2u, 3u, 4u, 7u, 8u, 9u}) table.align_right(c);
  std::vector<std::string_view> bank_colors;
  for (const auto& b : s.banks) {
    const bool has = b.attempts > 0;
    table.add_row({b.id, b.in_config ? b.name : "(not in config)", b.in_config ? std::to_string(b.weight) : "-",
                   b.in_config ? percent(b.configured_share) : "-", has ? percent(b.actual_share) : "-",
                   health_cell(b), b.in_config ? breaker_cell(b, s.now_ms) : "-", has ? percent(b.success_rate) : "-",
                   has ? fmt::format("{}ms", b.p95_latency_ms) : "-", std::to_string(b.attempts),
                   "|" + sparkline(b.spark, options.unicode) + "|"});
    const bool red = b.health == Health::down || b.breaker == BreakerState::open || !b.enabled;
    const bool yellow = b.health == Health::degraded || b.breaker == BreakerState::half_open;
    bank_colors.push_back(red ? kRed : yellow ? kYellow : std::string_view{});
  }
  const std::string rendered = table.render();
  std::size_t row = 0;
  for (std::size_t pos = 0; pos < rendered.size();) {
    const auto nl = rendered.find('\n', pos);
    std::string line = rendered.substr(pos, nl - pos);
    pos = nl + 1;
    add(std::move(line), row == 0 ? kBold : bank_colors[row - 1]);
    ++row;
  }

  add("");
  if (s.history.empty()) {
    add("agent history: none yet");
  } else {
    add("agent history (newest first):", kBold);
    for (const auto& h : s.history) {
      add(fmt::format("  {}  {:<11} {:<20} {:<11} {}", clock_time(h.timestamp), escape_for_terminal(h.actor),
                      escape_for_terminal(h.action), h.outcome ? to_string(*h.outcome) : std::string_view("-"),
                      escape_for_terminal(h.reason)),
          h.outcome == Outcome::ineffective ? kYellow : std::string_view{});
    }
  }
  if (s.malformed > 0) add(fmt::format("{} malformed lines skipped in the window", s.malformed), kYellow);
  for (const auto& note : s.notes) add("note: " + escape_for_terminal(note), kYellow);

  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line = options.width > 0 && code_points(lines[i]) > options.width
                           ? cut_to_width(lines[i], options.width)
                           : std::move(lines[i]);
    if (options.color && !colors[i].empty() && !line.empty()) {
      out += colors[i];
      out += line;
      out += kReset;
    } else {
      out += line;
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
      watcher_(dir_.config_json()) {}

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
  auto tail = read_tail(dir_.transactions_csv(), since, now_ms + 1);
  if (tail.ok()) {
    for (const RowView& r : tail->rows) rows.add(r);
    malformed = tail->summary.malformed;
  } else {
    notes.push_back(first_line(tail.error().message));
  }
  StatusSnapshot s = build_snapshot(watcher_.has_config() ? &watcher_.current() : nullptr, rows, now_ms, so);
  s.malformed = malformed;
  s.notes = std::move(notes);
  return s;
}

namespace {

volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int sig) { g_stop_signal = sig; }

// Installs the stop handlers (without SA_RESTART, so a sleep ends at once) and puts the old ones back.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &sa, &old_[i]);
  }
  ~StopSignals() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &old_[i], nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> old_{};
};

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

struct TermSize {
  std::size_t cols = 0, rows = 0;
};
TermSize terminal_size(std::FILE* out) {
  struct winsize ws {};
  if (ioctl(fileno(out), TIOCGWINSZ, &ws) != 0) return {};
  return {ws.ws_col, ws.ws_row};
}

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
      ro.unicode = locale_is_utf8() && use_color(o.out);
      ro.color = use_color(o.out);
      std::fputs(render_status_text(s, ro).c_str(), o.out);
    }
    return std::ferror(o.out) ? kExitFailure : kExitOk;
  }

  const bool live = !o.json && use_color(o.out);  // a terminal, and NO_COLOR unset
  StopSignals signals;
  std::optional<LiveScreen> screen;
  if (live) screen.emplace(o.out);
  RenderOptions ro;
  ro.unicode = live && locale_is_utf8();
  ro.color = live;
  for (std::uint64_t frame = 0; g_stop_signal == 0; ++frame) {
    const StatusSnapshot s = source.read(now());
    std::string text;
    if (o.json) {
      text = status_to_json(s).dump() + "\n";
    } else if (live) {
      const TermSize size = terminal_size(o.out);
      ro.width = size.cols;
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
