#pragma once
// Instant-vector selection: per step, the newest sample in (t-lookback, t] of each series,
// unless that sample is a staleness marker.

#include <vector>

#include "promql/engine/operator.h"
#include "promql/engine/query_context.h"
#include "promql/engine/series_loader.h"

namespace meridian::promql::engine {

class VectorSelectorOp final : public Operator {
 public:
  // emit_timestamps: values are the selected samples' timestamps in seconds (what
  // timestamp(selector) returns, which must see the sample time, not the step time).
  VectorSelectorOp(QueryContext* ctx, StepRange range, SelectorSpec spec, bool emit_timestamps);
  ~VectorSelectorOp() override;

  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override;
  std::string Name() const override { return "vector_selector"; }

 private:
  Status Load();

  QueryContext* ctx_;
  StepRange range_;
  SelectorSpec spec_;
  bool emit_timestamps_;
  StepCursor cursor_;
  std::mutex load_mu_;  // Load may run on a worker (QueryContext::RunStorageReads)
  bool loaded_ = false;
  std::vector<LoadedSeries> data_;
  std::vector<SeriesInfo> series_;
  std::vector<size_t> pos_;  // per series: first sample index with ts > last evaluated time
  std::vector<int64_t> lookback_;  // per series: the engine's, or a downsampled window
  SampleReservation reservation_;
};

}  // namespace meridian::promql::engine
