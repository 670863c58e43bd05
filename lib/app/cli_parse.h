// The command-line grammar every tool shares (CLI11): --version, readable range errors, --json and
// --quiet listed in each subcommand's --help, and parse errors that name the bad word and suggest
// the closest one ("'shwo' is not a config-tool command. Did you mean 'show'?"), exit 2.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace payops {

// --version: prints version_line(tool) (platform/version.h) on stdout and exits 0.
void add_version_flag(CLI::App& app, std::string_view tool);

// A number option's bounds, said in words when broken: "--weight: must be at least 0, got -5"
// (CLI11's own NonNegativeNumber quotes a 309-digit upper bound).
CLI::Validator at_least(double min);
CLI::Validator between(double min, double max);

// Declares --json (and --quiet,-q when quiet is not null) on the subcommand sub, bound to the
// variables the parent's --json binds too, so `agent status --help` lists them and both
// `agent --json status` and `agent status --json` parse.
void add_output_flags(CLI::App& sub, bool& json, bool* quiet, const std::string& json_help);

// Parses argv. nullopt: run the command. Otherwise the exit code: 0 after --help or --version, 2
// after a parse error, reported by report_error (platform/error_output.h; as JSON too when argv holds
// --json) in one sentence naming the bad word, with the closest command or flag when one is near.
// sanitize, when set, is applied to the sentence (checkout masks card-like numbers).
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, std::string_view tool,
                                      const std::function<std::string(std::string)>& sanitize = {});

// The sentence parse_command_line reports for e (exposed for unit tests).
std::string parse_error_sentence(CLI::App& app, const CLI::ParseError& e, std::string_view tool);

}  // namespace payops
