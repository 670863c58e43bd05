// Seeded fuzzing of the config parser and validator, bounded in time so it runs in the normal suite:
// byte-level mutations (flips, truncations, splices) and JSON-level mutations (type swaps, deleted
// and unknown keys, odd numbers and strings) of real config texts go through parse_config_text.
// Properties: no crash; a rejection is a message that names the source; an accepted config
// re-serializes and re-parses to the same JSON, and its text is a fixed point.
//   config_parser_seeded [--seconds N] [--seed S] [--dump-failure FILE]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "contract/config_model.h"
#include "platform/random.h"

using namespace payops;

namespace {

// The property every input must satisfy; returns an explanation when it does not.
std::string check_one(std::string_view text, bool& accepted) {
  accepted = false;
  auto first = parse_config_text(text, "fuzz.json");
  if (!first.ok()) {
    if (first.error().message.rfind("fuzz.json", 0) != 0) return "error does not name the source: " + first.error().message;
    if (first.error().kind != Error::Kind::invalid_config) return "error kind is not invalid_config";
    return {};
  }
  accepted = true;
  const std::string written = config_to_text(*first);
  auto second = parse_config_text(written, "rewritten.json");
  if (!second.ok()) return "accepted config re-serialized to an invalid one: " + second.error().message;
  if (config_to_json(*second) != config_to_json(*first)) return "round trip changed the JSON";
  if (config_to_text(*second) != written) return "serialization is not a fixed point";
  return {};
}

Json random_scalar(Random& rng) {
  static const char* const kStrings[] = {
      "", "bank_a", "bank_z", "healthy", "down", "half_open", "custom", "primary_first",
      "2026-11-22T12:00:00.123Z", "2026-02-29T12:00:00.000Z", "2024-02-29T23:59:59.999Z",
      "9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00.000Z", "2026-11-22T12:00:00Z", "Bank A",
      "\xc3\xa9t\xc3\xa9", "\\u0000", "null"};
  switch (rng.below(10)) {
    case 0: return nullptr;
    case 1: return rng.chance(0.5);
    case 2: return static_cast<std::int64_t>(rng.below(21)) - 5;
    case 3: return static_cast<std::int64_t>(rng.next_u64());
    case 4: return rng.next_u64();
    case 5: {
      static const double kDoubles[] = {0.5, 5.5, 5.0, -0.0, 1e308, -1e308, 1.0000000000000002, 0.1, 2.0, 1e-320};
      return kDoubles[rng.below(std::size(kDoubles))];
    }
    case 6: return rng.uniform() * 3 - 1;
    default: return kStrings[rng.below(std::size(kStrings))];
  }
}

Json random_value(Random& rng) {
  switch (rng.below(6)) {
    case 0: return Json::array({random_scalar(rng)});
    case 1: return Json{{"k", random_scalar(rng)}};
    case 2: return Json::array();
    case 3: return Json::object();
    default: return random_scalar(rng);
  }
}

// Walks to a random node and changes it: swap its value, delete a member, add an unknown key,
// or duplicate an array element.
void mutate_json(Json& doc, Random& rng) {
  Json* node = &doc;
  const int depth = static_cast<int>(rng.below(6));
  for (int d = 0; d < depth; ++d) {
    if (node->is_object() && !node->empty()) {
      auto it = node->begin();
      std::advance(it, static_cast<std::ptrdiff_t>(rng.below(node->size())));
      node = &*it;
    } else if (node->is_array() && !node->empty()) {
      node = &(*node)[rng.below(node->size())];
    } else {
      break;
    }
  }
  switch (rng.below(5)) {
    case 0:
      *node = random_value(rng);
      break;
    case 1:
      if (node->is_object() && !node->empty()) {
        auto it = node->begin();
        std::advance(it, static_cast<std::ptrdiff_t>(rng.below(node->size())));
        node->erase(it);
      }
      break;
    case 2:
      if (node->is_object()) (*node)["x_unknown_" + std::to_string(rng.below(3))] = random_value(rng);
      break;
    case 3:
      if (node->is_array() && !node->empty()) node->push_back((*node)[rng.below(node->size())]);
      break;
    default:
      if (node->is_object() && !node->empty()) {
        auto it = node->begin();
        std::advance(it, static_cast<std::ptrdiff_t>(rng.below(node->size())));
        it.value() = random_scalar(rng);
      }
      break;
  }
}

void mutate_bytes(std::string& s, Random& rng) {
  static const char kJsonBytes[] = "{}[],:\"\\ 0123456789.eE-+tfnul\n\t";
  const int edits = 1 + static_cast<int>(rng.below(4));
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const std::size_t pos = rng.below(s.size());
    switch (rng.below(6)) {
      case 0: s[pos] = static_cast<char>(s[pos] ^ (1 << rng.below(8))); break;
      case 1: s.resize(pos); break;
      case 2: s.insert(pos, 1, kJsonBytes[rng.below(sizeof kJsonBytes - 1)]); break;
      case 3: s.erase(pos, 1 + rng.below(16)); break;
      case 4: {
        const std::size_t from = rng.below(s.size());
        s.insert(pos, s.substr(from, 1 + rng.below(64)));
        break;
      }
      default: s[pos] = static_cast<char>(rng.below(256)); break;
    }
  }
}

