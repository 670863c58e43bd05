// Data directory resolution: the flag wins over PAYOPS_DATA_DIR, which wins over the current directory.
#include "contract/data_dir.h"

#include <cstdlib>

namespace payops {

DataDir resolve_data_dir(const std::string& flag_value) {
  std::string dir = flag_value;
  if (dir.empty()) {
    const char* env = std::getenv("PAYOPS_DATA_DIR");
    if (env != nullptr) dir = env;
  }
  if (dir.empty()) dir = ".";
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return DataDir{dir};
}

}  // namespace payops
