// The corpus runner must count passes, failures and native-histogram skips correctly; a
// runner that reports everything as passing would hide engine bugs.

#include "promql/promqltest/runner.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <gtest/gtest.h>

namespace meridian::promqltest {
namespace {

std::string WriteTemp(const std::string& name, const std::string& body) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << body;
  return path;
}

TEST(RunnerTest, CountsPassFailAndSkip) {
  std::string path = WriteTemp("runner_counts.test", R"(load 1m
	m{a="1"} 1 2 3
	h {{schema:0 sum:1 count:1}}x3

eval instant at 2m m
	m{a="1"} 3

eval instant at 2m m
	m{a="1"} 4

eval range from 0 to 2m step 1m m * 2
	{a="1"} 2 4 6

eval instant at 2m h
	h {{schema:0 sum:1 count:1}}

eval instant at 0m 1 +
	expect fail

eval instant at 0m unknown_fn(m)
	{} 1
)");
  std::ostringstream out;
  RunSummary s = RunFiles({path}, RunnerOptions{}, out, false);
  EXPECT_EQ(s.total.passed, 3) << out.str();
  EXPECT_EQ(s.total.failed, 2) << out.str();
  EXPECT_EQ(s.total.skipped, 1) << out.str();
  EXPECT_NE(out.str().find("runner_counts.test:8: m: expected m{a=\"1\"} 4, got 3"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("3 passed, 2 failed, 1 skipped\n"), std::string::npos);
}

TEST(RunnerTest, SkipListIsHonoured) {
  std::string path = WriteTemp("runner_skips.test", "eval instant at 0m 1\n\t2\n");
  std::string skips = WriteTemp("skips.txt", "# comment\nrunner_skips.test:1 reason\n");
  RunnerOptions opts;
  opts.skips_path = skips;
  std::ostringstream out;
  RunSummary s = RunFiles({path}, opts, out, false);
  EXPECT_EQ(s.total.skipped, 1);
  EXPECT_EQ(s.total.failed, 0);
}

}  // namespace
}  // namespace meridian::promqltest
