// config-tool commands over the config store.
#include "app/config_tool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "platform/clock.h"
#include "contract/config_limits.h"
#include "contract/config_paths.h"
#include "contract/config_store.h"
#include "contract/csv_appender.h"
#include "platform/exit_codes.h"
#include "platform/terminal.h"
#include "contract/transaction.h"

namespace payops {
namespace {

ConfigStore make_store(const ConfigToolContext& ctx) {
  ConfigStoreOptions options;
  options.lock_timeout_ms = ctx.lock_timeout_ms;
  return ConfigStore(ctx.dir, options);
}

int fail(const ConfigToolContext& ctx, const Error& e) {
  fmt::print(ctx.err, "config-tool: {}\n", e.message);
  return exit_code_for(e);
}

int usage(const ConfigToolContext& ctx, const std::string& message) {
  return fail(ctx, make_error(message, Error::Kind::invalid_input));
}

std::string reason_of(const ConfigToolContext& ctx) {
  return ctx.reason.empty() ? std::string("operator change via config-tool (no --reason given)") : ctx.reason;
}

HistoryEntry operator_entry(const ConfigToolContext& ctx, std::string action,
                            const std::vector<FieldChange>& changes) {
  HistoryEntry e;
  e.timestamp = SystemClock::instance().now_ms();
  e.action = std::move(action);
  e.details = changes_to_details(changes);
  e.actor = "config-tool";
  e.reason = reason_of(ctx);
  return e;
}

// Applies edits to the JSON form of the config (so dotted paths work on every field), then converts
// back with full validation. Problems in the result are the user's input: nothing is written.
Status edit_as_json(Config& config, const std::function<Status(Json&)>& edit) {
  Json doc = config_to_json(config);
  if (auto s = edit(doc); !s.ok()) return s;
  auto edited = config_from_json(doc, "the change");
  if (!edited.ok()) return make_error(edited.error().message, Error::Kind::invalid_input);
  edited->agent_history = std::move(config.agent_history);
  config = std::move(*edited);
  return ok_status();
}

// Runs one locked change that records `action` for the fields it changed. A change that changes
// nothing is reported and writes nothing.
int apply_change(const ConfigToolContext& ctx, const std::string& action,
                 const std::function<Status(Config&)>& change) {
  std::vector<FieldChange> changes;
  auto store = make_store(ctx);
  auto result = store.update([&](Config& config) -> Status {
    const Config before = config;
    if (auto s = change(config); !s.ok()) return s;
    changes = diff_configs(before, config);
    if (changes.empty()) return make_error("nothing to change", Error::Kind::conflict);
    config.agent_history.push_back(operator_entry(ctx, action, changes));
    return ok_status();
  });
  if (!result.ok()) {
    if (result.error().kind == Error::Kind::conflict && result.error().message == "nothing to change") {
      if (ctx.json) fmt::print(ctx.out, "{}\n", Json{{"changed", false}, {"changes", Json::array()}}.dump());
      else fmt::print(ctx.out, "unchanged: the config already says that\n");
      return kExitOk;
    }
    return fail(ctx, result.error());
  }
  if (ctx.json) {
    Json out = changes_to_details(changes);
    out["changed"] = true;
    out["action"] = action;
    fmt::print(ctx.out, "{}\n", out.dump());
  } else {
    for (const auto& c : changes) fmt::print(ctx.out, "{}: {} -> {}\n", c.path, c.before.dump(), c.after.dump());
  }
  return kExitOk;
}

std::string percent(double v) { return fmt::format("{:.1f}%", v * 100); }

Json show_json(const Config& config) {
  const auto shares = traffic_shares(config);
  Json banks = Json::array();
  for (std::size_t i = 0; i < config.banks.size(); ++i) {
    const Bank& b = config.banks[i];
    Json m = config_to_json(config)["banks"][i]["metrics"];
    banks.push_back(Json{{"id", b.id},
                         {"name", b.name},
                         {"weight", b.weight},
                         {"share", shares[i]},
                         {"eligible", is_eligible(b)},
                         {"enabled", b.enabled},
                         {"health_status", to_string(b.health_status)},
                         {"circuit_breaker", to_string(b.circuit_breaker.state)},
                         {"retry_level", to_string(b.retry_policy.level)},
                         {"metrics", m}});
  }
  Json doc = config_to_json(config);
  return Json{{"banks", banks}, {"routing_rules", doc["routing_rules"]},
              {"agent_history_entries", config.agent_history.size()}};
}

std::string show_text(const Config& config) {
  const auto shares = traffic_shares(config);
  Table table({"BANK", "NAME", "WEIGHT", "SHARE", "ENABLED", "HEALTH", "BREAKER", "RETRY", "SUCCESS",
               "P95 MS", "METRICS AT"});
  for (std::size_t c : {2u, 3u, 8u, 9u}) table.align_right(c);
  for (std::size_t i = 0; i < config.banks.size(); ++i) {
    const Bank& b = config.banks[i];
    const bool has_metrics = b.metrics.updated_at.has_value();
    table.add_row({b.id, b.name, std::to_string(b.weight), percent(shares[i]), b.enabled ? "yes" : "no",
                   std::string(to_string(b.health_status)), std::string(to_string(b.circuit_breaker.state)),
                   std::string(to_string(b.retry_policy.level)),
                   has_metrics ? percent(b.metrics.success_rate) : "-",
                   has_metrics ? fmt::format("{:.0f}", b.metrics.p95_latency_ms) : "-",
                   has_metrics ? format_timestamp(*b.metrics.updated_at) : "-"});
  }
  const RoutingRules& r = config.routing_rules;
  std::string targets = "all banks";
  if (r.chaos_targets && !r.chaos_targets->empty()) {
    targets.clear();
    for (const auto& t : *r.chaos_targets) targets += (targets.empty() ? "" : ",") + t;
  }
  std::string out = table.render();
  out += fmt::format("routing: primary {}, strategy {}; chaos {}", r.primary_bank, to_string(r.fallback_strategy),
                     r.chaos_mode ? fmt::format("ON at {} on {}", percent(r.chaos_failure_rate), targets) : "off");
  out += fmt::format("; {} history entries\n", config.agent_history.size());
  return out;
}

std::string value_text(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Creates the data dir's transactions.csv with only the header if it is missing or empty; an
// existing log is never truncated, and one with a foreign header is refused by the appender.
Status ensure_log(const DataDir& dir) {
  auto appender = CsvAppender::open(dir.transactions_csv());
  if (!appender.ok()) return appender.error();
  return ok_status();
}

}  // namespace

int config_init(const ConfigToolContext& ctx, bool force) {
  if (mkdir(ctx.dir.dir.c_str(), 0755) != 0 && errno != EEXIST)
    return fail(ctx, make_error(fmt::format("cannot create data dir {}: {}", ctx.dir.dir, std::strerror(errno))));
  // Refusing to replace is the user's call to make, so it is a usage error (exit 2), not a failure.
  if (!force && access(ctx.dir.config_json().c_str(), F_OK) == 0)
    return usage(ctx, fmt::format("{} already exists; pass --force to replace it with the default config",
                                  ctx.dir.config_json()));
  auto store = make_store(ctx);
  if (auto s = store.init(default_config(), force); !s.ok()) return fail(ctx, s.error());
  if (auto s = ensure_log(ctx.dir); !s.ok()) return fail(ctx, s.error());
  if (ctx.json) {
    fmt::print(ctx.out, "{}\n", Json{{"config", ctx.dir.config_json()}, {"log", ctx.dir.transactions_csv()}}.dump());
  } else {
    fmt::print(ctx.out, "wrote {} (default config, {} banks)\nlog ready: {}\n", ctx.dir.config_json(),
               default_config().banks.size(), ctx.dir.transactions_csv());
  }
  return kExitOk;
}

int config_show(const ConfigToolContext& ctx) {
  auto config = make_store(ctx).load();
  if (!config.ok()) return fail(ctx, config.error());
  if (ctx.json) fmt::print(ctx.out, "{}\n", show_json(*config).dump(2));
  else fmt::print(ctx.out, "{}", show_text(*config));
  return kExitOk;
}

int config_get(const ConfigToolContext& ctx, const std::string& path) {
  auto config = make_store(ctx).load();
  if (!config.ok()) return fail(ctx, config.error());
  auto value = get_path(config_to_json(*config), path);
  if (!value.ok()) return fail(ctx, value.error());
  fmt::print(ctx.out, "{}\n", ctx.json ? value->dump() : value_text(*value));
  return kExitOk;
}

int config_set(const ConfigToolContext& ctx, const std::string& path, const std::string& value) {
  const Json parsed = parse_cli_value(value);
  return apply_change(ctx, "set_config", [&](Config& config) {
    return edit_as_json(config, [&](Json& doc) { return set_path(doc, path, parsed); });
  });
}

int config_bank(const ConfigToolContext& ctx, const std::string& bank_id, const BankEdit& edit) {
  if (!edit.weight && !edit.enabled && !edit.health && !edit.retry_level)
    return usage(ctx, "bank: say what to change (--weight N, --enable, --disable, --health H, --retry-level L)");
  // One history entry per kind of change, so the agent's cooldowns see exactly what the operator set.
  // A part that finds the field already at the value given is recorded too, as a confirmation (the
  // change's before equals its after, details.confirmed): an operator who says "bank_b stays at weight
  // 25" during an incident states an intent, and the agent's per-field cooldown must protect it.
  struct Part {
    const char* action;
    const char* field;  // under banks.<id>.
    std::function<Status(Bank&)> apply;
  };
  std::vector<Part> parts;
  if (edit.weight) parts.push_back({"set_weights", "weight", [&](Bank& b) { b.weight = *edit.weight; return ok_status(); }});
  if (edit.enabled) parts.push_back({"set_enabled", "enabled", [&](Bank& b) { b.enabled = *edit.enabled; return ok_status(); }});
  if (edit.health)
    parts.push_back({"update_bank_health", "health_status", [&](Bank& b) -> Status {
                       const auto h = parse_health(*edit.health);
                       if (!h) return make_error(fmt::format("--health must be healthy, degraded or down, got \"{}\"", *edit.health), Error::Kind::invalid_input);
                       b.health_status = *h;
                       return ok_status();
                     }});
  if (edit.retry_level)
    parts.push_back({"adjust_retry_policy", "retry_policy.level", [&](Bank& b) -> Status {
                       const auto l = parse_retry_level(*edit.retry_level);
                       if (!l) return make_error(fmt::format("--retry-level must be low, normal, high or custom, got \"{}\"", *edit.retry_level), Error::Kind::invalid_input);
                       if (*l == RetryLevel::custom) {
                         b.retry_policy.level = *l;
                       } else {
                         RetryPolicy p = RetryPolicy::preset(*l);
                         p.extra = b.retry_policy.extra;
                         b.retry_policy = p;
                       }
                       return ok_status();
                     }});
  std::vector<FieldChange> all_changes;
  auto store = make_store(ctx);
  auto result = store.update([&](Config& config) -> Status {
    if (!config.find_bank(bank_id)) {
      std::string known;
      for (const auto& b : config.banks) known += (known.empty() ? "" : ", ") + b.id;
      return make_error(fmt::format("no bank \"{}\" (known: {})", bank_id, known), Error::Kind::invalid_input);
    }
    for (const auto& part : parts) {
      const Config before = config;
      if (auto s = part.apply(*config.find_bank(bank_id)); !s.ok()) return s;
      auto changes = diff_configs(before, config);
      if (changes.empty()) {
        const std::string path = fmt::format("banks.{}.{}", bank_id, part.field);
        auto value = get_path(config_to_json(config), path);
        if (!value.ok()) return value.error();
        HistoryEntry confirmation = operator_entry(ctx, part.action, {FieldChange{path, *value, *value}});
        confirmation.details["confirmed"] = true;
        config.agent_history.push_back(std::move(confirmation));
        continue;
      }
      config.agent_history.push_back(operator_entry(ctx, part.action, changes));
      all_changes.insert(all_changes.end(), changes.begin(), changes.end());
    }
    return ok_status();
  });
  if (!result.ok()) return fail(ctx, result.error());
  if (ctx.json) {
    Json out = changes_to_details(all_changes);
    out["changed"] = !all_changes.empty();
    fmt::print(ctx.out, "{}\n", out.dump());
  } else if (all_changes.empty()) {
    fmt::print(ctx.out, "unchanged: the config already says that\n");
  } else {
    for (const auto& c : all_changes) fmt::print(ctx.out, "{}: {} -> {}\n", c.path, c.before.dump(), c.after.dump());
  }
  return kExitOk;
}

int config_weights(const ConfigToolContext& ctx, const std::vector<std::string>& assignments) {
  if (assignments.empty()) return usage(ctx, "weights: give one or more BANK=WEIGHT, e.g. weights bank_a=50 bank_b=30");
  std::vector<std::pair<std::string, std::int64_t>> wanted;
  for (const auto& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == a.size())
      return usage(ctx, fmt::format("weights: \"{}\" is not BANK=WEIGHT", a));
    const std::string number = a.substr(eq + 1);
    std::int64_t w = 0;
    for (char c : number) {
      if (c < '0' || c > '9' || w > kMaxBankWeight)
        return usage(ctx, fmt::format("weights: weight for {} must be a whole number >= 0, got \"{}\"", a.substr(0, eq), number));
      w = w * 10 + (c - '0');
    }
    wanted.emplace_back(a.substr(0, eq), w);
  }
  return apply_change(ctx, "set_weights", [&](Config& config) -> Status {
    for (const auto& [id, w] : wanted) {
      Bank* b = config.find_bank(id);
      if (!b) return make_error(fmt::format("no bank \"{}\"", id), Error::Kind::invalid_input);
      b->weight = w;
    }
    return ok_status();
  });
}

int config_chaos(const ConfigToolContext& ctx, const std::string& on_off, std::optional<double> rate,
                 std::optional<std::string> targets_csv) {
  if (on_off != "on" && on_off != "off") return usage(ctx, fmt::format("chaos: say on or off, got \"{}\"", on_off));
  if (rate && (*rate < 0 || *rate > 1)) return usage(ctx, fmt::format("chaos: --rate must be 0..1, got {}", *rate));
  std::optional<std::vector<std::string>> targets;
  if (targets_csv) {
    targets.emplace();
    std::stringstream ss(*targets_csv);
    for (std::string t; std::getline(ss, t, ',');)
      if (!t.empty()) targets->push_back(t);
  }
  return apply_change(ctx, "toggle_chaos_mode", [&](Config& config) -> Status {
    config.routing_rules.chaos_mode = on_off == "on";
    if (rate) config.routing_rules.chaos_failure_rate = *rate;
    if (targets) config.routing_rules.chaos_targets = *targets;
    return edit_as_json(config, [](Json&) { return ok_status(); });  // validates targets name banks
  });
}

int config_history(const ConfigToolContext& ctx, std::size_t last, bool include_archive) {
  auto config = make_store(ctx).load();
  if (!config.ok()) return fail(ctx, config.error());
  Json entries = Json::array();
  if (include_archive) {
    // A FIFO planted at the archive would block the read below forever: refuse anything irregular.
    struct stat st {};
    if (stat(ctx.dir.history_jsonl().c_str(), &st) == 0 && !S_ISREG(st.st_mode))
      return fail(ctx, make_error(ctx.dir.history_jsonl() + " is not a regular file; refusing to read it"));
    std::ifstream archive(ctx.dir.history_jsonl());
    for (std::string line; std::getline(archive, line);) {
      Json e = Json::parse(line, nullptr, false);
      if (!e.is_discarded()) entries.push_back(std::move(e));
    }
  }
  for (const auto& e : config->agent_history) entries.push_back(history_entry_to_json(e));
  const std::size_t skip = last > 0 && entries.size() > last ? entries.size() - last : 0;
  if (ctx.json) {
    Json out = Json::array();
    for (std::size_t i = skip; i < entries.size(); ++i) out.push_back(entries[i]);
    fmt::print(ctx.out, "{}\n", out.dump(2));
    return kExitOk;
  }
  Table table({"TIME", "ACTOR", "ACTION", "OUTCOME", "REASON"});
  for (std::size_t i = skip; i < entries.size(); ++i) {
    const Json& e = entries[i];
    table.add_row({e.value("timestamp", ""), e.value("actor", ""), e.value("action", ""), e.value("outcome", "-"),
                   e.value("reason", "")});
  }
  fmt::print(ctx.out, "{}", table.render());
  return kExitOk;
}

int config_validate(const ConfigToolContext& ctx, const std::string& file) {
  const std::string path = file.empty() ? ctx.dir.config_json() : file;
  // The readers' own read: the same size limit and FIFO refusal as every other tool (exit 4).
  auto text = read_small_file(path);
  if (!text.ok()) {
    const Error e = text.error().kind == Error::Kind::failed ? make_error(text.error().message, Error::Kind::not_found)
                                                             : text.error();
    if (!ctx.json) return fail(ctx, e);
    fmt::print(ctx.out, "{}\n", Json{{"valid", false}, {"file", path}, {"problems", Json::array({e.message})}}.dump());
    return kExitInvalidConfig;
  }
  auto config = parse_config_text(*text, path);
  if (!config.ok()) {
    if (ctx.json) {
      Json problems = Json::array();
      std::stringstream lines(config.error().message);
      for (std::string l; std::getline(lines, l);) problems.push_back(l);
      fmt::print(ctx.out, "{}\n", Json{{"valid", false}, {"file", path}, {"problems", problems}}.dump());
    } else {
      fmt::print(ctx.err, "{}\n", config.error().message);
    }
    return kExitInvalidConfig;
  }
  if (ctx.json) fmt::print(ctx.out, "{}\n", Json{{"valid", true}, {"file", path}, {"banks", config->banks.size()}}.dump());
  else fmt::print(ctx.out, "ok: {} is valid ({} banks, {} history entries)\n", path, config->banks.size(), config->agent_history.size());
  return kExitOk;
}

int config_watch(const ConfigToolContext& ctx, std::int64_t interval_ms, std::uint64_t max_updates) {
  ConfigWatcher watcher(ctx.dir.config_json());
  const bool tty = is_terminal(ctx.out);
  std::uint64_t shown = 0;
  for (;;) {
    switch (watcher.poll()) {
      case ConfigWatcher::Poll::reloaded:
        if (tty) fmt::print(ctx.out, "\x1b[H\x1b[2J");
        fmt::print(ctx.out, "{} {}\n", format_timestamp(SystemClock::instance().now_ms()), ctx.dir.config_json());
        if (ctx.json) fmt::print(ctx.out, "{}\n", show_json(watcher.current()).dump());
        else fmt::print(ctx.out, "{}", show_text(watcher.current()));
        std::fflush(ctx.out);
        if (max_updates > 0 && ++shown >= max_updates) return kExitOk;
        break;
      case ConfigWatcher::Poll::rejected:
        fmt::print(ctx.err, "config-tool: new version rejected, still showing the last good one: {}\n", watcher.last_error());
        break;
      case ConfigWatcher::Poll::missing:
      case ConfigWatcher::Poll::unchanged:
        break;
    }
    SystemClock::instance().sleep_ms(interval_ms);
  }
}

}  // namespace payops
