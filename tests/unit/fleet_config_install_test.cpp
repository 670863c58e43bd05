// Installing a fleet config version: through the contract's locked write, refused when invalid,
// never over a human's broken local edit.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "contract/config_store.h"
#include "fleet/fleet_config_install.h"
#include "fleet/fleet_names.h"

using namespace payops;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/fleet_install_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path).c_str()); }
};

}  // namespace

TEST_CASE("a valid version is installed, then found unchanged") {
  TempDir dir;
  const DataDir d{dir.path};
  Config c = default_config();
  c.banks[0].weight = 42;
  const std::string text = config_to_text(c);
  auto r = install_fleet_config(d, text, "fleet revision 1", 1000);
  REQUIRE(r.ok());
  CHECK(*r == InstallOutcome::installed);
  auto loaded = ConfigStore(d).load();
  REQUIRE(loaded.ok());
  CHECK(loaded->banks[0].weight == 42);
  r = install_fleet_config(d, text, "fleet revision 1", 1000);
  REQUIRE(r.ok());
  CHECK(*r == InstallOutcome::unchanged);
}

TEST_CASE("an invalid version is refused and the local file stays as it was") {
  TempDir dir;
  const DataDir d{dir.path};
  REQUIRE(install_fleet_config(d, config_to_text(default_config()), "fleet revision 1", 1000).ok());
  const auto before = read_small_file(d.config_json());
  auto r = install_fleet_config(d, "{\"banks\": 1}", "fleet revision 2", 1000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == Error::Kind::invalid_input);
  CHECK(r.error().message.find("fleet revision 2") != std::string::npos);
  CHECK(*read_small_file(d.config_json()) == *before);
}

TEST_CASE("a broken local file (a human's edit) is never overwritten") {
  TempDir dir;
  const DataDir d{dir.path};
  std::ofstream(d.config_json()) << "{ broken";
  auto r = install_fleet_config(d, config_to_text(default_config()), "fleet revision 3", 1000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == Error::Kind::invalid_config);
  CHECK(*read_small_file(d.config_json()) == "{ broken");
}

TEST_CASE("host ids are subject tokens") {
  CHECK_FALSE(host_id_problem("pay-1_eu"));
  CHECK(host_id_problem("a.b"));
  CHECK(host_id_problem(""));
  CHECK(host_id_problem("x>"));
  CHECK(host_of_subject("payops.log.h1") == "h1");
  CHECK(host_of_subject("payops.log.a.b").empty());
  CHECK(row_message_id("h1", 107) == "h1:107");
  CHECK_FALSE(host_id_problem(default_host_id()));
}
