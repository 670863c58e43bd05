// Data directory resolution: the flag wins over PAYOPS_DATA_DIR, which wins over the current directory.
#include "data_dir.h"

#include <cstdlib>

namespace payops {

DataDir resolve_data_dir(const std::string& flag_value) {
  // Trimmed as a view and copied once: assigning "." into the string trips gcc 12's -Wrestrict
  // (a false positive) in Release builds.
  std::string_view dir = flag_value;
  if (dir.empty()) {
    const char* env = std::getenv("PAYOPS_DATA_DIR");
    if (env != nullptr) dir = env;
  }
  if (dir.empty()) dir = ".";
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  return DataDir{std::string(dir)};
}

}  // namespace payops
