#include "promql/engine/weighted_average.h"

#include <map>

namespace meridian::promql::engine {

WeightedAverageOp::WeightedAverageOp(std::unique_ptr<RangeFunctionOp> sums, std::unique_ptr<RangeFunctionOp> counts)
    : sums_(std::move(sums)), counts_(std::move(counts)) {}

Status WeightedAverageOp::Match() {
  if (matched_) return Status::Ok();
  matched_ = true;
  Status s = sums_->Series(&series_);
  if (!s.ok()) return s;
  const std::vector<SeriesInfo>* counts = nullptr;
  s = counts_->Series(&counts);
  if (!s.ok()) return s;
  // Both selections are sorted by labels and nearly always equal, but they are two reads.
  std::map<Labels, size_t> by_labels;
  for (size_t i = 0; i < counts->size(); ++i) by_labels.emplace((*counts)[i].labels, i);
  count_of_.assign(series_->size(), -1);
  for (size_t i = 0; i < series_->size(); ++i) {
    if (!sums_->SeriesAggregated(i)) continue;
    auto it = by_labels.find((*series_)[i].labels);
    count_of_[i] = it == by_labels.end() ? -2 : static_cast<int64_t>(it->second);
  }
  counts_at_.assign(counts->size(), 0);
  have_count_.assign(counts->size(), 0);
  return Status::Ok();
}

Status WeightedAverageOp::Series(const std::vector<SeriesInfo>** out) {
  Status s = Match();
  *out = series_;
  return s;
}

Status WeightedAverageOp::Next(StepBatch* batch) {
  Status s = Match();
  if (!s.ok()) return s;
  s = sums_->Next(batch);
  if (!s.ok()) return s;
  s = counts_->Next(&count_batch_);
  if (!s.ok()) return s;
  if (batch->size() != count_batch_.size()) return InternalError("avg_over_time: operators out of step");
  for (size_t k = 0; k < batch->size(); ++k) {
    StepVector& sv = (*batch)[k];
    const StepVector& cv = count_batch_[k];
    for (size_t j = 0; j < cv.size(); ++j) {
      counts_at_[cv.ids[j]] = cv.vals[j];
      have_count_[cv.ids[j]] = 1;
    }
    size_t w = 0;
    for (size_t j = 0; j < sv.size(); ++j) {
      const int64_t c = count_of_[sv.ids[j]];
      double v = sv.vals[j];
      if (c == -2) continue;
      if (c >= 0) {
        if (!have_count_[static_cast<size_t>(c)]) continue;
        v /= counts_at_[static_cast<size_t>(c)];
      }
      sv.ids[w] = sv.ids[j];
      sv.vals[w] = v;
      ++w;
    }
    sv.ids.resize(w);
    sv.vals.resize(w);
    for (uint32_t id : cv.ids) have_count_[id] = 0;
  }
  return Status::Ok();
}

}  // namespace meridian::promql::engine
