// The textfile exporter: every sample line parses, the values are the snapshot's, the file is
// replaced whole.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "report/prometheus_textfile.h"

using namespace payops;

namespace {

// name{labels} -> value, for every sample line; fails the test on a line that is not one.
std::map<std::string, double> parse_samples(const std::string& text) {
  static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (\S+)$)");
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    std::smatch m;
    REQUIRE_MESSAGE(std::regex_match(line, m, sample), "not a sample line: " << line);
    const std::string v = m[3];
    out[m[1]] = v == "NaN" ? std::nan("") : std::stod(v);
  }
  return out;
}

StatusSnapshot two_banks() {
  StatusSnapshot s;
  s.now_ms = 1'700'000'010'000;
  s.short_window_ms = 30'000;
  BankSnapshot a;
  a.id = "bank_a";
  a.weight = 60;
  a.attempts = 100;
  a.success_rate = 0.95;
  a.p95_latency_ms = 250;
  BankSnapshot b;
  b.id = "bank_b";
  b.weight = 0;
  b.health = Health::down;
  b.breaker = BreakerState::open;
  s.banks = {a, b};
  s.payments = 90;
  s.payment_success_rate = 0.99;
  s.payments_per_s = 3;
  s.agent.last_cycle_ms = 1'700'000'000'000;
  s.agent.age_ms = 10'000;
  return s;
}

}  // namespace

TEST_CASE("prometheus: per-bank gauges, one-hot health and breaker, agent age") {
  const auto m = parse_samples(status_to_prometheus(two_banks()));
  CHECK(m.at("payops_bank_success_ratio{bank=\"bank_a\"}") == doctest::Approx(0.95));
  CHECK(std::isnan(m.at("payops_bank_success_ratio{bank=\"bank_b\"}")));
  CHECK(m.at("payops_bank_p95_latency_seconds{bank=\"bank_a\"}") == doctest::Approx(0.25));
  CHECK(m.at("payops_bank_weight{bank=\"bank_a\"}") == 60);
  CHECK(m.at("payops_bank_health{bank=\"bank_b\",status=\"down\"}") == 1);
  CHECK(m.at("payops_bank_health{bank=\"bank_b\",status=\"healthy\"}") == 0);
  CHECK(m.at("payops_bank_breaker_state{bank=\"bank_b\",state=\"open\"}") == 1);
  CHECK(m.at("payops_bank_breaker_state{bank=\"bank_a\",state=\"closed\"}") == 1);
  CHECK(m.at("payops_agent_cycle_age_seconds") == 10);
  CHECK(m.at("payops_agent_last_cycle_timestamp_seconds") == doctest::Approx(1'700'000'000.0));
  CHECK(m.at("payops_payments_per_second") == 3);
}

TEST_CASE("prometheus: no agent cycle yet leaves the agent gauges out, and label values are escaped") {
  StatusSnapshot s = two_banks();
  s.agent = AgentLiveness{};
  s.banks[0].id = "odd\"id\\";
  const std::string text = status_to_prometheus(s);
  CHECK(text.find("payops_agent_cycle_age_seconds") == std::string::npos);
  const auto m = parse_samples(text);
  CHECK(m.count("payops_bank_weight{bank=\"odd\\\"id\\\\\"}") == 1);
}

TEST_CASE("prometheus: the file is replaced whole, with no temporary file left") {
  char tmpl[] = "/tmp/payops_prom_test_XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  const std::string path = std::string(tmpl) + "/payops.prom";
  REQUIRE(write_file_atomically(path, "old\n").ok());
  REQUIRE(write_file_atomically(path, "new\n").ok());
  std::ifstream in(path);
  std::stringstream got;
  got << in.rdbuf();
  CHECK(got.str() == "new\n");
  CHECK(::access((path + ".tmp." + std::to_string(::getpid())).c_str(), F_OK) != 0);
  std::remove(path.c_str());
  CHECK_FALSE(write_file_atomically(std::string(tmpl) + "/no/such/dir/x.prom", "x").ok());
  ::rmdir(tmpl);
}
