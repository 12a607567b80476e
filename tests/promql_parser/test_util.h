#pragma once
// Small helpers for parser tests.

#include <string>

#include "promql/parser/parse.h"
#include "promql/parser/printer.h"

namespace meridian::promql::testing {

inline ParseResult ParseAll(const std::string& q) {
  return ParseExpr(q, ParseOptions::AllEnabled());
}

// Canonical text of q, or "ERROR: <message>".
inline std::string Canon(const std::string& q, const ParseOptions& o = ParseOptions::AllEnabled()) {
  ParseResult r = ParseExpr(q, o);
  if (!r.ok()) return "ERROR: " + r.ErrorString();
  return ToString(*r.expr);
}

inline std::string Err(const std::string& q, const ParseOptions& o = ParseOptions::AllEnabled()) {
  ParseResult r = ParseExpr(q, o);
  return r.ok() ? "OK" : r.ErrorString();
}

}  // namespace meridian::promql::testing
