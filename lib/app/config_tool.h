// The commands of config-tool, the operator's handle on shared_config.json. Each returns the process
// exit code (exit_codes.h) and writes results to out, diagnostics to err. Every change goes through
// ConfigStore::update and is recorded in agent_history with actor "config-tool" and the reason.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "contract/data_dir.h"

namespace payops {

struct ConfigToolContext {
  DataDir dir;
  bool json = false;          // machine-readable output
  std::string reason;         // --reason; a default sentence is used when empty
  std::int64_t lock_timeout_ms = 5000;
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

int config_init(const ConfigToolContext& ctx, bool force);
int config_show(const ConfigToolContext& ctx);
int config_get(const ConfigToolContext& ctx, const std::string& path);
int config_set(const ConfigToolContext& ctx, const std::string& path, const std::string& value);

struct BankEdit {
  std::optional<std::int64_t> weight;
  std::optional<bool> enabled;
  std::optional<std::string> health;
  std::optional<std::string> retry_level;
};
int config_bank(const ConfigToolContext& ctx, const std::string& bank_id, const BankEdit& edit);
// assignments: "bank_a=50" each.
int config_weights(const ConfigToolContext& ctx, const std::vector<std::string>& assignments);
int config_chaos(const ConfigToolContext& ctx, const std::string& on_off, std::optional<double> rate,
                 std::optional<std::string> targets_csv);
int config_history(const ConfigToolContext& ctx, std::size_t last, bool include_archive);
// file empty: the data dir's config.
int config_validate(const ConfigToolContext& ctx, const std::string& file);
// Reprints show whenever the file changes; stops after max_updates reloads (0 = until interrupted).
int config_watch(const ConfigToolContext& ctx, std::int64_t interval_ms, std::uint64_t max_updates);

}  // namespace payops
