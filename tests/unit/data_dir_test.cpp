#include <doctest/doctest.h>

#include <cstdlib>

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
