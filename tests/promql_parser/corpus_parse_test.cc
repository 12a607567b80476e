// Every expression of the upstream corpus parses with all features on, except those the
// corpus expects to fail with an error Prometheus raises while parsing.
//
// Which `expect fail` cases are parse errors: upstream's test runner does not say whether a
// failure comes from parsing or evaluation, so we classify by the expected message. Of the
// corpus's expected failures only the extended-range-selector ones ("... modifier can only be
// used with ...") are raised by the parser; all others (NaN parameters, invalid label names
// or regexes in label_replace, duplicate series, many-to-many matching, ...) are evaluation
// errors and must parse. A failure without a message is treated as an evaluation error.

#include <gtest/gtest.h>

#include <iostream>

#include "corpus_reader.h"
#include "promql/parser/parse.h"
#include "promql/parser/printer.h"

namespace meridian::promql {
namespace {

using testing::CorpusDir;
using testing::ReadCorpus;

bool IsParseTimeFailure(const testing::CorpusEval& ev) {
  return ev.expect_fail && (ev.fail_message.find("modifier can only be used with") !=
                                std::string::npos ||
                            ev.fail_message.find("parse error") != std::string::npos);
}

TEST(CorpusParse, AllEvalExpressions) {
  std::string dir = CorpusDir();
  if (dir.empty()) GTEST_SKIP() << "promql-testdata not found";
  auto evals = ReadCorpus(dir);
  ASSERT_GT(evals.size(), 1000u);
  int parsed = 0, expected_fail = 0, eval_time_fail_parsed = 0;
  for (const auto& ev : evals) {
    ParseResult r = ParseExpr(ev.expr, ParseOptions::AllEnabled());
    std::string where = ev.file + ":" + std::to_string(ev.line) + ": " + ev.expr;
    if (IsParseTimeFailure(ev)) {
      EXPECT_FALSE(r.ok()) << where;
      if (!r.ok()) {
        ++expected_fail;
        EXPECT_NE(r.ErrorString().find(ev.fail_message), std::string::npos)
            << where << "\n got: " << r.ErrorString();
      }
      continue;
    }
    EXPECT_TRUE(r.ok()) << where << "\n  " << r.ErrorString();
    if (r.ok()) {
      ++parsed;
      if (ev.expect_fail) ++eval_time_fail_parsed;
    }
  }
  std::cout << "[corpus] evals=" << evals.size() << " parsed_ok=" << parsed
            << " (of which expected eval-time failures=" << eval_time_fail_parsed << ")"
            << " expected_parse_failures_failed=" << expected_fail << "\n";
}

// print(parse(x)) parses to an equal AST, and printing is a fixed point.
TEST(CorpusParse, PrinterRoundTrip) {
  std::string dir = CorpusDir();
  if (dir.empty()) GTEST_SKIP() << "promql-testdata not found";
  int checked = 0;
  for (const auto& ev : ReadCorpus(dir)) {
    ParseResult r = ParseExpr(ev.expr, ParseOptions::AllEnabled());
    if (!r.ok()) continue;
    std::string printed = ToString(*r.expr);
    ParseResult r2 = ParseExpr(printed, ParseOptions::AllEnabled());
    std::string where = ev.file + ":" + std::to_string(ev.line) + ": " + ev.expr;
    ASSERT_TRUE(r2.ok()) << where << "\n printed: " << printed << "\n " << r2.ErrorString();
    EXPECT_TRUE(Equal(*r.expr, *r2.expr)) << where << "\n printed: " << printed;
    EXPECT_EQ(ToString(*r2.expr), printed) << where;
    ++checked;
  }
  std::cout << "[corpus] round-trip checked=" << checked << "\n";
}

}  // namespace
}  // namespace meridian::promql
