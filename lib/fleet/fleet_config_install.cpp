// install_fleet_config: a fleet version into the local file, by the contract's write protocol.
#include "fleet/fleet_config_install.h"

#include <fmt/format.h>

namespace payops {

Result<std::string> canonical_config_text(std::string_view text, std::string_view source_name) {
  auto config = parse_config_text(text, source_name);
  if (!config.ok()) return config.error();
  return config_to_text(*config);
}

Result<InstallOutcome> install_fleet_config(const DataDir& dir, std::string_view text, std::string_view source_name,
                                            std::int64_t lock_timeout_ms) {
  auto incoming = parse_config_text(text, source_name);
  if (!incoming.ok()) {
    return make_error(fmt::format("refused {}: {}", source_name, incoming.error().message), Error::Kind::invalid_input);
  }
  ConfigStoreOptions options;
  options.lock_timeout_ms = lock_timeout_ms;
  ConfigStore store(dir, options);
  auto current = store.load();
  if (!current.ok() && current.error().kind == Error::Kind::not_found) {
    auto st = store.init(*incoming, false);
    if (st.ok()) return InstallOutcome::installed;
    if (st.error().kind != Error::Kind::conflict) return st.error();
    // Another writer created the file meanwhile: fall through to the locked update.
  }
  if (current.ok() && config_to_json(*current) == config_to_json(*incoming)) return InstallOutcome::unchanged;
  bool same = false;
  auto written = store.update([&](Config& c) {
    same = config_to_json(c) == config_to_json(*incoming);
    c = *incoming;
    return ok_status();
  });
  if (!written.ok()) return written.error();
  return same ? InstallOutcome::unchanged : InstallOutcome::installed;
}

}  // namespace payops
