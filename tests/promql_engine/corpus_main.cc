// Runs upstream PromQL test scripts through the engine: corpus_runner FILE...
// (the same runner `meridian promql test` uses).

#include <iostream>
#include <string>
#include <vector>

#include "promql/promqltest/runner.h"

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  if (files.empty()) {
    std::cerr << "usage: promql_corpus_runner FILE...\n";
    return 2;
  }
  meridian::promqltest::RunnerOptions opts;
  opts.skips_path = MERIDIAN_PROMQLTEST_SKIPS;
  auto summary = meridian::promqltest::RunFiles(files, opts, std::cout);
  return summary.total.failed == 0 ? 0 : 1;
}
