// config-tool: flags only; every command lives in lib/config_tool.cpp.
#include <CLI/CLI.hpp>

#include <exception>

#include <fmt/format.h>

#include "app/config_tool.h"
#include "platform/exit_codes.h"
#include "platform/time_util.h"

int main(int argc, char** argv) try {
  using namespace payops;
  CLI::App app{
      "config-tool: the operator's handle on shared_config.json.\n"
      "Every change takes the config lock, is validated before it is written, and is recorded in\n"
      "agent_history with actor \"config-tool\" and your --reason.\n\n"
      "Examples:\n"
      "  config-tool init --data-dir /tmp/payops        default config + header-only log\n"
      "  config-tool show                               banks, weights, traffic share, health\n"
      "  config-tool get banks.bank_b.weight\n"
      "  config-tool set routing_rules.chaos_failure_rate 0.3 --reason \"drill\"\n"
      "  config-tool bank bank_b --weight 10 --health degraded --reason \"bank_b timeouts\"\n"
      "  config-tool weights bank_a=50 bank_b=30 bank_c=20\n"
      "  config-tool chaos on --rate 0.4 --targets bank_c\n"
      "  config-tool history --last 10\n"
      "  config-tool validate ./edited.json\n\n"
      "Exit codes: 0 ok, 1 I/O failure, 2 usage or invalid input (nothing written),\n"
      "3 config lock held too long by another process, 4 config missing or invalid on disk (left as is)."};
  app.require_subcommand(1);
  app.fallthrough();  // global flags (--json, --data-dir, --reason) may follow the subcommand
  std::string data_dir, lock_timeout = "5s";
  ConfigToolContext ctx;
  app.add_option("--data-dir", data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_flag("--json", ctx.json, "Machine-readable JSON output");
  app.add_option("--reason", ctx.reason, "Why you are changing this; recorded in agent_history");
  app.add_option("--lock-timeout", lock_timeout, "How long to wait for the config lock (e.g. 5s, 500ms)");

  bool force = false;
  auto* init = app.add_subcommand("init", "Write the default config and a header-only transactions.csv (never truncates a log)");
  init->add_flag("--force", force, "Replace an existing shared_config.json");

  auto* show = app.add_subcommand("show", "Table of banks: weight, share of traffic among eligible banks, health, breaker, retry, last metrics");

  std::string path, value;
  auto* get = app.add_subcommand("get", "Print one value by dotted path, e.g. banks.bank_b.weight");
  get->add_option("PATH", path, "Dotted path (banks are addressed by id)")->required();

  auto* set = app.add_subcommand("set", "Set one value by dotted path; typed and validated before writing");
  set->add_option("PATH", path, "Dotted path, e.g. routing_rules.chaos_mode")->required();
  set->add_option("VALUE", value, "JSON value (50, 0.3, true, [\"bank_a\"]) or plain text")->required();

  std::string bank_id;
  BankEdit edit;
  std::int64_t weight = 0;
  bool enable = false, disable = false;
  std::string health, retry_level;
  auto* bank = app.add_subcommand("bank", "Change one bank: weight, enabled, health, retry level");
  bank->add_option("ID", bank_id, "Bank id, e.g. bank_b")->required();
  auto* weight_opt = bank->add_option("--weight", weight, "Integer weight >= 0")->check(CLI::NonNegativeNumber);
  auto* enable_flag = bank->add_flag("--enable", enable, "Let the bank take traffic");
  bank->add_flag("--disable", disable, "Take the bank out of routing (operator switch)")->excludes(enable_flag);
  bank->add_option("--health", health, "healthy, degraded or down");
  bank->add_option("--retry-level", retry_level, "low (1 retry/500 ms), normal (3/1000 ms), high (5/2000 ms), custom");

  std::vector<std::string> assignments;
  auto* weights = app.add_subcommand("weights", "Set several weights at once: weights bank_a=50 bank_b=30");
  weights->add_option("BANK=WEIGHT", assignments, "Assignments")->required();

  std::string on_off, targets;
  double rate = 0;
  auto* chaos = app.add_subcommand("chaos", "Turn failure injection on or off");
  chaos->add_option("STATE", on_off, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  auto* rate_opt = chaos->add_option("--rate", rate, "Probability 0..1 that an attempt on a target fails");
  auto* targets_opt = chaos->add_option("--targets", targets, "Comma-separated bank ids (empty = all banks)");

  std::size_t last = 20;
  bool all = false;
  auto* history = app.add_subcommand("history", "Recent agent and operator actions");
  history->add_option("--last", last, "How many entries (0 = all)");
  history->add_flag("--all", all, "Include entries archived to agent_history.jsonl");

  std::string file;
  auto* validate = app.add_subcommand("validate", "Check a config file and list every problem with its path");
  validate->add_option("FILE", file, "File to check (default: the data dir's shared_config.json)");

  std::string interval = "500ms";
  std::uint64_t max_updates = 0;
  auto* watch = app.add_subcommand("watch", "Reprint show whenever the config changes (Ctrl-C to stop)");
  watch->add_option("--interval", interval, "How often to check the file (one stat each time)");
  watch->add_option("--max-updates", max_updates, "Exit after this many prints (0 = never)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  ctx.dir = resolve_data_dir(data_dir);
  const auto timeout_ms = parse_duration_ms(lock_timeout);
  if (!timeout_ms) {
    fmt::print(stderr, "config-tool: --lock-timeout must be a duration like 5s or 500ms, got \"{}\"\n", lock_timeout);
    return kExitUsage;
  }
  ctx.lock_timeout_ms = *timeout_ms;

  if (*init) return config_init(ctx, force);
  if (*show) return config_show(ctx);
  if (*get) return config_get(ctx, path);
  if (*set) return config_set(ctx, path, value);
  if (*bank) {
    if (*weight_opt) edit.weight = weight;
    if (enable) edit.enabled = true;
    if (disable) edit.enabled = false;
    if (!health.empty()) edit.health = health;
    if (!retry_level.empty()) edit.retry_level = retry_level;
    return config_bank(ctx, bank_id, edit);
  }
  if (*weights) return config_weights(ctx, assignments);
  if (*chaos) {
    return config_chaos(ctx, on_off, *rate_opt ? std::optional<double>(rate) : std::nullopt,
                        *targets_opt ? std::optional<std::string>(targets) : std::nullopt);
  }
  if (*history) return config_history(ctx, last, all);
  if (*validate) return config_validate(ctx, file);
  if (*watch) {
    const auto every = parse_duration_ms(interval);
    if (!every || *every <= 0) {
      fmt::print(stderr, "config-tool: --interval must be a positive duration like 500ms, got \"{}\"\n", interval);
      return kExitUsage;
    }
    return config_watch(ctx, *every, max_updates);
  }
  return kExitUsage;
} catch (const std::exception& e) {
  fmt::print(stderr, "config-tool: unexpected error: {}\n", e.what());
  return payops::kExitFailure;
}
