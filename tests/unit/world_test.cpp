// The world: baselines differ per bank, incidents parse and apply at the right times, chaos only hits
// its targets and looks like real soft failures, capacity answers RATE_LIMITED, --world overrides.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "contract/config_model.h"
#include "routing/world.h"

using namespace payops;

namespace {

constexpr TimeMs kT0 = 1'800'000'000'000;

Config banks(std::initializer_list<const char*> ids) {
  Config c;
  for (const char* id : ids) {
    Bank b;
    b.id = id;
    b.name = id;
    b.weight = 10;
    c.banks.push_back(b);
  }
  c.routing_rules.primary_bank = c.banks.front().id;
  return c;
}

struct Tally {
  int attempts = 0, soft = 0, hard = 0, ok = 0;
  mutable std::map<ErrorCode, int> codes;  // operator[] reads missing codes as 0
  std::set<std::string_view> soft_messages;
  double soft_rate() const { return static_cast<double>(soft) / attempts; }
};

// One attempt every `gap_ms` from `from_ms`, so capacity is not the story unless a test wants it.
Tally tally(World& w, std::int32_t bank, int n, TimeMs from_ms, std::int64_t gap_ms, Random& rng,
            PaymentMethod method = PaymentMethod::card) {
  Tally t;
  for (int i = 0; i < n; ++i) {
    const auto out = w.attempt(bank, method, from_ms + i * gap_ms, rng);
    ++t.attempts;
    ++t.codes[out.code];
    switch (kind_of(out.code)) {
      case ErrorKind::soft: ++t.soft; t.soft_messages.insert(out.message); break;
      case ErrorKind::hard: ++t.hard; break;
      default: ++t.ok;
    }
  }
  return t;
}

}  // namespace

TEST_CASE("incident specs parse, and bad ones say what is expected") {
  auto o = parse_incident("bank_b:outage:60s+120s");
  REQUIRE(o.ok());
  CHECK(o->bank_id == "bank_b");
  CHECK(o->kind == IncidentKind::outage);
  CHECK(o->start_offset_ms == 60000);
  CHECK(o->duration_ms == 120000);
  auto l = parse_incident("bank_c:latency=4000ms:30s+90s");
  REQUIRE(l.ok());
  CHECK(l->kind == IncidentKind::latency);
  CHECK(l->value == 4000);
  auto f = parse_incident("bank_a:flap=20s:0s+300s");
  REQUIRE(f.ok());
  CHECK(f->value == 20000);
  auto e = parse_incident("*:errors=0.4:10s");
  REQUIRE(e.ok());
  CHECK(e->bank_id == "*");
  CHECK(e->value == doctest::Approx(0.4));
  CHECK(e->duration_ms == -1);
  for (const char* bad : {"bank_b:outage", "bank_b:boom:1s", "bank_b:errors=2:1s", "bank_b:latency:1s",
                          "Bank-B:outage:1s", "bank_b:outage:x+1s", "bank_b:outage:1s+0s", "bank_b:outage=3:1s",
                          ":outage:1s", "a:b:c:d"}) {
    auto r = parse_incident(bad);
    CHECK_MESSAGE(!r.ok(), bad);
    if (!r.ok()) CHECK(r.error().message.find("BANK:KIND") != std::string::npos);
  }
}

