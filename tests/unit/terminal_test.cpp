#include <doctest/doctest.h>

#include "platform/terminal.h"

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

TEST_CASE("C1 controls and bidi overrides are escaped like C0 controls") {
  CHECK(escape_for_terminal("a\xc2\x9b" "31mb") == "a\\u{009b}31mb");  // U+009B: CSI
  CHECK(escape_for_terminal("x\xc2\x85y") == "x\\u{0085}y");            // U+0085: NEL
  CHECK(escape_for_terminal("pay\xe2\x80\xae" "gnp.exe") == "pay\\u{202e}gnp.exe");
  CHECK(escape_for_terminal("\xe2\x81\xa6z\xe2\x81\xa9") == "\\u{2066}z\\u{2069}");
  // Neighbours that are ordinary text stay: U+00A0, U+2029, U+2070, e-acute.
  CHECK(escape_for_terminal("\xc2\xa0\xe2\x80\xa9\xe2\x81\xb0\xc3\xa9") == "\xc2\xa0\xe2\x80\xa9\xe2\x81\xb0\xc3\xa9");
  CHECK(unicode_control_length("\xc2", 0) == 0);  // truncated sequence: not a control
}
