// How a tool reports the error that ends it: one sentence on stderr ("agent: ...") and, when the
// user asked for --json, also one JSON object {"error": "...", "exit_code": N} on the JSON stream
// (stdout unless the tool's stdout carries data, e.g. `simulator --out -`), so a script reading
// stdout always gets JSON. Process-wide: a tool runs one command.
#pragma once

#include <cstdio>
#include <string_view>

namespace payops {

// Turns the JSON error object on or off (off at start), and says where it goes.
void set_json_errors(bool on, std::FILE* json_stream = stdout);
bool json_errors();

// Prints "TOOL: MESSAGE" on stderr (and the JSON object when on); returns exit_code. Never throws.
int report_error(std::string_view tool, int exit_code, std::string_view message);

}  // namespace payops
