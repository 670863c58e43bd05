// Installing a config version that came from the fleet (another host's shared_config.json) into a
// local data dir, through the contract's locked write: validated first (an invalid version is refused
// and the local file is left alone), written whole by ConfigStore (lock, temp file, fsync, rename).
#pragma once

#include <string>
#include <string_view>

#include "contract/config_store.h"
#include "platform/result.h"

namespace payops {

enum class InstallOutcome { installed, unchanged };

// Installs `text` (a whole shared_config.json) into dir. source_name labels errors ("fleet revision
// 12"). Creates the file when there is none. unchanged: the local file already holds this config.
// Errors: invalid_input (the version does not parse or validate: nothing written, every problem
// named), invalid_config (the local file is broken, a human's edit: left untouched, as the contract
// says), lock_timeout, failed.
Result<InstallOutcome> install_fleet_config(const DataDir& dir, std::string_view text, std::string_view source_name,
                                            std::int64_t lock_timeout_ms);

// The canonical text of a valid config (what ConfigStore writes), for comparing versions: two files
// that differ only in spacing or key order inside known objects compare equal.
Result<std::string> canonical_config_text(std::string_view text, std::string_view source_name);

}  // namespace payops
