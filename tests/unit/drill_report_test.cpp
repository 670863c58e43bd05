// Specs of the drill report: bucket sizes, escaping, the page's charts and sections, and loading a
// data dir.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config_store.h"
#include "drill_report.h"

using namespace payops;

namespace {

std::size_t count(const std::string& haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

constexpr TimeMs kStart = 1'795'000'000'000;

DrillData sample() {
  DrillData d;
  d.title = "drill <1>";
  d.source = "/tmp/d";
  d.start_ms = kStart;
  d.bucket_ms = 10'000;
  d.buckets = 6;
  d.end_ms = kStart + 59'000;
  d.run_start_ms = kStart;
  d.all_attempts = {10, 10, 10, 10, 10, 10};
  d.all_successes = {10, 9, 2, 3, 9, 10};
  BankSeries a;
  a.id = "bank_a";
  a.name = "A <&> \"Bank\"";
  a.attempts = {5, 5, 5, 5, 5, 5};
  a.successes = {5, 5, 2, 3, 5, 5};
  a.p95_latency_ms = {100, 120, 900, 800, 110, 100};
  BankSeries b;
  b.id = "bank_b";
  b.name = "B";
  b.attempts = {5, 5, 5, 5, 5, 0};
  b.successes = {5, 4, 0, 0, 4, 0};
  b.p95_latency_ms = {200, 210, 8000, 8000, 220, -1};
  d.banks = {a, b};
  Incident inc;
  inc.bank_id = "bank_b";
  inc.start_offset_ms = 20'000;
  inc.duration_ms = 20'000;
  d.incidents = {inc};
  HistoryEntry e;
  e.timestamp = kStart + 25'000;
  e.actor = "agent";
  e.action = "update_bank_health";
  e.reason = "bank_b: <script>alert('x')</script> 100% soft failures";
  e.outcome = Outcome::effective;
  e.details = Json{{"changes", Json::array({Json{{"path", "banks.bank_b.health_status"}, {"before", "healthy"}, {"after", "down"}}})}};
  d.history = {e};
  return d;
}

}  // namespace

TEST_CASE("html_escape makes text safe in elements and quoted attributes") {
  CHECK(html_escape("a<b>&\"c\"'d'") == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
  CHECK(html_escape("caf\xc3\xa9") == "caf\xc3\xa9");
}

TEST_CASE("the bucket size is a nice duration giving about the target count") {
  CHECK(choose_bucket_ms(60'000, 120) == 1'000);
  CHECK(choose_bucket_ms(4'000'000, 120) == 30'000);
  CHECK(choose_bucket_ms(3'600'000, 120) == 30'000);
  CHECK(choose_bucket_ms(0, 120) == 1'000);
  CHECK(choose_bucket_ms(30LL * 86'400'000, 120) == 21'600'000);
}

TEST_CASE("the page has three charts, the incident shaded, the action marked, and nothing unescaped") {
  const std::string html = render_drill_report_html(sample());
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(count(html, "<svg") == 3);
  CHECK(count(html, "class=\"incident\"") == 3);  // one per chart
  CHECK(count(html, "<g class=\"action\"") == 3);
  CHECK(count(html, "class=\"share\"") == 2);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("A &lt;&amp;&gt; &quot;Bank&quot;") != std::string::npos);
  CHECK(html.find("<title>drill &lt;1&gt;</title>") != std::string::npos);
  CHECK(html.find("banks.bank_b.health_status: &quot;healthy&quot; &rarr; &quot;down&quot;") != std::string::npos);
  CHECK(html.find("incident: bank_b outage from") != std::string::npos);
  CHECK(html.find("No scorecard was given") != std::string::npos);
  // No external assets: nothing is fetched.
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
}

TEST_CASE("a bank with no attempts in a bucket breaks its line instead of dropping to zero") {
  const std::string html = render_drill_report_html(sample());
  // bank_b's success path: five points then a gap (bucket 5), so exactly one move-to.
  const auto pos = html.find("bank_b success rate");
  REQUIRE(pos != std::string::npos);
  const auto start = html.rfind("<path", pos);
  const std::string path = html.substr(start, pos - start);
  CHECK(count(path, "M") == 1);
  CHECK(count(path, "L") == 4);
}

TEST_CASE("the scorecard section shows the verdict, the bars and the runs, escaped") {
  const Json sc = {{"passed", false},
                   {"agent", {{"payments", 100}, {"success_rate", 0.95}, {"incident_success_rate", 0.9}}},
                   {"baseline", nullptr},
                   {"time_to_detect_ms", 12000},
                   {"bars", Json::array({Json{{"bar", "detect <2 cycles"}, {"passed", true}, {"detail", "12 s"}},
                                         Json{{"bar", "oracle"}, {"passed", false}, {"detail", "0.9 < 0.98"}}})}};
  const std::string html = render_scorecard_html(sc);
  CHECK(html.find("FAILED") != std::string::npos);
  CHECK(html.find("detect &lt;2 cycles") != std::string::npos);
  CHECK(html.find("95.00%") != std::string::npos);
  CHECK(html.find("90.00%") != std::string::npos);
  CHECK(html.find("12.0 s") != std::string::npos);
  CHECK(count(html, "class=\"fail\"") == 2);  // the verdict and one bar
  DrillData d = sample();
  d.scorecard = sc;
  CHECK(render_drill_report_html(d).find("detect &lt;2 cycles") != std::string::npos);
}

TEST_CASE("a data dir becomes buckets per bank, named and ordered by the config, with the archive's actions") {
  const auto dir = std::filesystem::temp_directory_path() / ("drill_report_test." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const DataDir data{dir.string()};
  REQUIRE(ConfigStore(data).init(default_config(), false).ok());
  {
    std::ofstream csv(data.transactions_csv());
    csv << "timestamp,transaction_id,amount,currency,type,bank_id,bank_name,status,latency_ms,error_code,error_message\n";
    csv << "2026-11-22T12:00:00.500Z,txn_0000000000000001,1.00,USD,card,bank_b,Adyen,failed,900,BANK_UNAVAILABLE,down\n";
    csv << "2026-11-22T12:00:00.700Z,txn_0000000000000001,1.00,USD,card,bank_a,Stripe Gateway,success,100,,\n";
    csv << "2026-11-22T12:00:59.000Z,txn_0000000000000002,1.00,USD,card,bank_a,Stripe Gateway,success,300,,\n";
    csv << "not a row\n";
    std::ofstream archive(data.history_jsonl());
    archive << R"({"timestamp":"2026-11-22T12:00:30.000Z","action":"set_weights","details":{},"actor":"config-tool","reason":"archived"})"
            << "\n";
  }
  DrillReportOptions o;
  o.data_dir = data;
  o.threads = 2;
  auto loaded = load_drill_data(o);
  REQUIRE(loaded.ok());
  const DrillData& d = *loaded;
  CHECK(d.rows == 3);
  CHECK(d.malformed == 1);
  CHECK(d.bucket_ms == 1'000);
  CHECK(d.buckets == 60);
  REQUIRE(d.banks.size() == 2);
  CHECK(d.banks[0].id == "bank_a");  // config order, though bank_b came first in the log
  CHECK(d.banks[0].name == "Stripe Gateway");
  CHECK(d.banks[0].total_attempts == 2);
  CHECK(d.banks[0].total_p95_latency_ms == 300);
  CHECK(d.banks[1].successes[0] == 0);
  CHECK(d.banks[1].p95_latency_ms[0] == 900);
  CHECK(d.banks[1].p95_latency_ms[1] == -1);
  REQUIRE(d.history.size() == 1);
  CHECK(d.history[0].reason == "archived");

  DrillReportOptions close_up = o;
  close_up.since_ms = parse_timestamp("2026-11-22T12:00:00.600Z");
  close_up.until_ms = parse_timestamp("2026-11-22T12:00:40.000Z");
  auto zoomed = load_drill_data(close_up);
  REQUIRE(zoomed.ok());
  CHECK(zoomed->rows == 1);
  CHECK(zoomed->banks.size() == 1);
  CHECK(zoomed->history.size() == 1);
  close_up.since_ms = parse_timestamp("2026-11-22T13:00:00.000Z");
  close_up.until_ms.reset();
  CHECK_FALSE(load_drill_data(close_up).ok());  // nothing in range

  o.out_path = (dir / "report.html").string();
  REQUIRE(write_drill_report(o).ok());
  std::ifstream in(o.out_path);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(count(html, "<svg") == 3);

  o.data_dir = DataDir{(dir / "missing").string()};
  CHECK_FALSE(load_drill_data(o).ok());
  std::filesystem::remove_all(dir);
}

TEST_CASE("html_escape shows control bytes, C1 controls and bidi overrides as visible escapes") {
  const std::string out = html_escape("a\x1b]8;;http://x\x07" "b\xc2\x9b" "c\xe2\x80\xae" "d");
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find('\x07') == std::string::npos);
  CHECK(out.find("\xc2\x9b") == std::string::npos);
  CHECK(out.find("\xe2\x80\xae") == std::string::npos);
  CHECK(out == "a\\x1b]8;;http://x\\x07b\\u{009b}c\\u{202e}d");
}
