// Dotted config paths and the operator-change record.
#include "contract/config_paths.h"

#include <fmt/format.h>

namespace payops {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? path.size() : dot;
    parts.push_back(path.substr(start, end - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

std::string keys_of(const Json& obj) {
  std::string out;
  for (const auto& [k, v] : obj.items()) out += (out.empty() ? "" : ", ") + k;
  return out;
}

std::string bank_ids(const Json& banks) {
  std::string out;
  for (const auto& b : banks)
    if (b.is_object() && b.contains("id") && b["id"].is_string())
      out += (out.empty() ? "" : ", ") + b["id"].get<std::string>();
  return out;
}

// Walks doc to the node at path; on success returns a pointer into doc.
template <class J>
Result<J*> resolve(J& doc, std::string_view path) {
  if (path.empty()) return make_error("empty path (try banks.bank_a.weight or routing_rules.chaos_mode)", Error::Kind::invalid_input);
  J* node = &doc;
  std::string walked;
  for (const auto part : split_path(path)) {
    if (part.empty())
      return make_error(fmt::format("path \"{}\" has an empty segment", path), Error::Kind::invalid_input);
    const std::string where = walked.empty() ? "the top level" : walked;
    if (node->is_array()) {
      J* found = nullptr;
      if (walked == "banks") {
        for (auto& b : *node)
          if (b.is_object() && b.contains("id") && b["id"] == part) found = &b;
        if (!found)
          return make_error(fmt::format("no bank \"{}\" (known: {})", part, bank_ids(*node)), Error::Kind::invalid_input);
      } else {
        std::size_t index = 0;
        for (char c : part) {
          if (c < '0' || c > '9')
            return make_error(fmt::format("{} is a list: index it with a number, got \"{}\"", where, part), Error::Kind::invalid_input);
          index = index * 10 + static_cast<std::size_t>(c - '0');
        }
        if (index >= node->size())
          return make_error(fmt::format("{} has {} entries, no index {}", where, node->size(), index), Error::Kind::invalid_input);
        found = &(*node)[index];
      }
      node = found;
    } else if (node->is_object()) {
      const std::string key(part);
      if (!node->contains(key))
        return make_error(fmt::format("{} has no field \"{}\" (known: {})", where, key, keys_of(*node)), Error::Kind::invalid_input);
      node = &(*node)[key];
    } else {
      return make_error(fmt::format("{} is a value, not an object: cannot look up \"{}\"", where, part), Error::Kind::invalid_input);
    }
    walked += (walked.empty() ? "" : ".") + std::string(part);
  }
  return node;
}

}  // namespace

Result<Json> get_path(const Json& doc, std::string_view path) {
  auto node = resolve(doc, path);
  if (!node.ok()) return node.error();
  return **node;
}

Status set_path(Json& doc, std::string_view path, Json value) {
  if (path == "routing_rules.chaos_targets" && doc.contains("routing_rules") &&
      doc["routing_rules"].is_object()) {
    doc["routing_rules"]["chaos_targets"] = std::move(value);
    return ok_status();
  }
  // The optional routing_rules.success_rate_routing appears, with its defaults, when one of its
  // fields is set (the defaults are then written out, so the file says what the agent does).
  if (path.starts_with("routing_rules.success_rate_routing.") && doc.contains("routing_rules") &&
      doc["routing_rules"].is_object() && !doc["routing_rules"].contains("success_rate_routing")) {
    doc["routing_rules"]["success_rate_routing"] = success_rate_routing_to_json(SuccessRateRouting{});
  }
  if (path == "agent_history" || path.starts_with("agent_history."))
    return make_error("agent_history is a record, not a setting: it cannot be edited with set", Error::Kind::invalid_input);
  if (path.find(".metrics") != std::string_view::npos)
    return make_error("metrics are written by the agent each cycle and are never an input: they cannot be set", Error::Kind::invalid_input);
  auto node = resolve(doc, path);
  if (!node.ok()) return node.error();
  if ((*node)->is_object() || ((*node)->is_array() && path == "banks"))
    return make_error(fmt::format("\"{}\" is a whole section; set one of its fields instead", path), Error::Kind::invalid_input);
  **node = std::move(value);
  return ok_status();
}

Json parse_cli_value(std::string_view text) {
  Json value = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Json(std::string(text));
  return value;
}

Json changes_to_details(const std::vector<FieldChange>& changes) {
  Json list = Json::array();
  for (const auto& c : changes) list.push_back(Json{{"path", c.path}, {"before", c.before}, {"after", c.after}});
  return Json{{"changes", list}};
}

std::vector<FieldChange> changes_from_details(const Json& details) {
  std::vector<FieldChange> out;
  if (!details.is_object() || !details.contains("changes") || !details["changes"].is_array()) return out;
  for (const auto& c : details["changes"]) {
    if (!c.is_object() || !c.contains("path") || !c["path"].is_string()) continue;
    out.push_back({c["path"].get<std::string>(), c.value("before", Json()), c.value("after", Json())});
  }
  return out;
}

namespace {

void diff_objects(const Json& before, const Json& after, const std::string& prefix,
                  std::vector<FieldChange>& out) {
  for (const auto& [key, value] : after.items()) {
    if (key == "metrics") continue;
    const std::string path = prefix + key;
    const Json old = before.contains(key) ? before[key] : Json();
    if (value.is_object() && old.is_object()) {
      diff_objects(old, value, path + ".", out);
    } else if (old != value) {
      out.push_back({path, old, value});
    }
  }
  for (const auto& [key, value] : before.items())
    if (!after.contains(key) && key != "metrics") out.push_back({prefix + key, value, Json()});
}

}  // namespace

std::vector<FieldChange> diff_configs(const Config& before, const Config& after) {
  const Json b = config_to_json(before), a = config_to_json(after);
  std::vector<FieldChange> out;
  for (const auto& bank : a["banks"]) {
    const std::string id = bank["id"].get<std::string>();
    Json old = Json::object();
    for (const auto& ob : b["banks"])
      if (ob["id"] == bank["id"]) old = ob;
    diff_objects(old, bank, "banks." + id + ".", out);
  }
  for (const auto& ob : b["banks"]) {
    bool still = false;
    for (const auto& bank : a["banks"]) still |= bank["id"] == ob["id"];
    if (!still) out.push_back({"banks." + ob["id"].get<std::string>(), ob, Json()});
  }
  diff_objects(b["routing_rules"], a["routing_rules"], "routing_rules.", out);
  return out;
}

}  // namespace payops
