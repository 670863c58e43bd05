// Where the two shared files live: --data-dir DIR, else $PAYOPS_DATA_DIR, else the current directory.
#pragma once

#include <string>

#include "platform/result.h"

namespace payops {

struct DataDir {
  std::string dir;  // no trailing slash; "." for the current directory

  std::string transactions_csv() const { return dir + "/transactions.csv"; }
  std::string config_json() const { return dir + "/shared_config.json"; }
  std::string config_lock() const { return dir + "/shared_config.json.lock"; }
  std::string history_jsonl() const { return dir + "/agent_history.jsonl"; }
};

// flag_value: the --data-dir flag as given (empty when absent). The flag wins over the environment.
DataDir resolve_data_dir(const std::string& flag_value);

// A private data dir for a replay (`agent run --input` without --apply): a new directory
// $TMPDIR/payops-replay-XXXXXX (TMPDIR unset: /tmp) holding a copy of live's shared_config.json, so
// a replay of old traffic decides and writes there and the live config is never touched. The
// directory is left for the caller to inspect (its path is printed); nothing deletes it.
// Errors: a missing live config (not_found, naming it), or the copy failing (failed, naming both).
Result<DataDir> make_scratch_copy(const DataDir& live);

}  // namespace payops
