#include "promql/engine/vector_selector.h"

#include <algorithm>

#include "model/value.h"

namespace meridian::promql::engine {

VectorSelectorOp::VectorSelectorOp(QueryContext* ctx, StepRange range, SelectorSpec spec,
                                   bool emit_timestamps)
    : ctx_(ctx),
      range_(range),
      spec_(std::move(spec)),
      emit_timestamps_(emit_timestamps),
      cursor_(range, ctx->opts().steps_per_batch),
      reservation_(ctx) {
  ctx_->RegisterStorageRead(this, [this] { return Load(); });
}

VectorSelectorOp::~VectorSelectorOp() { ctx_->UnregisterStorageRead(this); }

Status VectorSelectorOp::Load() {
  std::lock_guard<std::mutex> l(load_mu_);
  if (loaded_) return Status::Ok();
  loaded_ = true;
  // An empty grid (a subquery window holding no aligned step) selects nothing.
  if (range_.NumSteps() == 0) return Status::Ok();
  int64_t first = SelectorTime(spec_, range_.start);
  int64_t last = SelectorTime(spec_, range_.At(range_.NumSteps() - 1));
  int64_t lookback = ctx_->opts().lookback_delta_ms;
  Status s = LoadSeries(ctx_, spec_, std::min(first, last) - lookback + 1, std::max(first, last),
                        /*drop_stale=*/false, &data_, &reservation_, /*stream=*/true);
  if (!s.ok()) return s;
  series_.reserve(data_.size());
  for (auto& d : data_) series_.push_back(SeriesInfo{d.labels, false});
  pos_.assign(data_.size(), 0);
  // A downsampled window's average is stamped at the window's start and holds until the
  // window's end, where a staleness marker ends it if no data follows: the lookback must
  // reach across a whole window, and cannot make a gone series linger.
  lookback_.assign(data_.size(), lookback);
  for (size_t i = 0; i < data_.size(); ++i) {
    if (data_[i].aggregated) lookback_[i] = std::max(lookback, data_[i].resolution_ms);
  }
  return Status::Ok();
}

Status VectorSelectorOp::Series(const std::vector<SeriesInfo>** out) {
  Status s = Load();
  *out = &series_;
  return s;
}

Status VectorSelectorOp::Next(StepBatch* batch) {
  batch->clear();
  Status s = Load();
  if (!s.ok()) return s;
  bool more = false;
  s = StartBatch(ctx_, cursor_, &data_, &reservation_, &more);
  if (!s.ok() || !more) return s;
  size_t first;
  size_t n = cursor_.Take(&first);
  batch->resize(n);
  const int64_t lookback = ctx_->opts().lookback_delta_ms;
  {
    const int64_t e0 = SelectorTime(spec_, range_.At(first));
    const int64_t e1 = SelectorTime(spec_, range_.At(first + n - 1));
    for (size_t i = 0; i < data_.size(); ++i) {
      size_t dropped = 0;
      s = Advance(ctx_, &data_[i], std::max(e0, e1), std::min(e0, e1) - lookback, &reservation_,
                  &dropped);
      if (!s.ok()) return s;
      pos_[i] = pos_[i] > dropped ? pos_[i] - dropped : 0;
    }
  }
  for (size_t k = 0; k < n; ++k) {
    StepVector& sv = (*batch)[k];
    const int64_t t = range_.At(first + k);
    sv.Reset(t);
    const int64_t e = SelectorTime(spec_, t);
    for (size_t i = 0; i < data_.size(); ++i) {
      const auto& ts = data_[i].ts;
      size_t p = pos_[i];
      // Evaluation times only grow (or stay put under @), so a forward scan from the last
      // position is amortised O(1); fall back to a search if they ever move backwards.
      if (p > 0 && ts[p - 1] > e) {
        p = std::upper_bound(ts.begin(), ts.end(), e) - ts.begin();
      } else {
        while (p < ts.size() && ts[p] <= e) ++p;
      }
      pos_[i] = p;
      if (p == 0) continue;
      const int64_t st = ts[p - 1];
      if (st <= e - lookback_[i]) continue;
      const double v = data_[i].vs[p - 1];
      if (IsStaleNaN(v)) continue;
      sv.Push(static_cast<uint32_t>(i), emit_timestamps_ ? static_cast<double>(st) / 1000.0 : v);
    }
  }
  return Status::Ok();
}

}  // namespace meridian::promql::engine