TEST_CASE("incident effects are a pure function of bank and time") {
  std::vector<Incident> incs = {*parse_incident("bank_b:outage:60s+120s"),
                                *parse_incident("bank_a:flap=20s:0s+100s"),
                                *parse_incident("bank_c:latency=4000ms:30s+90s"),
                                *parse_incident("*:errors=0.5:10s+10s")};
  CHECK_FALSE(incident_effect(incs, "bank_b", 59999).outage);
  CHECK(incident_effect(incs, "bank_b", 60000).outage);
  CHECK(incident_effect(incs, "bank_b", 179999).outage);
  CHECK_FALSE(incident_effect(incs, "bank_b", 180000).outage);
  CHECK(incident_effect(incs, "bank_a", 0).outage);         // flap starts down
  CHECK_FALSE(incident_effect(incs, "bank_a", 20000).outage);
  CHECK(incident_effect(incs, "bank_a", 45000).outage);
  CHECK_FALSE(incident_effect(incs, "bank_a", 100000).outage);  // over
  CHECK(incident_effect(incs, "bank_c", 30000).latency_median_ms == 4000);
  CHECK(incident_effect(incs, "bank_c", 29999).latency_median_ms == 0);
  CHECK(incident_effect(incs, "bank_d", 15000).extra_error_rate == doctest::Approx(0.5));
  CHECK(incident_effect(incs, "bank_d", 20000).extra_error_rate == 0);
}

TEST_CASE("baselines differ per bank and unknown ids get a deterministic default") {
  CHECK(default_behavior("bank_a").latency_median_ms < default_behavior("bank_d").latency_median_ms);
  CHECK(default_behavior("bank_a").soft_failure_rate < default_behavior("bank_b").soft_failure_rate);
  const auto x1 = default_behavior("bank_zeta"), x2 = default_behavior("bank_zeta");
  CHECK(x1.latency_median_ms == x2.latency_median_ms);
  CHECK(x1.capacity_per_s == x2.capacity_per_s);
}

TEST_CASE("an outage fails every attempt softly during its window only") {
  Config c = banks({"bank_a", "bank_b"});
  World w({}, {*parse_incident("bank_b:outage:60s+60s")}, kT0);
  w.bind(c);
  Random rng(5);
  CHECK(tally(w, 1, 500, kT0, 100, rng).soft_rate() < 0.2);
  const auto during = tally(w, 1, 500, kT0 + 60000, 100, rng);
  CHECK(during.soft == 500);
  CHECK(tally(w, 0, 500, kT0 + 60000, 100, rng).soft_rate() < 0.1);  // other banks unaffected
  CHECK(tally(w, 1, 500, kT0 + 120000, 100, rng).soft_rate() < 0.2);
}

TEST_CASE("a latency incident pushes the tail into GATEWAY_TIMEOUT") {
  Config c = banks({"bank_c"});
  World w({}, {*parse_incident("bank_c:latency=6000ms:0s")}, kT0);
  w.bind(c);
  Random rng(9);
  const auto t = tally(w, 0, 2000, kT0, 100, rng);
  CHECK(t.codes[ErrorCode::GATEWAY_TIMEOUT] > 400);
}

TEST_CASE("chaos hits only its targets, at its rate, with the baseline's codes and messages") {
  Config c = banks({"bank_a", "bank_b"});
  c.routing_rules.chaos_mode = true;
  c.routing_rules.chaos_failure_rate = 0.5;
  c.routing_rules.chaos_targets = std::vector<std::string>{"bank_b"};
  World w({}, {}, kT0);
  w.bind(c);
  Random rng(11);
  const auto a = tally(w, 0, 20000, kT0, 10, rng);
  const auto b = tally(w, 1, 20000, kT0, 10, rng);
  CHECK(a.soft_rate() < 0.03);
  CHECK(b.soft_rate() == doctest::Approx(0.5 + 0.5 * 0.03).epsilon(0.05));

  // The same kinds of failure as a bank that is simply bad: nothing marks them as injected.
  Config plain = banks({"bank_a"});
  WorldSpec bad = *parse_world_json(R"({"banks": {"bank_a": {"soft_failure_rate": 0.5}}})", "test");
  World w2(bad, {}, kT0);
  w2.bind(plain);
  const auto real = tally(w2, 0, 20000, kT0, 10, rng);
  CHECK(real.soft_messages == b.soft_messages);
  for (ErrorCode code : {ErrorCode::GATEWAY_TIMEOUT, ErrorCode::BANK_UNAVAILABLE, ErrorCode::NETWORK_ERROR})
    CHECK(static_cast<double>(b.codes[code]) / b.soft ==
          doctest::Approx(static_cast<double>(real.codes[code]) / real.soft).epsilon(0.1));

  // Absent or empty targets mean every bank.
  c.routing_rules.chaos_targets.reset();
  w.bind(c);
  CHECK(tally(w, 0, 20000, kT0, 10, rng).soft_rate() > 0.45);
  c.routing_rules.chaos_targets = std::vector<std::string>{};
  w.bind(c);
  CHECK(tally(w, 0, 20000, kT0, 10, rng).soft_rate() > 0.45);
}

