// What `--version` prints: the project version from CMake and the git commit the binary was built
// from ("unknown" when built outside a checkout; "-dirty" when tracked files had changes).
#pragma once

#include <string>
#include <string_view>

namespace payops {

std::string_view project_version();
std::string_view build_commit();
// "agent 0.1.0 (commit 1a2b3c4d5e6f)".
std::string version_line(std::string_view tool);

}  // namespace payops
