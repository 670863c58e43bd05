// `config-tool`: the flags every subcommand shares, as typed, and the steps between them and the
// commands of config_tool.h that tools/config-tool/main.cpp calls.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "app/config_tool.h"

namespace payops {

struct ConfigToolFlags {
  std::string data_dir;  // empty: $PAYOPS_DATA_DIR, else the current directory
  std::string lock_timeout = "5s";
  bool json = false;
  bool quiet = false;  // the changing commands: print nothing but errors
  std::string reason;
};

// The context of every command; prints the usage sentence and returns nullopt on a bad --lock-timeout.
std::optional<ConfigToolContext> config_tool_context(const ConfigToolFlags& flags);

// `bank ID [--weight N] [--enable|--disable] [--health H] [--retry-level L]`.
struct BankFlags {
  std::string id;
  std::optional<std::int64_t> weight;
  bool enable = false, disable = false;
  std::string health, retry_level;
};
int config_bank_command(const ConfigToolContext& ctx, const BankFlags& flags);

// `watch --interval DUR --max-updates N`.
int config_watch_command(const ConfigToolContext& ctx, const std::string& interval, std::uint64_t max_updates);

}  // namespace payops
