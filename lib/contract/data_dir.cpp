// Data directory resolution: the flag wins over PAYOPS_DATA_DIR, which wins over the current
// directory. And the scratch copy a replay works on.
#include "contract/data_dir.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

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

Result<DataDir> make_scratch_copy(const DataDir& live) {
  std::ifstream in(live.config_json(), std::ios::binary);
  if (!in) {
    return make_error(live.config_json() + " does not exist: a replay copies the live config to work on "
                                           "(run `config-tool init` first)",
                      Error::Kind::not_found);
  }
  std::stringstream contents;
  contents << in.rdbuf();
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/payops-replay-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return make_error("cannot create a scratch data dir " + tmpl + ": " + std::strerror(errno));
  }
  DataDir scratch{tmpl};
  std::ofstream out(scratch.config_json(), std::ios::binary | std::ios::trunc);
  out << contents.str();
  out.close();
  if (!out) {
    return make_error("cannot copy " + live.config_json() + " to " + scratch.config_json());
  }
  return scratch;
}

}  // namespace payops
