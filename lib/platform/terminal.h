// Output for people: whether a stream is a terminal, colour only there (and never with NO_COLOR),
// control characters from the log escaped before they reach a screen, and simple aligned tables.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace payops {

bool is_terminal(std::FILE* stream);
// True when stream is a terminal and NO_COLOR is unset or empty.
bool use_color(std::FILE* stream);

// The byte length (2 or 3) of a UTF-8 encoded C1 control (U+0080..U+009F: U+009B is a CSI, U+0085 a
// line break to some terminals) or bidi override/isolate (U+202A..U+202E, U+2066..U+2069: they
// reorder what is displayed) starting at text[i]; 0 for anything else. These are treated like C0
// controls wherever untrusted text is printed or written (terminal, CSV fields, HTML).
std::size_t unicode_control_length(std::string_view text, std::size_t i);

// Makes untrusted text safe to print: control bytes (and DEL) become \xNN and the Unicode controls
// above \u{XXXX}, so a row's error_message can never move the cursor, change the terminal's state
// or reorder the line. Other valid UTF-8 is kept.
std::string escape_for_terminal(std::string_view text);

// A table rendered with columns padded to their widest cell (counted in UTF-8 code points).
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Right-aligns the given column (numbers).
  void align_right(std::size_t column) { right_.push_back(column); }
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> right_;
};

}  // namespace payops
