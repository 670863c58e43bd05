#include <doctest/doctest.h>

#include "terminal.h"

using namespace payops;

TEST_CASE("text from the log cannot drive the terminal") {
  CHECK(escape_for_terminal("ok") == "ok");
  CHECK(escape_for_terminal("a\x1b[2Jb") == "a\\x1b[2Jb");
  CHECK(escape_for_terminal("line\nbreak\r") == "line\\x0abreak\\x0d");
  CHECK(escape_for_terminal("caf\xc3\xa9") == "caf\xc3\xa9");
}

TEST_CASE("tables pad columns to the widest cell and escape cells") {
  Table t({"BANK", "N"});
  t.align_right(1);
  t.add_row({"bank_a", "5"});
  t.add_row({"b\x1b", "100"});
  CHECK(t.render() == "BANK      N\nbank_a    5\nb\\x1b   100\n");
}
