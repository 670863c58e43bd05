// Where the two shared files live: --data-dir DIR, else $PAYOPS_DATA_DIR, else the current directory.
#pragma once

#include <string>

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

}  // namespace payops