std::vector<std::string> seed_texts() {
  std::vector<std::string> seeds;
  const Config base = default_config();
  seeds.push_back(config_to_text(base));
  Config rich = base;
  rich.extra["x_top"] = Json{{"a", Json::array({1, 2.5, "s", nullptr})}};
  rich.banks[1].extra["region"] = "eu";
  rich.banks[2].circuit_breaker.state = BreakerState::half_open;
  rich.banks[2].circuit_breaker.opened_at = 1764158400123;
  rich.banks[3].retry_policy = RetryPolicy::preset(RetryLevel::high);
  rich.banks[0].metrics.updated_at = 1764158400000;
  rich.routing_rules.chaos_targets = std::vector<std::string>{"bank_b"};
  HistoryEntry e;
  e.timestamp = 1764158400000;
  e.action = "reroute_traffic";
  e.details = Json{{"bank_a", Json{{"before", 50}, {"after", 20}}}};
  e.actor = "agent";
  e.reason = "bank_a soft failures 40% over 60 s";
  e.cycle_id = "c-7";
  e.reasoner = "rules";
  e.outcome = Outcome::pending;
  rich.agent_history.push_back(e);
  seeds.push_back(config_to_text(rich));
  seeds.push_back(config_to_json(rich).dump());  // compact form
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  std::uint64_t seed = Random::os_seed();
  std::string dump_path = "config_parser_seeded.failure.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") seconds = std::strtod(argv[i + 1], nullptr);
    else if (flag == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--dump-failure") dump_path = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: config_parser_seeded [--seconds N] [--seed S] [--dump-failure FILE]\n");
      return 2;
    }
  }
  std::printf("config_parser_seeded: seed %llu, %.0f s\n", static_cast<unsigned long long>(seed), seconds);
  Random rng(seed);
  const auto seeds = seed_texts();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::uint64_t runs = 0, accepted_count = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    for (int batch = 0; batch < 64; ++batch) {
      std::string text = seeds[rng.below(seeds.size())];
      const auto kind = rng.below(3);
      if (kind != 0) {
        Json doc = *parse_json_text(text, "seed");
        const int n = 1 + static_cast<int>(rng.below(3));
        for (int k = 0; k < n; ++k) mutate_json(doc, rng);
        text = doc.dump(rng.chance(0.5) ? 2 : -1);
      }
      if (kind != 1) mutate_bytes(text, rng);
      bool accepted = false;
      const std::string why = check_one(text, accepted);
      ++runs;
      if (accepted) ++accepted_count;
      if (!why.empty()) {
        std::ofstream(dump_path, std::ios::binary) << text;
        std::fprintf(stderr, "FAIL (seed %llu, run %llu): %s\ninput written to %s\n",
                     static_cast<unsigned long long>(seed), static_cast<unsigned long long>(runs),
                     why.c_str(), dump_path.c_str());
        return 1;
      }
    }
  }
  std::printf("%llu inputs, %llu accepted, %llu rejected, no failure\n",
              static_cast<unsigned long long>(runs), static_cast<unsigned long long>(accepted_count),
              static_cast<unsigned long long>(runs - accepted_count));
  return 0;
}
