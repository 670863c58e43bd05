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

// Makes untrusted text safe to print: control bytes (and DEL) become \xNN, so a row's error_message
// can never move the cursor or change the terminal's state. Valid UTF-8 is kept.
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
