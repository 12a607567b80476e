#pragma once
// Query results as the API and the test runner consume them.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "model/labels.h"
#include "model/status.h"

namespace meridian::promql::engine {

struct Point {
  int64_t t = 0;
  double v = 0;
};

struct Sample {
  Labels labels;
  int64_t t = 0;
  double v = 0;
};

struct SeriesResult {
  Labels labels;
  std::vector<Point> points;
};

using Vector = std::vector<Sample>;
using Matrix = std::vector<SeriesResult>;  // sorted by labels
struct Scalar {
  int64_t t = 0;
  double v = 0;
};
struct String {
  int64_t t = 0;
  std::string v;
};

struct QueryResult {
  std::variant<Vector, Matrix, Scalar, String> value;
  // An instant vector whose order is meaningful (sort, sort_desc, sort_by_label, topk...).
  bool ordered = false;
  std::vector<std::string> warnings;
  std::vector<std::string> infos;
  // Figures for benchmarks and query stats.
  int64_t samples_processed = 0;
  int64_t peak_samples = 0;
  // The resolutions the selectors read, ascending (ms; 0 = raw samples).
  std::vector<int64_t> resolutions_read;
};

}  // namespace meridian::promql::engine
