#pragma once
// Literal decoding shared by the parser: string unquoting with Go's escape rules, number and
// duration token values.

#include <optional>
#include <string>
#include <string_view>

namespace meridian::promql {

// Decodes a "…", '…' or `…` literal (quotes included). Returns nullopt and a message in
// Prometheus's wording on a bad escape.
std::optional<std::string> UnquoteString(std::string_view token, std::string* error);

// Value of a NUMBER token as Prometheus reads it: integers with base prefix (0x.., and a
// leading 0 meaning octal, as Go's ParseInt with base 0), else a float; Inf/NaN any case.
std::optional<double> ParseNumber(std::string_view token);


}  // namespace meridian::promql
