#include "promql/engine/range_function.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "promql/engine/function_registry.h"
#include "promql/engine/functions/range_functions.h"

namespace meridian::promql::engine {

namespace {

// The kernels ProcessSeriesWith is instantiated with: a call per window, then a call per
// series once its windows are done (for per-series annotations, kept out of the step loop).
struct GenericKernel {
  const RangeKernel* kernel;
  bool operator()(const RangeCall& c, double* out) const { return (*kernel)(c, out); }
  void SeriesDone(const RangeCall&, bool) const {}
};

struct InlineRateKernel {
  functions::ExtrapolationMemo memo;
  bool is_counter = true;
  bool is_rate = true;
  bool operator()(const RangeCall& c, double* out) {
    return functions::PlainExtrapolatedRate(c.ts, c.vs, c.n, c.range_start_ms, c.range_end_ms, c.no_resets,
                                            is_counter, is_rate, &memo, out);
  }
  void SeriesDone(const RangeCall& c, bool produced) const {
    if (produced && is_counter) NotePossibleNonCounter(c);
  }
};

}  // namespace

Status EvalScalarSteps(Operator* op, size_t num_steps, std::vector<double>* out) {
  out->assign(num_steps, std::nan(""));
  const std::vector<SeriesInfo>* series = nullptr;
  Status s = op->Series(&series);
  if (!s.ok()) return s;
  StepBatch batch;
  size_t step = 0;
  while (true) {
    s = op->Next(&batch);
    if (!s.ok()) return s;
    if (batch.empty()) break;
    for (const StepVector& sv : batch) {
      if (step < num_steps && !sv.empty()) (*out)[step] = sv.vals[0];
      ++step;
    }
  }
  return Status::Ok();
}

RangeFunctionOp::RangeFunctionOp(QueryContext* ctx, StepRange range,
                                 std::unique_ptr<RangeSource> source, RangeFunctionSpec spec,
                                 std::vector<OperatorPtr> scalar_args)
    : ctx_(ctx),
      range_(range),
      source_(std::move(source)),
      spec_(std::move(spec)),
      scalar_ops_(std::move(scalar_args)),
      cursor_(range, ctx->opts().steps_per_batch),
      reservation_(ctx) {}

Status RangeFunctionOp::Load() {
  if (loaded_) return load_status_;
  loaded_ = true;
  scalar_vals_.resize(scalar_ops_.size());
  for (size_t i = 0; i < scalar_ops_.size(); ++i) {
    load_status_ = EvalScalarSteps(scalar_ops_[i].get(), range_.NumSteps(), &scalar_vals_[i]);
    if (!load_status_.ok()) return load_status_;
  }
  load_status_ = source_->Load(&data_, &reservation_);
  if (!load_status_.ok()) return load_status_;
  series_.reserve(data_.size());
  const bool delayed = ctx_->opts().enable_delayed_name_removal;
  for (auto& d : data_) {
    if (spec_.keep_name) {
      series_.push_back(SeriesInfo{d.labels, false});
    } else if (delayed) {
      series_.push_back(SeriesInfo{d.labels, true});
    } else {
      series_.push_back(SeriesInfo{d.labels.WithoutMetricName(), false});
    }
  }
  lo_.assign(data_.size(), 0);
  hi_.assign(data_.size(), 0);
  noted_.assign(data_.size(), 0);
  drop_scanned_.assign(data_.size(), 1);
  last_drop_.assign(data_.size(), 0);
  return load_status_;
}

Status RangeFunctionOp::Series(const std::vector<SeriesInfo>** out) {
  Status s = Load();
  *out = &series_;
  return s;
}

Status RangeFunctionOp::Next(StepBatch* batch) {
  batch->clear();
  Status s = Load();
  if (!s.ok()) return s;
  s = ctx_->CheckInterrupt();
  if (!s.ok()) return s;
  if (cursor_.Done()) {
    data_.clear();
    reservation_.Reset();
    return Status::Ok();
  }
  size_t first;
  size_t n = cursor_.Take(&first);
  std::vector<int64_t> step_t(n), win_end(n);
  for (size_t k = 0; k < n; ++k) {
    step_t[k] = range_.At(first + k);
    win_end[k] = (spec_.at_ms ? *spec_.at_ms : step_t[k]) - spec_.offset_ms;
  }
  // Most series have a value at most steps: room for all of them up front saves the
  // vectors' doubling (capped so a selection of many short-lived series does not reserve
  // for all of them at every step).
  const size_t expect = std::min<size_t>(data_.size(), size_t{1} << 16);
  auto reset = [&](StepBatch* b) {
    b->resize(n);
    for (size_t k = 0; k < n; ++k) {
      (*b)[k].Reset(step_t[k]);
      (*b)[k].ids.reserve(expect);
      (*b)[k].vals.reserve(expect);
    }
  };
  reset(batch);
  // Series are independent: with several workers each takes a contiguous slice and fills its
  // own partial batch; slices are concatenated in order so ids stay ascending per step.
  const size_t workers = std::min<size_t>(
      static_cast<size_t>(std::max(1, ctx_->opts().max_parallelism)),
      data_.size() / kMinSeriesPerWorker + 1);
  if (workers <= 1) return ProcessSeries(0, data_.size(), first, step_t, win_end, batch);
  std::vector<StepBatch> parts(workers);
  std::vector<Status> status(workers);
  std::vector<std::thread> threads;
  const size_t per = (data_.size() + workers - 1) / workers;
  for (size_t w = 0; w < workers; ++w) {
    reset(&parts[w]);
    const size_t begin = std::min(data_.size(), w * per);
    const size_t end = std::min(data_.size(), begin + per);
    auto job = [&, w, begin, end] {
      status[w] = ProcessSeries(begin, end, first, step_t, win_end, &parts[w]);
    };
    if (w + 1 == workers) {
      job();
    } else {
      threads.emplace_back(job);
    }
  }
  for (auto& t : threads) t.join();
  for (size_t w = 0; w < workers; ++w) {
    if (!status[w].ok()) return status[w];
    for (size_t k = 0; k < n; ++k) {
      StepVector& dst = (*batch)[k];
      const StepVector& src = parts[w][k];
      dst.ids.insert(dst.ids.end(), src.ids.begin(), src.ids.end());
      dst.vals.insert(dst.vals.end(), src.vals.begin(), src.vals.end());
    }
  }
  return Status::Ok();
}

Status RangeFunctionOp::ProcessSeries(size_t begin, size_t end, size_t first,
                                      const std::vector<int64_t>& step_t,
                                      const std::vector<int64_t>& win_end, StepBatch* batch) {
  const InlineKernel kind = spec_.inline_kernel;
  if (kind == InlineKernel::kNone) {
    GenericKernel generic{&spec_.kernel};
    return ProcessSeriesWith(generic, begin, end, first, step_t, win_end, batch);
  }
  InlineRateKernel rate;  // one per worker: its memo is mutable state
  rate.is_counter = kind != InlineKernel::kDelta;
  rate.is_rate = kind == InlineKernel::kRate;
  return ProcessSeriesWith(rate, begin, end, first, step_t, win_end, batch);
}

[[gnu::always_inline]] inline void RangeFunctionOp::Prefetch(size_t i, size_t end, int64_t e_hi) const {
  // A chunk about to be decoded is three dependent misses (its entry, its string, the bytes),
  // requested in stages, each once the one before has had time to arrive.
  if (i + 2 * kPrefetchAhead < end) {
    const LoadedSeries& far = data_[i + 2 * kPrefetchAhead];
    if (far.next_pending < far.pending.size()) __builtin_prefetch(&far.pending[far.next_pending]);
  }
  auto next_chunk = [e_hi](const LoadedSeries& s) -> const std::string* {
    if (s.next_pending >= s.pending.size() || s.pending[s.next_pending].min_time > e_hi) return nullptr;
    return s.pending[s.next_pending].data.get();
  };
  if (i + kPrefetchAhead / 2 < end) {
    if (const std::string* chunk = next_chunk(data_[i + kPrefetchAhead / 2])) {
      __builtin_prefetch(chunk->data());
      __builtin_prefetch(chunk->data() + 64);
    }
  }
  if (i + kPrefetchAhead < end) {
    const size_t j = i + kPrefetchAhead;
    const LoadedSeries& ahead = data_[j];
    if (const std::string* chunk = next_chunk(ahead)) __builtin_prefetch(chunk);
    // The samples a batch reads are a few cache lines per series, too short a run for the
    // hardware prefetcher to pick up.
    const size_t from = lo_[j];
    const size_t to = std::min(ahead.ts.size(), from + kPrefetchSamples);
    for (size_t x = from; x < to; x += 8) {
      __builtin_prefetch(ahead.ts.data() + x);
      __builtin_prefetch(ahead.vs.data() + x);
    }
  }
}

template <typename Kernel>
Status RangeFunctionOp::ProcessSeriesWith(Kernel& kernel, size_t begin, size_t end, size_t first,
                                          const std::vector<int64_t>& step_t,
                                          const std::vector<int64_t>& win_end, StepBatch* batch) {
  const size_t n = step_t.size();
  std::vector<double> args(scalar_vals_.size());
  RangeCall call;
  call.ctx = ctx_;
  call.scalar_args = &args;
  call.matrix_pos = spec_.matrix_pos;
  call.param_pos = spec_.param_pos;
  const int64_t e_lo = std::min(win_end.front(), win_end.back());
  const int64_t e_hi = std::max(win_end.front(), win_end.back());
  // Series-major within the batch: each series' samples stay in cache while its windows
  // slide over the batch's steps.
  for (size_t i = begin; i < end; ++i) {
    Prefetch(i, end, e_hi);
    size_t dropped = 0;
    // Samples before the last window's start are behind every window still to come.
    Status s = Advance(ctx_, &data_[i], e_hi, e_lo - spec_.range_ms, &reservation_, &dropped, lo_[i]);
    if (!s.ok()) return s;
    size_t lo = lo_[i] > dropped ? lo_[i] - dropped : 0;
    size_t hi = hi_[i] > dropped ? hi_[i] - dropped : 0;
    size_t scanned = drop_scanned_[i] > dropped + 1 ? drop_scanned_[i] - dropped : 1;
    size_t last_drop = last_drop_[i] > dropped ? last_drop_[i] - dropped : 0;
    // Locals, not members, in the per-step loop: the compiler keeps them in registers.
    const int64_t* ts = data_[i].ts.data();
    const double* vs = data_[i].vs.data();
    const size_t num = data_[i].ts.size();
    const int64_t range_ms = spec_.range_ms;
    const bool skip_empty = spec_.skip_empty;
    StepVector* out_steps = batch->data();
    call.labels = &data_[i].labels;
    call.noted = &noted_[i];
    bool produced = false;
    for (size_t k = 0; k < n; ++k) {
      const int64_t e = win_end[k];
      const int64_t start = e - range_ms;
      if (hi > 0 && hi <= num && ts[hi - 1] > e) [[unlikely]] {
        // Time went backwards (cannot happen on a forward grid); search afresh.
        lo = std::upper_bound(ts, ts + num, start) - ts;
        hi = std::upper_bound(ts, ts + num, e) - ts;
      } else {
        while (lo < num && ts[lo] <= start) ++lo;
        if (hi < lo) hi = lo;
        while (hi < num && ts[hi] <= e) ++hi;
      }
      if (hi == lo && skip_empty) continue;
      // Branch-free: a select instead of a jump on data the predictor cannot know.
      for (; scanned < hi; ++scanned) last_drop = vs[scanned] < vs[scanned - 1] ? scanned : last_drop;
      for (size_t a = 0; a < args.size(); ++a) args[a] = scalar_vals_[a][first + k];
      call.range_start_ms = start;
      call.range_end_ms = e;
      call.step_ms = step_t[k];
      call.ts = ts + lo;
      call.vs = vs + lo;
      call.n = hi - lo;
      call.no_resets = last_drop <= lo && scanned >= hi;
      double out;
      if (kernel(call, &out)) {
        out_steps[k].Push(static_cast<uint32_t>(i), out);
        produced = true;
      }
    }
    kernel.SeriesDone(call, produced);
    lo_[i] = lo;
    hi_[i] = hi;
    drop_scanned_[i] = scanned;
    last_drop_[i] = last_drop;
  }
  return Status::Ok();
}

}  // namespace meridian::promql::engine
