#pragma once
// A range-vector function (rate, *_over_time, ...) applied per step to the window
// (e-range, e] of each series, where e is the step time after @ and offset.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "promql/engine/operator.h"
#include "promql/engine/query_context.h"
#include "promql/engine/range_source.h"
#include "promql/parser/ast.h"

namespace meridian::promql::engine {

// What a range kernel sees for one series at one step.
struct RangeCall {
  const int64_t* ts = nullptr;
  const double* vs = nullptr;
  size_t n = 0;
  int64_t range_start_ms = 0;  // exclusive
  int64_t range_end_ms = 0;    // inclusive: the evaluation time
  int64_t step_ms = 0;         // the step's own timestamp (before @/offset)
  const std::vector<double>* scalar_args = nullptr;  // this step's scalar arguments
  const Labels* labels = nullptr;
  QueryContext* ctx = nullptr;
  // Positions of the range argument and the first scalar argument, for annotations.
  PosRange matrix_pos;
  PosRange param_pos;
  // Per-series scratch a kernel may use to report a per-series annotation only once.
  uint8_t* noted = nullptr;
  // No value in the window is below its predecessor.
  bool no_resets = false;
};

// Returns false when the function yields no sample for this series and step.
using RangeKernel = std::function<bool(const RangeCall& call, double* out)>;

// Functions the operator evaluates inline instead of through RangeKernel's indirect call: the
// rate family is most of what dashboards ask for, and its per-window work is a few
// arithmetic operations, so the call and the generic window packaging would dominate.
enum class InlineKernel : uint8_t { kNone, kRate, kIncrease, kDelta };

// How series read from downsampled chunks (LoadedSeries::aggregated) are evaluated.
enum class OnAggregates : uint8_t {
  kSameKernel,       // as raw series: the aggregate read stands in for the samples
  kAggregateKernel,  // RangeFunctionSpec::aggregate_kernel (count_over_time sums counts)
  // rate / increase over the counter aggregate, interpolated at the range's edges from the
  // totals just outside it (SmoothedCounterKernel in the .cc file).
  kSmoothedRate,
  kSmoothedIncrease,
};

struct RangeFunctionSpec {
  std::string name;
  RangeKernel kernel;  // also set for inline kernels
  OnAggregates on_aggregates = OnAggregates::kSameKernel;
  // For kAggregateKernel (count_over_time sums the windows' counts).
  RangeKernel aggregate_kernel;
  InlineKernel inline_kernel = InlineKernel::kNone;
  int64_t range_ms = 0;
  int64_t offset_ms = 0;
  std::optional<int64_t> at_ms;
  bool keep_name = false;  // last_over_time, first_over_time keep __name__
  // Every kernel but absent_over_time's yields nothing for an empty window; skipping the call
  // saves work on sparse series.
  bool skip_empty = true;
  PosRange matrix_pos;
  PosRange param_pos;
};

class RangeFunctionOp final : public Operator {
 public:
  // scalar_args: operators of the function's scalar arguments, evaluated over the same grid.
  ~RangeFunctionOp() override;
  RangeFunctionOp(QueryContext* ctx, StepRange range, std::unique_ptr<RangeSource> source,
                  RangeFunctionSpec spec, std::vector<OperatorPtr> scalar_args);

  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override;
  bool SupportsRows() const override { return true; }
  Status NextRows(size_t max_steps, size_t* first, size_t* n, RowSink* sink) override;
  std::string Name() const override { return spec_.name + "(" + source_->Name() + ")"; }
  // Whether series i (of Series()) was read from downsampled chunks.
  bool SeriesAggregated(size_t i) const { return i < aggregated_.size() && aggregated_[i] != 0; }

 private:
  Status Load();
  // The steps of a batch starting at step index `first`, and where their windows end.
  struct BatchSteps {
    size_t first = 0;
    std::vector<int64_t> t, win_end;
    bool last = false;  // no steps follow: series' samples can go once their windows are done
  };
  BatchSteps TakeSteps(size_t max_steps);
  // Advances and evaluates series [begin, end) for the batch's steps into `out` (one of the
  // output policies in the .cc file).
  template <typename Out>
  Status ProcessSeries(size_t begin, size_t end, const BatchSteps& steps, Out& out);
  template <typename Out>
  Status ProcessSeriesWithKernel(size_t begin, size_t end, const BatchSteps& steps, Out& out,
                                 bool aggregate_kernel);
  template <typename Kernel, typename Out>
  Status ProcessSeriesWith(Kernel& kernel, size_t begin, size_t end, const BatchSteps& steps,
                           Out& out);

  // Below this many series per worker, threads cost more than they save.
  static constexpr size_t kMinSeriesPerWorker = 512;
  // Between two batches every other series passed through the cache, so a series' window
  // and its next chunk are cache misses: ProcessSeries asks for them a few series ahead.
  void Prefetch(size_t i, size_t end, int64_t e_hi) const;
  // How many series ahead ProcessSeries prefetches a series' next chunk and window.
  static constexpr size_t kPrefetchAhead = 4;
  static constexpr size_t kPrefetchSamples = 64;
  // Samples behind a series' last window are dropped at the end of a batch once there are
  // this many (short batches leave them for the next decode, which drops them anyway).
  static constexpr size_t kForgetAtLeast = 256;

  QueryContext* ctx_;
  StepRange range_;
  std::unique_ptr<RangeSource> source_;
  RangeFunctionSpec spec_;
  std::vector<OperatorPtr> scalar_ops_;
  std::vector<std::vector<double>> scalar_vals_;  // [arg][step]
  StepCursor cursor_;
  std::mutex load_mu_;  // Load may run on a worker (QueryContext::RunStorageReads)
  bool loaded_ = false;
  Status load_status_;
  std::vector<LoadedSeries> data_;
  std::vector<SeriesInfo> series_;
  // Where a series' windows stand, as indexes into its samples: [lo, hi) is the window of
  // the previous step; last_drop is the latest sample below its predecessor before hi (0:
  // none) and next_drop the first such sample from hi on, or where the search for one
  // stopped at the end of the decoded samples. A window [lo, hi) has a reset exactly when
  // last_drop > lo, because windows only move forward.
  struct WindowCursor {
    size_t lo = 0, hi = 0, next_drop = 1, last_drop = 0;
    // The first n samples were removed.
    void Shift(size_t n) {
      lo = lo > n ? lo - n : 0;
      hi = hi > n ? hi - n : 0;
      next_drop = next_drop > n + 1 ? next_drop - n : 1;
      last_drop = last_drop > n ? last_drop - n : 0;
    }
  };
  std::vector<WindowCursor> cursors_;  // per series
  std::vector<uint8_t> noted_;
  std::vector<uint8_t> aggregated_;  // per series: LoadedSeries::aggregated
  bool any_aggregated_ = false;
  SampleReservation reservation_;
};

// Evaluates a scalar operator over its whole grid: one value per step (NaN where absent).
Status EvalScalarSteps(Operator* op, size_t num_steps, std::vector<double>* out);

}  // namespace meridian::promql::engine
