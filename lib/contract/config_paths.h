// Dotted paths into shared_config.json, as operators type them: "banks.bank_b.weight",
// "routing_rules.chaos_mode", "banks.bank_a.circuit_breaker.state". A bank is addressed by its id.
// Also the shape of an operator change in agent_history, which the agent reads to honour cooldowns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "contract/config_model.h"
#include "platform/result.h"

namespace payops {

// The value at path in doc (a config_to_json document). Errors name the first segment that is wrong
// and list what exists there.
Result<Json> get_path(const Json& doc, std::string_view path);

// Replaces the value at path. Only fields that exist (after defaults) may be set, plus the optional
// routing_rules.chaos_targets: a typo never silently adds a key. Type and range checks happen later,
// when the whole document is validated.
Status set_path(Json& doc, std::string_view path, Json value);

// A command-line value: JSON when it parses as JSON (50, 0.3, true, null, ["a"], "quoted"), else the
// text itself as a string (so `set routing_rules.primary_bank bank_b` needs no quotes).
Json parse_cli_value(std::string_view text);

// One field changed by an operator or the agent. In agent_history, details = {"changes": [...]} with
// each change as {"path": "banks.bank_b.weight", "before": 30, "after": 10}.
struct FieldChange {
  std::string path;
  Json before;
  Json after;
};
Json changes_to_details(const std::vector<FieldChange>& changes);
// The changes recorded in an entry's details (empty when it has none in this form).
std::vector<FieldChange> changes_from_details(const Json& details);

// The changes between two configs, field by field over banks (matched by id) and routing_rules;
// agent_history and metrics are not compared.
std::vector<FieldChange> diff_configs(const Config& before, const Config& after);

}  // namespace payops
