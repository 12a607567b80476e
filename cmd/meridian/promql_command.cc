// `meridian promql`: PromQL tools: format an expression, run upstream test scripts.

#include <memory>
#include <string>
#include <vector>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/flags.h"
#include "cmd/meridian/promql_format.h"
#include "cmd/meridian/promql_test.h"

namespace meridian::cli {

void AddPromqlCommand(CLI::App& app, int* exit_code) {
  CLI::App* promql = app.add_subcommand("promql", "PromQL tools.");
  promql->require_subcommand(1);

  auto expr = std::make_shared<std::string>();
  CLI::App* format = promql->add_subcommand(
      "format", "Prints an expression in Prometheus's canonical form (exit 1 on a parse error).");
  format->add_option("EXPR", *expr, "PromQL expression")->required();
  format->callback([expr, exit_code] { *exit_code = RunPromqlFormat(*expr); });

  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* test = promql->add_subcommand(
      "test", "Runs PromQL test scripts (Prometheus's promqltest language) against the engine.");
  test->add_option("FILE", *files, "test script files")->required();
  test->callback([files, exit_code] { *exit_code = RunPromqlTest(*files); });
}

}  // namespace meridian::cli
