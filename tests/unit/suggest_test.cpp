#include <doctest/doctest.h>

#include "platform/suggest.h"

using namespace payops;

TEST_CASE("edit distance counts a swap of neighbours as one edit") {
  CHECK(edit_distance("show", "show") == 0);
  CHECK(edit_distance("shwo", "show") == 1);
  CHECK(edit_distance("stauts", "status") == 1);
  CHECK(edit_distance("histroy", "history") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("closest word: near typos, unique prefixes, nothing for far words") {
  const std::vector<std::string> commands{"init", "show", "get", "set", "bank", "weights", "chaos", "history", "validate", "watch"};
  CHECK(closest_word("shwo", commands) == "show");
  CHECK(closest_word("wights", commands) == "weights");
  CHECK(closest_word("hist", commands) == "history");
  CHECK(closest_word("validte", commands) == "validate");
  CHECK_FALSE(closest_word("deploy", commands).has_value());
  CHECK_FALSE(closest_word("w", commands).has_value());  // a prefix of two commands: ambiguous
  const std::vector<std::string> flags{"--json", "--data-dir", "--weight", "--health"};
  CHECK(closest_word("--jsno", flags) == "--json");
  CHECK(closest_word("--wieght", flags) == "--weight");
  CHECK_FALSE(closest_word("--", flags).has_value());
}
