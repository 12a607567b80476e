#pragma once
// Pulls the PromQL expressions out of the upstream .test files (the `eval` lines) together
// with what the file expects of them.

#include <string>
#include <vector>

namespace meridian::promql::testing {

struct CorpusEval {
  std::string file;
  int line = 0;
  std::string expr;
  bool expect_fail = false;
  std::string fail_message;  // text after `expect fail msg:` / `regex:` (may be empty)
};

// Directory from MERIDIAN_PROMQL_TESTDATA env var, else the compile-time default; "" when
// neither exists.
std::string CorpusDir();
std::vector<CorpusEval> ReadCorpus(const std::string& dir);

}  // namespace meridian::promql::testing
