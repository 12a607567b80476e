#include "cmd/meridian/promql_test.h"

#include <iostream>

#include "promql/promqltest/runner.h"

#ifndef MERIDIAN_PROMQLTEST_SKIPS
#define MERIDIAN_PROMQLTEST_SKIPS ""
#endif

namespace meridian {

int RunPromqlTest(const std::vector<std::string>& files) {
  promqltest::RunnerOptions opts;
  opts.skips_path = MERIDIAN_PROMQLTEST_SKIPS;
  promqltest::RunSummary s = promqltest::RunFiles(files, opts, std::cout);
  return s.total.failed == 0 ? 0 : 1;
}

}  // namespace meridian
