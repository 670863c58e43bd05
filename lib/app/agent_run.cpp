// `agent once` and `agent run`: the flags become CycleOptions, then one cycle, a stream of cycles
// (--input) or the daemon's loop.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "agent/llm_reasoner.h"
#include "agent/observation.h"
#include "app/agent_commands.h"
#include "app/agent_flags.h"
#include "contract/config_store.h"
#include "contract/data_dir.h"
#include "platform/clock.h"
#include "platform/exit_codes.h"
#include "platform/http_client.h"
#include "platform/stop_signal.h"
#include "platform/time_util.h"

namespace payops {
namespace {

// Everything a cycle needs from the flags. The second reasoner captures members by reference, so a
// setup stays where it was built (no copies, no moves) once install_second_reasoner ran.
struct CycleSetup {
  DataDir dir;
  CycleOptions options;
  LlmSettings llm;
  std::int64_t lock_timeout_ms = 5000;
  bool uses_llm = false;
};

// The LLM flags (checked only when an LLM is asked); warns when the default endpoint has no key.
Status read_llm_flags(const AgentFlags& flags, CycleSetup& setup) {
  setup.uses_llm = flags.reasoner == "llm" || !flags.shadow.empty();
  if (!setup.uses_llm) return ok_status();
  const auto timeout = positive_duration(flags.llm_timeout);
  if (!timeout) return make_error(fmt::format("--llm-timeout must be a positive duration, got \"{}\"", flags.llm_timeout));
  setup.llm.timeout_ms = *timeout;
  if (const char* key = std::getenv("OPENROUTER_API_KEY")) setup.llm.api_key = key;
  if (setup.llm.api_key.empty() && setup.llm.endpoint == kDefaultLlmEndpoint)
    fmt::print(stderr, "agent: OPENROUTER_API_KEY is not set; LLM calls will fail and the rules will decide\n");
  return ok_status();
}

// The window, lock, cooldown and dwell flags into setup; a usage sentence naming the flag on a bad one.
Status read_cycle_flags(const AgentFlags& flags, CycleSetup& setup) {
  const auto short_ms = positive_duration(flags.short_window), long_ms = positive_duration(flags.long_window);
  const auto lock_ms = parse_duration_ms(flags.lock_timeout), cooldown_ms = parse_duration_ms(flags.operator_cooldown);
  if (!short_ms)
    return make_error(fmt::format("--short-window must be a positive duration like 30s, got \"{}\"", flags.short_window));
  if (!long_ms) return make_error(fmt::format("--long-window must be a positive duration like 5m, got \"{}\"", flags.long_window));
  if (!lock_ms || *lock_ms < 0)
    return make_error(fmt::format("--lock-timeout must be a duration like 5s, got \"{}\"", flags.lock_timeout));
  if (!cooldown_ms || *cooldown_ms < 0)
    return make_error(fmt::format("--operator-cooldown must be a duration like 120s, got \"{}\"", flags.operator_cooldown));
  const auto dwell_ms = parse_duration_ms(flags.min_dwell);
  if (!dwell_ms || *dwell_ms < 0)
    return make_error(fmt::format("--min-dwell must be a duration like 60s, got \"{}\"", flags.min_dwell));
  setup.options.observe.short_window_ms = *short_ms;
  setup.options.observe.long_window_ms = *long_ms;
  setup.options.rules.operator_cooldown_ms = *cooldown_ms;
  setup.options.rules.min_dwell_ms = *dwell_ms;
  setup.lock_timeout_ms = *lock_ms;
  setup.options.dry_run = flags.dry_run;
  setup.options.reasoner = "rules";
  return ok_status();
}

Status read_setup(const AgentFlags& flags, CycleSetup& setup) {
  setup.dir = resolve_data_dir(flags.data_dir);
  setup.options = flags.cycle;
  setup.llm = flags.llm;
  if (auto s = read_llm_flags(flags, setup); !s.ok()) return s;
  return read_cycle_flags(flags, setup);
}

// With --reasoner llm or --shadow llm: the LLM asked after the rules on every cycle.
void install_second_reasoner(CycleSetup& setup, HttpClient& http, bool shadow, bool streaming) {
  if (!setup.uses_llm) return;
  setup.options.shadow = shadow;
  setup.options.second_reasoner = [&setup, &http, streaming](const Config& config, const Observation& obs,
                                                             const Decision& rules_decision) {
    // Log text for the model: only from the data dir's log (a stream keeps no messages).
    const std::vector<LogSample> log_samples =
        streaming ? std::vector<LogSample>{} : sample_log_messages(setup.dir.transactions_csv(), obs.short_since(), 3);
    LlmOutcome outcome = decide_llm(http, setup.llm, config, obs, log_samples, rules_decision, setup.options.rules);
    ReasonerVerdict verdict{std::move(outcome.decision), outcome.used_llm ? "llm:" + setup.llm.model : "rules",
                            outcome.fallback_why, std::move(outcome.trace), {}};
    if (outcome.used_llm) {
      verdict.recheck = [content = verdict.trace.value("content", std::string()), now = obs.now_ms,
                         rules = setup.options.rules](const Config& locked) -> Status {
        auto again = vet_llm_answer(content, locked, now, rules);
        if (!again.ok()) return again.error();
        return ok_status();
      };
    }
    return verdict;
  };
}

// The data dir's log; a log that does not exist yet is an empty one (nothing has happened).
ObserveFn observe_data_dir_log(const CycleSetup& setup) {
  return [&setup](TimeMs now) -> Result<Observation> {
    auto obs = observe_log(setup.dir.transactions_csv(), now, setup.options.observe);
    if (!obs.ok() && obs.error().kind == Error::Kind::not_found) return observe_rows(RowWindow{}, now, setup.options.observe);
    return obs;
  };
}

ConfigStore open_store(const CycleSetup& setup) {
  ConfigStoreOptions store_options;
  store_options.lock_timeout_ms = setup.lock_timeout_ms;
  return ConfigStore(setup.dir, store_options);
}

void print_cycle(const CycleReport& r, bool json) {
  if (json) {
    fmt::print("{}\n", cycle_report_to_json(r).dump());
  } else {
    fmt::print("{}", cycle_report_to_text(r));
  }
  std::fflush(stdout);
}

// `agent run --input FILE|-`: cycles in the rows' event time until the end of the input or a signal.
int run_input_stream(const CycleSetup& setup, ConfigStore& store, const std::string& input, std::int64_t interval_ms,
                     bool json) {
  int fd = STDIN_FILENO;
  if (input != "-") {
    fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return agent_fail(make_error(fmt::format("cannot open {}: {}", input, std::strerror(errno))));
  }
  int code = kExitOk;
  auto status = run_stream(
      store, fd, interval_ms, setup.options,
      [&](const Result<CycleReport>& r) {
        if (!r.ok()) {
          code = agent_fail(r.error());
          return r.error().kind != Error::Kind::invalid_config && r.error().kind != Error::Kind::not_found;
        }
        print_cycle(*r, json);
        return true;
      },
      [] { return stop_requested(); });
  if (fd != STDIN_FILENO) ::close(fd);
  if (!status.ok()) return agent_fail(status.error());
  return code;
}

// The daemon: a failing first cycle (no config, broken config) ends it with that error; later
// failures (a lock held for a while, a human's broken edit) are reported and the next cycle retries.
int run_daemon(const CycleSetup& setup, ConfigStore& store, std::int64_t interval_ms, bool json) {
  const ObserveFn observe = observe_data_dir_log(setup);
  bool first = true;
  Clock& clock = SystemClock::instance();
  while (!stop_requested()) {
    const TimeMs started = clock.now_ms();
    auto r = run_cycle(store, clock, observe, setup.options);
    if (!r.ok()) {
      if (first) return agent_fail(r.error());
      fmt::print(stderr, "agent: {} (retrying next cycle)\n", r.error().message);
    } else {
      print_cycle(*r, json);
    }
    first = false;
    if (stop_requested()) break;
    clock.sleep_ms(started + interval_ms - clock.now_ms());
  }
  return kExitOk;
}

}  // namespace

int agent_once(const AgentFlags& flags) {
  // A flag, not an environment variable: a stray PAYOPS_NOW in a shell must never move a real agent's clock.
  std::optional<TimeMs> virtual_now;
  if (!flags.now.empty()) {
    virtual_now = parse_timestamp(flags.now);
    if (!virtual_now)
      return agent_usage(fmt::format("--now must be a timestamp like 2026-11-22T12:00:05.000Z, got \"{}\"", flags.now));
  }
  CycleSetup setup;
  if (auto s = read_setup(flags, setup); !s.ok()) return agent_usage(s.error().message);
  CurlHttpClient http;
  install_second_reasoner(setup, http, !flags.shadow.empty(), false);
  ConfigStore store = open_store(setup);
  ManualClock fixed(virtual_now.value_or(0));
  if (virtual_now) setup.options.cycle_id_tag = "virtual";
  auto r = run_cycle(store, virtual_now ? static_cast<Clock&>(fixed) : SystemClock::instance(),
                     observe_data_dir_log(setup), setup.options);
  if (!r.ok()) return agent_fail(r.error());
  print_cycle(*r, flags.json);
  return kExitOk;
}

int agent_run(const AgentFlags& flags, const AgentRunFlags& run) {
  if (auto s = refuse_virtual_now(flags); !s.ok()) return agent_usage(s.error().message);
  CycleSetup setup;
  if (auto s = read_setup(flags, setup); !s.ok()) return agent_usage(s.error().message);
  const bool streaming = !run.input.empty();
  CurlHttpClient http;
  install_second_reasoner(setup, http, !flags.shadow.empty(), streaming);
  ConfigStore store = open_store(setup);
  const auto interval_ms = positive_duration(run.interval);
  if (!interval_ms) return agent_usage(fmt::format("--interval must be a positive duration like 10s, got \"{}\"", run.interval));
  install_stop_handlers();
  // Keep cycles that run back to back (short intervals) from mistaking each other for a rival.
  setup.options.min_cycle_gap_ms = std::min<std::int64_t>(setup.options.min_cycle_gap_ms, *interval_ms / 2);
  if (streaming) return run_input_stream(setup, store, run.input, *interval_ms, flags.json);
  return run_daemon(setup, store, *interval_ms, flags.json);
}

}  // namespace payops
