// Test driver for the War Room until `agent status` / `agent drill-report` exist: calls run_status
// and write_drill_report with flags parsed by hand (testkits link only the library).
//   war_room_testkit status [--data-dir D] [--watch] [--json] [--interval MS] [--max-frames N]
//                           [--at TIMESTAMP] [--short-window MS] [--long-window MS]
//   war_room_testkit drill-report [--data-dir D] [--out FILE] [--incident SPEC]... [--run-start TS]
//                                 [--since TS] [--until TS] [--scorecard FILE] [--title TEXT]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "contract/config_model.h"
#include "contract/config_store.h"
#include "contract/data_dir.h"
#include "report/drill_report.h"
#include "platform/exit_codes.h"
#include "report/war_room.h"

using namespace payops;

namespace {

int usage(const std::string& why) {
  std::fprintf(stderr, "war_room_testkit: %s\n", why.c_str());
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage("expected status or drill-report");
  const std::string_view command = argv[1];
  std::string data_dir;
  StatusOptions so;
  DrillReportOptions ro;
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "war_room_testkit: %s needs a value\n", argv[i]);
        std::exit(kExitUsage);
      }
      return argv[++i];
    };
    if (a == "--data-dir") {
      data_dir = next();
    } else if (a == "--watch") {
      so.watch = true;
    } else if (a == "--json") {
      so.json = true;
    } else if (a == "--interval") {
      so.interval_ms = std::stoll(next());
    } else if (a == "--max-frames") {
      so.max_frames = std::stoull(next());
    } else if (a == "--short-window") {
      so.short_window_ms = std::stoll(next());
    } else if (a == "--long-window") {
      so.long_window_ms = std::stoll(next());
    } else if (a == "--at") {
      const std::string text = next();
      so.at_ms = parse_timestamp(text);
      if (!so.at_ms) return usage("--at wants a timestamp like 2026-11-22T12:00:00.000Z");
    } else if (a == "--out") {
      ro.out_path = next();
    } else if (a == "--incident") {
      auto incident = parse_incident(next());
      if (!incident.ok()) return usage(incident.error().message);
      ro.incidents.push_back(*incident);
    } else if (a == "--run-start") {
      ro.run_start_ms = parse_timestamp(next());
      if (!ro.run_start_ms) return usage("--run-start wants a timestamp like 2026-11-22T12:00:00.000Z");
    } else if (a == "--since" || a == "--until") {
      const auto t = parse_timestamp(next());
      if (!t) return usage(std::string(a) + " wants a timestamp like 2026-11-22T12:00:00.000Z");
      (a == "--since" ? ro.since_ms : ro.until_ms) = t;
    } else if (a == "--scorecard") {
      auto text = read_small_file(next());
      if (!text.ok()) return usage(text.error().message);
      auto json = parse_json_text(*text, "scorecard");
      if (!json.ok()) return usage(json.error().message);
      ro.scorecard = *json;
    } else if (a == "--title") {
      ro.title = next();
    } else {
      return usage("unknown flag " + std::string(a));
    }
  }
  const DataDir dir = resolve_data_dir(data_dir);
  if (command == "status") {
    so.data_dir = dir;
    return run_status(so);
  }
  if (command == "drill-report") {
    ro.data_dir = dir;
    const Status st = write_drill_report(ro);
    if (!st.ok()) {
      std::fprintf(stderr, "drill-report: %s\n", st.error().message.c_str());
      return exit_code_for(st.error());
    }
    return kExitOk;
  }
  return usage("unknown command " + std::string(command));
}
