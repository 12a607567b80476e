#pragma once
// Text forms shared by the parser's printer, the HTTP API and label printing, following
// Prometheus's (and Go's) conventions so output compares byte for byte.

#include <string>
#include <string_view>

namespace meridian {

// Go's strconv.Quote: quotes and backslashes escaped, control characters and bytes that are
// not valid UTF-8 written as escapes, valid UTF-8 kept as is: "a\"b\n".
std::string GoQuote(std::string_view s);

// Length (1-4) of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there are
// not valid UTF-8 (overlong forms and surrogates included).
size_t Utf8SequenceLength(std::string_view s, size_t i);
// Offset of the first byte that is not part of valid UTF-8, or npos.
size_t FindInvalidUtf8(std::string_view s);

// [a-zA-Z_][a-zA-Z0-9_]*
bool IsValidLegacyLabelName(std::string_view s);
// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidLegacyMetricName(std::string_view s);

// Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits; "NaN", "+Inf", "-Inf".
// Used where Prometheus formats sample values (JSON API, test output).
std::string FormatFloatJSON(double v);
// The same written into `buf` (at least kFloatJSONBufferSize bytes) without allocating, for
// writers of many values; returns the length.
inline constexpr size_t kFloatJSONBufferSize = 64;
size_t FormatFloatJSONTo(double v, char* buf);
// Go's strconv.FormatFloat(v, 'g', -1, 64) with Inf/NaN spelled as PromQL prints them
// (used by the PromQL printer for number literals).
std::string FormatFloatShortest(double v);

}  // namespace meridian
