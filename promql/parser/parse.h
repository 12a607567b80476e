#pragma once
// Entry points of the PromQL parser: text -> typed, type-checked AST, with errors reported
// the way Prometheus reports them ("1:5: parse error: ...").

#include <string>
#include <string_view>
#include <vector>

#include "promql/parser/ast.h"

namespace meridian::promql {

// Switches for syntax Prometheus gates behind feature flags. Defaults follow Prometheus's
// defaults (all off); the upstream test corpus runs with all of them on.
struct ParseOptions {
  bool experimental_functions = false;    // --enable-feature=promql-experimental-functions
  bool duration_expressions = false;      // promql-duration-expr
  bool extended_range_selectors = false;  // anchored / smoothed
  bool binop_fill_modifiers = false;      // fill(), fill_left(), fill_right()

  static ParseOptions AllEnabled() { return {true, true, true, true}; }
};

struct ParseError {
  PosRange pos;
  std::string message;  // without position or prefix
  // "<line>:<col>: parse error: <message>" computed against the query text.
  std::string ToString(std::string_view query) const;
};

struct ParseResult {
  ExprPtr expr;  // null when errors is non-empty
  std::vector<ParseError> errors;
  std::string query;

  bool ok() const { return errors.empty(); }
  // The first error in Prometheus's form (upstream reports only the first one too).
  std::string ErrorString() const;
};

ParseResult ParseExpr(std::string_view input, const ParseOptions& options = {});

// A series selector for /api/v1/series, labels, federation `match[]`: an instant vector
// selector without modifiers. Returns the matchers or fills *error.
Matchers ParseMetricSelector(std::string_view input, std::string* error);

}  // namespace meridian::promql
