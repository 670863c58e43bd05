// config-tool: flags only; every command lives in lib/app/config_tool.cpp (config_tool_command.cpp
// turns the shared flags into its context).
#include <CLI/CLI.hpp>

#include <exception>

#include <fmt/format.h>

#include "app/cli_parse.h"
#include "app/config_tool_command.h"
#include "platform/error_output.h"
#include "platform/exit_codes.h"

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
  add_version_flag(app, "config-tool");
  ConfigToolFlags g;
  app.add_option("--data-dir", g.data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_flag("--json", g.json, "Machine-readable JSON output");
  app.add_option("--reason", g.reason, "Why you are changing this; recorded in agent_history");
  app.add_option("--lock-timeout", g.lock_timeout, "How long to wait for the config lock (e.g. 5s, 500ms)");

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

  BankFlags b;
  auto* bank = app.add_subcommand("bank", "Change one bank: weight, enabled, health, retry level");
  bank->add_option("ID", b.id, "Bank id, e.g. bank_b")->required();
  bank->add_option("--weight", b.weight, "Integer weight >= 0")->check(at_least(0));
  auto* enable_flag = bank->add_flag("--enable", b.enable, "Let the bank take traffic");
  bank->add_flag("--disable", b.disable, "Take the bank out of routing (operator switch)")->excludes(enable_flag);
  bank->add_option("--health", b.health, "healthy, degraded or down");
  bank->add_option("--retry-level", b.retry_level, "low (1 retry/500 ms), normal (3/1000 ms), high (5/2000 ms), custom");

  std::vector<std::string> assignments;
  auto* weights = app.add_subcommand("weights", "Set several weights at once: weights bank_a=50 bank_b=30");
  weights->add_option("BANK=WEIGHT", assignments, "Assignments")->required();

  std::string on_off;
  std::optional<double> rate;
  std::optional<std::string> targets;
  auto* chaos = app.add_subcommand("chaos", "Turn failure injection on or off");
  chaos->add_option("STATE", on_off, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  chaos->add_option("--rate", rate, "Probability 0..1 that an attempt on a target fails");
  chaos->add_option("--targets", targets, "Comma-separated bank ids (empty = all banks)");

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

  const std::string json_help = "Machine-readable JSON output (errors too: {\"error\": ..., \"exit_code\": N} on stdout)";
  // --quiet where a command changes something (its confirmation is optional); show, get, history,
  // validate and watch exist to print, so they have no --quiet.
  for (auto* sub : app.get_subcommands({})) {
    const bool changes = sub == init || sub == set || sub == bank || sub == weights || sub == chaos;
    add_output_flags(*sub, g.json, changes ? &g.quiet : nullptr, json_help);
  }
  if (auto code = parse_command_line(app, argc, argv, "config-tool")) return *code;
  set_json_errors(g.json);

  const auto context = config_tool_context(g);
  if (!context) return kExitUsage;
  const ConfigToolContext& ctx = *context;
  if (*init) return config_init(ctx, force);
  if (*show) return config_show(ctx);
  if (*get) return config_get(ctx, path);
  if (*set) return config_set(ctx, path, value);
  if (*bank) return config_bank_command(ctx, b);
  if (*weights) return config_weights(ctx, assignments);
  if (*chaos) return config_chaos(ctx, on_off, rate, targets);
  if (*history) return config_history(ctx, last, all);
  if (*validate) return config_validate(ctx, file);
  if (*watch) return config_watch_command(ctx, interval, max_updates);
  return kExitUsage;
} catch (const std::exception& e) {
  return payops::report_error("config-tool", payops::kExitFailure, std::string("unexpected error: ") + e.what());
}
