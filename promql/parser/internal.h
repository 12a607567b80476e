#pragma once
// Parser internals shared by parse.cc, ast_builder.cc and checker.cc. Not part of the
// public API; it names ANTLR's parse tree type only by forward declaration.

#include <string_view>
#include <vector>

#include "promql/parser/ast.h"
#include "promql/parser/parse.h"

namespace meridian::promql {

namespace antlr {
class PromQLParser;
}

// ANTLR positions are code point indexes; ours are byte offsets.
class OffsetMap {
 public:
  explicit OffsetMap(std::string_view input);
  int Byte(size_t code_point) const;
  size_t code_points() const;

 private:
  int size_;
  std::vector<int> byte_of_;  // empty for ASCII input (identity mapping)
};

struct BuildContext {
  const ParseOptions& options;
  std::string_view input;
  const OffsetMap& offsets;
  std::vector<ParseError> errors;
};

// Defined in ast_builder.cc; `tree` is a PromQLParser::ExprContext*.
ExprPtr BuildAst(void* tree, BuildContext& ctx);
// `tree` is a PromQLParser::MetricSelectorContext*; returns a VectorSelector.
ExprPtr BuildSelector(void* tree, BuildContext& ctx);

// Prometheus's checkAST: type rules that need the whole tree.
std::vector<ParseError> CheckAst(Expr& root, std::string_view input);

}  // namespace meridian::promql
