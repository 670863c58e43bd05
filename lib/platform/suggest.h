// "Did you mean ...?" for command lines: the candidate closest to a mistyped word.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace payops {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters each cost 1 ("shwo" -> "show" is 1, "stauts" -> "status" is 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate a person most likely meant by word: the one at the smallest edit distance, if that
// distance is at most 1 for words of up to 4 characters and at most 2 for longer ones; else the only
// candidate word is a prefix of ("hist" -> "history"). Leading dashes are ignored on both sides, so
// "--jsno" finds "--json". Ties go to the earlier candidate. nullopt: nothing close.
std::optional<std::string> closest_word(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace payops
