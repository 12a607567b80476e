#pragma once
// `meridian promql format EXPR`: prints the canonical form of a PromQL expression.

#include <string>

namespace meridian {

// Prints the canonical form to stdout and returns 0, or the parse error to stderr and
// returns 1. All experimental syntax is accepted so any valid Prometheus 3.x query formats.
int RunPromqlFormat(const std::string& expr);

}  // namespace meridian
