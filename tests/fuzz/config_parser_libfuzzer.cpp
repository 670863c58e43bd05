// libFuzzer entry for the config parser and validator (built with -DPAYOPS_FUZZ=ON and clang).
// Same property as config_parser_seeded.cpp: no crash; a rejection names the source; an accepted
// config re-serializes and re-parses to the same JSON, and its text is a fixed point.
// Seed corpus: the repo's shared_config.json, e.g.
//   mkdir corpus && cp shared_config.json corpus/ && ./config_parser_libfuzzer corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

#include "contract/config_model.h"

using namespace payops;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = parse_config_text(text, "fuzz.json");
  if (!first.ok()) {
    if (first.error().message.rfind("fuzz.json", 0) != 0) fail("error does not name the source", first.error().message);
    if (first.error().kind != Error::Kind::invalid_config) fail("error kind is not invalid_config", first.error().message);
    return 0;
  }
  const std::string written = config_to_text(*first);
  auto second = parse_config_text(written, "rewritten.json");
  if (!second.ok()) fail("accepted config re-serialized to an invalid one", second.error().message);
  if (config_to_json(*second) != config_to_json(*first)) fail("round trip changed the JSON", written);
  if (config_to_text(*second) != written) fail("serialization is not a fixed point", written);
  return 0;
}
