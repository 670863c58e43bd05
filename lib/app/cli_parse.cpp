#include "app/cli_parse.h"

#include <cstring>
#include <regex>
#include <vector>

#include <fmt/format.h>

#include "platform/error_output.h"
#include "platform/exit_codes.h"
#include "platform/suggest.h"
#include "platform/version.h"

namespace payops {

void add_version_flag(CLI::App& app, std::string_view tool) {
  app.set_version_flag("--version", version_line(tool), "Print the version and the git commit it was built from");
}

namespace {

std::optional<double> as_number(const std::string& text) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used != text.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

CLI::Validator at_least(double min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        const auto v = as_number(text);
        if (!v) return fmt::format("must be a number, got '{}'", text);
        if (*v < min) return fmt::format("must be at least {}, got {}", min, text);
        return {};
      },
      fmt::format(">= {}", min));
}

CLI::Validator between(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const auto v = as_number(text);
        if (!v) return fmt::format("must be a number, got '{}'", text);
        if (*v < min || *v > max) return fmt::format("must be between {} and {}, got {}", min, max, text);
        return {};
      },
      fmt::format("{} to {}", min, max));
}

void add_output_flags(CLI::App& sub, bool& json, bool* quiet, const std::string& json_help) {
  sub.add_flag("--json", json, json_help);
  if (quiet != nullptr) sub.add_flag("--quiet,-q", *quiet, "Print nothing but errors (the exit code tells the outcome)");
}

namespace {

// The subcommand chain the parse reached: app, then each selected subcommand.
std::vector<CLI::App*> selected_chain(CLI::App& app) {
  std::vector<CLI::App*> chain{&app};
  for (;;) {
    const auto subs = chain.back()->get_subcommands();
    if (subs.empty()) return chain;
    chain.push_back(subs.front());
  }
}

std::string chain_name(const std::vector<CLI::App*>& chain, std::string_view tool) {
  std::string name(tool);
  for (std::size_t i = 1; i < chain.size(); ++i) name += " " + chain[i]->get_name();
  return name;
}

// Every long and short flag the deepest selected command accepts (its own and, by fallthrough, its parents').
std::vector<std::string> flag_names(const std::vector<CLI::App*>& chain) {
  std::vector<std::string> names;
  for (CLI::App* a : chain) {
    for (const CLI::Option* opt : a->get_options()) {
      for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
      for (const auto& s : opt->get_snames()) names.push_back("-" + s);
    }
  }
  return names;
}

std::vector<std::string> command_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

std::string unknown_word_sentence(const std::vector<CLI::App*>& chain, std::string_view tool, const std::string& word) {
  const std::string where = chain_name(chain, tool);
  if (word.starts_with("-")) {
    const std::string flag = word.substr(0, word.find('='));
    if (const auto near = closest_word(flag, flag_names(chain)))
      return fmt::format("'{}' is not an option of {}. Did you mean '{}'?", flag, where, *near);
    return fmt::format("'{}' is not an option of {}; see {} --help", flag, where, where);
  }
  const auto commands = command_names(*chain.back());
  if (commands.empty()) return fmt::format("unexpected argument '{}' for {}; see {} --help", word, where, where);
  if (const auto near = closest_word(word, commands))
    return fmt::format("'{}' is not a {} command. Did you mean '{}'?", word, where, *near);
  std::string list;
  for (const auto& c : commands) list += (list.empty() ? "" : ", ") + c;
  return fmt::format("'{}' is not a {} command; the commands are {}", word, where, list);
}

// "Could not convert: --weight = abc" in words: "--weight must be a whole number, got 'abc'".
std::optional<std::string> conversion_sentence(const std::vector<CLI::App*>& chain, const std::string& what) {
  static const std::regex pattern("Could not convert: (\\S+) = (.*)");
  std::smatch m;
  if (!std::regex_match(what, m, pattern)) return std::nullopt;
  const std::string name = m[1], value = m[2];
  std::string kind = "a value of another type";
  for (CLI::App* a : chain) {
    const CLI::Option* opt = a->get_option_no_throw(name);
    if (opt == nullptr) continue;
    const std::string type = opt->get_type_name();
    if (type == "INT") kind = "a whole number";
    else if (type == "UINT") kind = "a whole number >= 0";
    else if (type == "FLOAT") kind = "a number";
    break;
  }
  return fmt::format("{} must be {}, got '{}'", name, kind, value);
}

}  // namespace

std::string parse_error_sentence(CLI::App& app, const CLI::ParseError& e, std::string_view tool) {
  const auto chain = selected_chain(app);
  const std::string what = e.what();
  const bool unknown = dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr ||
                       (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && what.find("subcommand") != std::string::npos);
  if (unknown) {
    const auto rest = chain.back()->remaining();
    if (!rest.empty()) return unknown_word_sentence(chain, tool, rest.front());
    const auto top_rest = app.remaining();
    if (!top_rest.empty()) return unknown_word_sentence(chain, tool, top_rest.front());
    if (what.find("subcommand") != std::string::npos) {
      std::string list;
      for (const auto& c : command_names(*chain.back())) list += (list.empty() ? "" : ", ") + c;
      return fmt::format("{} needs a command: {}; see {} --help", chain_name(chain, tool), list, chain_name(chain, tool));
    }
  }
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
    if (auto s = conversion_sentence(chain, what)) return *s;
  }
  return fmt::format("{} (see {} --help)", what, chain_name(chain, tool));
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, std::string_view tool,
                                      const std::function<std::string(std::string)>& sanitize) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    for (int i = 1; i < argc; ++i)
      if (std::strcmp(argv[i], "--json") == 0) set_json_errors(true);
    std::string sentence = parse_error_sentence(app, e, tool);
    if (sanitize) sentence = sanitize(sentence);
    return report_error(tool, kExitUsage, sentence);
  }
}

}  // namespace payops
