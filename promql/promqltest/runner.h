#pragma once
// Runs upstream PromQL test scripts (promql/promqltest/testdata/*.test) against Meridian's
// engine over an in-memory storage holding real XOR chunks, with the switches upstream's test
// runner turns on.

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace meridian::promqltest {

struct RunnerOptions {
  // `file:line reason` lines; evals listed there are counted as skipped. Empty: no list.
  std::string skips_path;
  // Also re-run each instant eval with `@ <eval time>` added to every selector and subquery
  // (upstream's step-invariance check). Not implemented yet; kept so callers can opt in.
  bool at_modifier_rerun = false;
};

struct FileCounts {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

struct RunSummary {
  std::map<std::string, FileCounts> per_file;  // by base name
  FileCounts total;
};

// Runs every file; prints one line per failing eval (`file:line: query: expected ... got
// ...`) and, when per_file_lines is set, one count line per file, then the final
// `N passed, N failed, N skipped`.
RunSummary RunFiles(const std::vector<std::string>& files, const RunnerOptions& opts,
                    std::ostream& out, bool per_file_lines = true);

}  // namespace meridian::promqltest
