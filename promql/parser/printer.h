#pragma once
// Canonical text of an AST, as Prometheus's String() methods print it. Parsing the output
// yields an equal AST.

#include <string>

#include "promql/parser/ast.h"

namespace meridian::promql {

std::string ToString(const Expr& e);
std::string ToString(const DurationExpr& d);

}  // namespace meridian::promql
