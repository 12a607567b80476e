#pragma once
// Text forms shared by the parser's printer, the HTTP API and label printing, following
// Prometheus's (and Go's) conventions so output compares byte for byte.

#include <string>
#include <string_view>

namespace meridian {

// Go's strconv.Quote for the printable-ASCII/UTF-8 subset PromQL uses: "a\"b\n".
std::string GoQuote(std::string_view s);

// [a-zA-Z_][a-zA-Z0-9_]*
bool IsValidLegacyLabelName(std::string_view s);
// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidLegacyMetricName(std::string_view s);

// Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits; "NaN", "+Inf", "-Inf".
// Used where Prometheus formats sample values (JSON API, test output).
std::string FormatFloatJSON(double v);
// Go's strconv.FormatFloat(v, 'g', -1, 64) with Inf/NaN spelled as PromQL prints them
// (used by the PromQL printer for number literals).
std::string FormatFloatShortest(double v);

}  // namespace meridian
