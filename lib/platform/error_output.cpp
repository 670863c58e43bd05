#include "platform/error_output.h"

#include <string>

#include <nlohmann/json.hpp>

namespace payops {
namespace {

bool g_json = false;
std::FILE* g_json_stream = stdout;

}  // namespace

void set_json_errors(bool on, std::FILE* json_stream) {
  g_json = on;
  g_json_stream = json_stream;
}

bool json_errors() { return g_json; }

int report_error(std::string_view tool, int exit_code, std::string_view message) {
  // fputs, not fmt::print: it never throws, so a full disk under stderr cannot turn an error into
  // an abort.
  const std::string line = std::string(tool) + ": " + std::string(message) + "\n";
  std::fputs(line.c_str(), stderr);
  if (g_json) {
    try {
      const nlohmann::json j = {{"error", std::string(message)}, {"exit_code", exit_code}};
      const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      std::fputs(text.c_str(), g_json_stream);
      std::fflush(g_json_stream);
    } catch (...) {
      // Out of memory while reporting: the stderr sentence above is what is left.
    }
  }
  return exit_code;
}

}  // namespace payops
