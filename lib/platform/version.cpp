#include "platform/version.h"

#include "payops_version.h"

namespace payops {

std::string_view project_version() { return PAYOPS_VERSION; }
std::string_view build_commit() { return PAYOPS_GIT_COMMIT; }

std::string version_line(std::string_view tool) {
  return std::string(tool) + " " + PAYOPS_VERSION + " (commit " + PAYOPS_GIT_COMMIT + ")";
}

}  // namespace payops
