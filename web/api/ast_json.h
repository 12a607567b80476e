#pragma once
// /api/v1/parse_query: the syntax tree as the JSON object Prometheus's UI tree view reads
// (web/api/v1/translate_ast.go). Keys are sorted, as Go writes map keys.

#include "promql/parser/ast.h"
#include "web/api/json_writer.h"

namespace meridian::web {

void WriteAstJson(const promql::Expr& expr, JsonWriter* w);

}  // namespace meridian::web
