#pragma once
// The four PromQL value types (plus "none" for things that have no value).

#include <string_view>

namespace meridian::promql {

enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };

// Names as Prometheus's ValueType constants: "scalar", "vector", "matrix", "string", "none".
std::string_view ValueTypeName(ValueType t);
// Names as Prometheus's DocumentedType, used in error messages: "instant vector",
// "range vector", "scalar", "string".
std::string_view DocumentedType(ValueType t);

}  // namespace meridian::promql
