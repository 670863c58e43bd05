#include "app/config_tool_command.h"

#include <cstdio>

#include <fmt/format.h>

#include "contract/data_dir.h"
#include "platform/exit_codes.h"
#include "platform/time_util.h"

namespace payops {

std::optional<ConfigToolContext> config_tool_context(const ConfigToolFlags& flags) {
  ConfigToolContext ctx;
  ctx.dir = resolve_data_dir(flags.data_dir);
  ctx.json = flags.json;
  ctx.reason = flags.reason;
  const auto timeout_ms = parse_duration_ms(flags.lock_timeout);
  if (!timeout_ms) {
    fmt::print(stderr, "config-tool: --lock-timeout must be a duration like 5s or 500ms, got \"{}\"\n", flags.lock_timeout);
    return std::nullopt;
  }
  ctx.lock_timeout_ms = *timeout_ms;
  if (flags.quiet) {
    // Output goes to /dev/null (opened once, for the process's life), errors still to stderr: every
    // command prints through ctx.out, so no print site needs to know about --quiet.
    static std::FILE* const devnull = std::fopen("/dev/null", "w");
    if (devnull != nullptr) ctx.out = devnull;
  }
  return ctx;
}

int config_bank_command(const ConfigToolContext& ctx, const BankFlags& flags) {
  BankEdit edit;
  edit.weight = flags.weight;
  if (flags.enable) edit.enabled = true;
  if (flags.disable) edit.enabled = false;
  if (!flags.health.empty()) edit.health = flags.health;
  if (!flags.retry_level.empty()) edit.retry_level = flags.retry_level;
  return config_bank(ctx, flags.id, edit);
}

int config_watch_command(const ConfigToolContext& ctx, const std::string& interval, std::uint64_t max_updates) {
  const auto every = parse_duration_ms(interval);
  if (!every || *every <= 0) {
    fmt::print(stderr, "config-tool: --interval must be a positive duration like 500ms, got \"{}\"\n", interval);
    return kExitUsage;
  }
  return config_watch(ctx, *every, max_updates);
}

}  // namespace payops
