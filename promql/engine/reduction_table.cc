#include "promql/engine/reduction_table.h"

#include <cmath>

#include "promql/engine/functions/kahan.h"

namespace meridian::promql::engine {

namespace {

// One group's state at one step. A reducer sees its first value through Add like every
// other; the table's count says whether it saw any.
struct SumReducer {
  functions::KahanSum sum;
  void Add(double v) { sum.Add(v); }
  double Value(uint32_t) const { return sum.Value(); }
};

struct AvgReducer {
  functions::MeanAccumulator mean;
  void Add(double v) { mean.Add(v); }
  double Value(uint32_t) const { return mean.Value(); }
};

struct CountReducer {
  void Add(double) {}
  double Value(uint32_t count) const { return count; }
};

struct GroupReducer {
  void Add(double) {}
  double Value(uint32_t) const { return 1; }
};

// min/max: a NaN kept so far is replaced by any later value, as upstream.
template <bool kMin>
struct ExtremeReducer {
  double v = 0;
  bool seen = false;
  void Add(double x) {
    if (!seen || std::isnan(v) || (kMin ? v > x : v < x)) v = x;
    seen = true;
  }
  double Value(uint32_t) const { return v; }
};

template <bool kStddev>
struct VarianceReducer {
  functions::AggregationVarianceAccumulator var;
  void Add(double v) { var.Add(v); }
  double Value(uint32_t) const { return kStddev ? std::sqrt(var.Variance()) : var.Variance(); }
};

// Slots are group-major ([group][step]) so a series' row walks one contiguous stretch.
template <typename Reducer>
class Table final : public ReductionTable {
 public:
  explicit Table(const std::vector<uint32_t>* group_of) : group_of_(group_of) {}

  void Reset(size_t num_groups, size_t num_steps) override {
    groups_ = num_groups;
    steps_ = num_steps;
    slots_.assign(num_groups * num_steps, Reducer{});
    counts_.assign(num_groups * num_steps, 0);
  }

  void AddStep(size_t k, const StepVector& in) override {
    for (size_t j = 0; j < in.size(); ++j) {
      const size_t slot = (*group_of_)[in.ids[j]] * steps_ + k;
      slots_[slot].Add(in.vals[j]);
      ++counts_[slot];
    }
  }

  void Row(uint32_t id, const double* vals, const uint8_t* present) override {
    const size_t base = (*group_of_)[id] * steps_;
    Reducer* slots = slots_.data() + base;
    uint32_t* counts = counts_.data() + base;
    for (size_t k = 0; k < steps_; ++k) {
      if (present[k]) {
        slots[k].Add(vals[k]);
        ++counts[k];
      }
    }
  }

  void Emit(size_t k, StepVector* out) const override {
    for (size_t g = 0; g < groups_; ++g) {
      const size_t slot = g * steps_ + k;
      if (counts_[slot]) out->Push(static_cast<uint32_t>(g), slots_[slot].Value(counts_[slot]));
    }
  }

 private:
  const std::vector<uint32_t>* group_of_;
  size_t groups_ = 0, steps_ = 0;
  std::vector<Reducer> slots_;
  std::vector<uint32_t> counts_;
};

}  // namespace

std::unique_ptr<ReductionTable> MakeReductionTable(AggregateOp op,
                                                   const std::vector<uint32_t>* group_of) {
  switch (op) {
    case AggregateOp::kSum:
      return std::make_unique<Table<SumReducer>>(group_of);
    case AggregateOp::kAvg:
      return std::make_unique<Table<AvgReducer>>(group_of);
    case AggregateOp::kCount:
      return std::make_unique<Table<CountReducer>>(group_of);
    case AggregateOp::kGroup:
      return std::make_unique<Table<GroupReducer>>(group_of);
    case AggregateOp::kMin:
      return std::make_unique<Table<ExtremeReducer<true>>>(group_of);
    case AggregateOp::kMax:
      return std::make_unique<Table<ExtremeReducer<false>>>(group_of);
    case AggregateOp::kStddev:
      return std::make_unique<Table<VarianceReducer<true>>>(group_of);
    case AggregateOp::kStdvar:
      return std::make_unique<Table<VarianceReducer<false>>>(group_of);
    default:
      return nullptr;
  }
}

}  // namespace meridian::promql::engine
