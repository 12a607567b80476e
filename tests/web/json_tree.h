#pragma once
// A parsed JSON document that keeps what "identical after parsing" needs and a DOM loses or
// blurs: object members in their written order, and numbers as their exact text (so that
// "1700000000.050" and "1700000000.05" differ, as the API contract says they must).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/status.h"

namespace meridian::web::testing {

struct JsonTree {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  std::string text;  // a number's digits, a string's value, "true"/"false"
  std::vector<JsonTree> items;                            // arrays
  std::vector<std::pair<std::string, JsonTree>> members;  // objects, in document order
};

StatusOr<JsonTree> ParseJsonTree(std::string_view json);

// Where `got` first differs from `want` ("$.data.result[2].metric: keys [a, b] vs [b, a]"),
// or empty when they are identical. With `relative_tolerance` > 0, two strings that both hold
// finite numbers (sample values) count as equal when that close.
std::string FirstDifference(const JsonTree& want, const JsonTree& got, double relative_tolerance = 0,
                            const std::string& path = "$");

}  // namespace meridian::web::testing