TEST_CASE("the world never reads health_status or metrics") {
  Config c = banks({"bank_a"});
  World w1({}, {}, kT0), w2({}, {}, kT0);
  w1.bind(c);
  c.banks[0].health_status = Health::down;
  c.banks[0].metrics.success_rate = 0.01;
  c.banks[0].circuit_breaker.state = BreakerState::open;
  w2.bind(c);
  Random r1(4), r2(4);
  for (int i = 0; i < 1000; ++i) {
    const auto a = w1.attempt(0, PaymentMethod::upi, kT0 + i * 50, r1);
    const auto b = w2.attempt(0, PaymentMethod::upi, kT0 + i * 50, r2);
    REQUIRE(a.code == b.code);
    REQUIRE(a.latency_ms == b.latency_ms);
  }
}

TEST_CASE("above its capacity a bank answers RATE_LIMITED") {
  Config c = banks({"bank_a"});
  WorldSpec spec = *parse_world_json(R"({"banks": {"bank_a": {"capacity_per_s": 100, "soft_failure_rate": 0}}})", "t");
  World w(spec, {}, kT0);
  w.bind(c);
  Random rng(2);
  const auto t = tally(w, 0, 1000, kT0, 2, rng);  // 500 attempts/s for 2 s
  CHECK(t.codes[ErrorCode::RATE_LIMITED] == 800);
}

TEST_CASE("hard declines follow the method's rate and use fitting codes") {
  Config c = banks({"bank_a"});
  WorldSpec spec = *parse_world_json(
      R"({"banks": {"bank_a": {"soft_failure_rate": 0, "hard_decline_rate": {"upi": 0.2, "card": 0}}}})", "t");
  World w(spec, {}, kT0);
  w.bind(c);
  Random rng(8);
  const auto upi = tally(w, 0, 20000, kT0, 10, rng, PaymentMethod::upi);
  CHECK(static_cast<double>(upi.hard) / upi.attempts == doctest::Approx(0.2).epsilon(0.05));
  CHECK(upi.codes[ErrorCode::CARD_EXPIRED] == 0);  // a UPI payment has no card to expire
  CHECK(tally(w, 0, 5000, kT0, 10, rng, PaymentMethod::card).hard == 0);
}

TEST_CASE("world files: overrides apply, typos are refused with their place") {
  auto ok = parse_world_json(R"({"banks": {"bank_b": {"latency_median_ms": 900}}, "default": {"timeout_ms": 5000}})", "w.json");
  REQUIRE(ok.ok());
  CHECK(ok->behavior_for("bank_b").latency_median_ms == 900);
  CHECK(ok->behavior_for("bank_b").soft_failure_rate == default_behavior("bank_b").soft_failure_rate);
  CHECK(ok->behavior_for("bank_q").timeout_ms == 5000);
  auto typo = parse_world_json(R"({"banks": {"bank_b": {"latency_median": 900}}})", "w.json");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().message.find("w.json: banks.bank_b: unknown key \"latency_median\"") != std::string::npos);
  auto range = parse_world_json(R"({"default": {"soft_failure_rate": 3}})", "w.json");
  REQUIRE_FALSE(range.ok());
  CHECK(range.error().message.find("soft_failure_rate") != std::string::npos);
  CHECK_FALSE(parse_world_json("{", "w.json").ok());
}
