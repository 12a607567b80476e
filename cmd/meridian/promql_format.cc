#include "cmd/meridian/promql_format.h"

#include <iostream>

#include "promql/parser/parse.h"
#include "promql/parser/printer.h"

namespace meridian {

int RunPromqlFormat(const std::string& expr) {
  promql::ParseResult r = promql::ParseExpr(expr, promql::ParseOptions::AllEnabled());
  if (!r.ok()) {
    std::cerr << r.ErrorString() << "\n";
    return 1;
  }
  std::cout << promql::ToString(*r.expr) << "\n";
  return 0;
}

}  // namespace meridian
