#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "contract/data_dir.h"

using namespace payops;

TEST_CASE("the data dir flag wins over the environment, which wins over the cwd") {
  unsetenv("PAYOPS_DATA_DIR");
  CHECK(resolve_data_dir("").dir == ".");
  setenv("PAYOPS_DATA_DIR", "/tmp/from-env/", 1);
  CHECK(resolve_data_dir("").dir == "/tmp/from-env");
  CHECK(resolve_data_dir("/srv/payops").transactions_csv() == "/srv/payops/transactions.csv");
  CHECK(resolve_data_dir("d").config_lock() == "d/shared_config.json.lock");
  unsetenv("PAYOPS_DATA_DIR");
}

TEST_CASE("scratch copy: a new dir under TMPDIR with the live config's bytes; a missing config is not_found") {
  char tmpl[] = "/tmp/payops_scratch_test_XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  const std::string root = tmpl;
  const DataDir live{root};
  CHECK(make_scratch_copy(live).error().kind == Error::Kind::not_found);
  { std::ofstream(live.config_json()) << "{\"banks\": []}\n"; }
  ::setenv("TMPDIR", root.c_str(), 1);
  auto scratch = make_scratch_copy(live);
  ::unsetenv("TMPDIR");
  REQUIRE(scratch.ok());
  CHECK(scratch->dir.rfind(root + "/payops-replay-", 0) == 0);
  std::ifstream in(scratch->config_json());
  std::stringstream got;
  got << in.rdbuf();
  CHECK(got.str() == "{\"banks\": []}\n");
  std::remove(scratch->config_json().c_str());
  ::rmdir(scratch->dir.c_str());
  std::remove(live.config_json().c_str());
  ::rmdir(root.c_str());
}
