#pragma once
// The unit of data flowing between operators: for one evaluation timestamp, the ids of the
// series present and their values. Ids index the producing operator's Series() so no operator
// hashes labels per step.

#include <cstdint>
#include <vector>

namespace meridian::promql::engine {

struct StepVector {
  int64_t t = 0;
  std::vector<uint32_t> ids;
  std::vector<double> vals;

  void Reset(int64_t ts) {
    t = ts;
    ids.clear();
    vals.clear();
  }
  void Push(uint32_t id, double v) {
    ids.push_back(id);
    vals.push_back(v);
  }
  size_t size() const { return ids.size(); }
  bool empty() const { return ids.empty(); }
};

// Consecutive steps handed out by one Next() call.
using StepBatch = std::vector<StepVector>;

// The evaluation grid of an operator: start, start+step, ..., end (ms). step == 0 means a
// single step at start (instant evaluation).
struct StepRange {
  int64_t start = 0;
  int64_t end = 0;
  int64_t step = 0;

  size_t NumSteps() const {
    if (end < start) return 0;
    if (step <= 0) return 1;
    return static_cast<size_t>((end - start) / step) + 1;
  }
  int64_t At(size_t i) const { return start + static_cast<int64_t>(i) * step; }
};

}  // namespace meridian::promql::engine
