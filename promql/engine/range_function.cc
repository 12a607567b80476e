#include "promql/engine/range_function.h"

#include <algorithm>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/worker_pool.h"
#include "promql/engine/function_registry.h"
#include "promql/engine/functions/range_functions.h"

namespace meridian::promql::engine {

namespace {

// One series' window at one step, as the step loop finds it.
struct Window {
  const int64_t* ts;
  const double* vs;
  size_t n;
  int64_t start_ms;  // exclusive
  int64_t end_ms;    // inclusive
  size_t step;       // index into the batch
  bool no_resets;
  // Samples of the series before ts[0] and after ts[n - 1] (ts[-1] and ts[n] are valid when
  // these are non-zero).
  size_t before;
  size_t after;
};

// The kernels ProcessSeriesWith is instantiated with: a call per window, then a call per
// series once its windows are done (for per-series annotations, kept out of the step loop).
// `call` holds the series' fields (labels, positions, ...); the window's are the kernel's to
// copy if it needs them, so the inline kernels keep everything in registers.
struct GenericKernel {
  const RangeKernel* kernel;
  const std::vector<std::vector<double>>* scalar_vals;  // [arg][step of the query]
  std::vector<double> args;                             // this step's scalar arguments
  size_t first = 0;                                     // the batch's first step
  const std::vector<int64_t>* step_t = nullptr;

  bool operator()(const Window& w, RangeCall& call, double* out) {
    for (size_t a = 0; a < args.size(); ++a) args[a] = (*scalar_vals)[a][first + w.step];
    call.scalar_args = &args;
    call.ts = w.ts;
    call.vs = w.vs;
    call.n = w.n;
    call.range_start_ms = w.start_ms;
    call.range_end_ms = w.end_ms;
    call.step_ms = (*step_t)[w.step];
    call.no_resets = w.no_resets;
    return (*kernel)(call, out);
  }
  void BeginSeries(const LoadedSeries&) {}
  void SeriesDone(const RangeCall&, bool) const {}
};

// rate (counter, per second), increase (counter) or delta (neither); the flags are template
// arguments so the per-window arithmetic carries no tests of them.
template <bool kCounter, bool kRate>
struct InlineRateKernel {
  functions::ExtrapolationMemo memo;  // one per worker: it is mutable state
  // Inlined into the step loop, where its few operations would otherwise be dwarfed by the
  // call's argument traffic.
  [[gnu::always_inline]] bool operator()(const Window& w, const RangeCall&, double* out) {
    return functions::PlainExtrapolatedRate(w.ts, w.vs, w.n, w.start_ms, w.end_ms, w.no_resets,
                                            kCounter, kRate, &memo, out);
  }
  void BeginSeries(const LoadedSeries&) {}
  void SeriesDone(const RangeCall& c, bool produced) const {
    if (produced && kCounter) NotePossibleNonCounter(c);
  }
};

// rate (kRate) or increase over the counter aggregate of downsampled chunks. Its totals are
// stamped at the ends of their windows, so the counter at the range's edges lies between the
// totals on either side: interpolating there (Prometheus's `smoothed` rate) is exact on windows
// aligned to the resolution, where plain extrapolation would guess a whole window's increase
// at the start. Totals more than one resolution outside the range are not used.
template <bool kRate>
struct SmoothedCounterKernel {
  int64_t reach = 0;
  void BeginSeries(const LoadedSeries& s) { reach = s.resolution_ms; }
  bool operator()(const Window& w, const RangeCall&, double* out) {
    functions::RangeWindow rw;
    rw.ts = w.ts;
    rw.vs = w.vs;
    rw.n = w.n;
    rw.range_start_ms = w.start_ms;
    rw.range_end_ms = w.end_ms;
    if (w.before > 0 && w.ts[-1] > w.start_ms - reach) {
      --rw.ts;
      --rw.vs;
      ++rw.n;
    }
    if (w.after > 0 && w.ts[w.n] <= w.end_ms + reach) ++rw.n;
    if (rw.n < 2) return false;
    auto v = functions::ExtrapolatedRate(rw, /*is_counter=*/true, kRate, functions::RateMode::kSmoothed);
    if (!v) return false;
    *out = *v;
    return true;
  }
  void SeriesDone(const RangeCall& c, bool produced) const {
    if (produced) NotePossibleNonCounter(c);
  }
};

// The first index at or after `from` whose timestamp is after t (num if none). A regular
// scrape under a regular step moves a window edge by the same number of samples each step,
// so that guess (*last_move) is checked first: two predictable compares instead of a loop.
[[gnu::always_inline]] inline size_t AdvanceTo(const int64_t* ts, size_t num, size_t from, size_t& last_move,
                                               int64_t t) {
  const size_t guess = from + last_move;
  size_t to;
  if (guess < num && ts[guess] > t && (guess == from || ts[guess - 1] <= t)) [[likely]] {
    to = guess;
  } else {
    to = from;
    while (to < num && ts[to] <= t) ++to;
  }
  last_move = to - from;
  return to;
}

inline bool IsDrop(const double* vs, size_t j) { return vs[j] < vs[j - 1]; }

// The first index in [from, to) whose sample is below its predecessor, or `to`; from >= 1.
// Drops (counter resets) are rare, so blocks of 8 are compared at once and skipped whole.
inline size_t NextDrop(const double* vs, size_t from, size_t to) {
  size_t j = from;
#if defined(__SSE2__)
  for (; j + 8 <= to; j += 8) {
    __m128d any = _mm_setzero_pd();
    for (size_t t = 0; t < 8; t += 2) {
      any = _mm_or_pd(any, _mm_cmplt_pd(_mm_loadu_pd(vs + j + t), _mm_loadu_pd(vs + j + t - 1)));
    }
    if (_mm_movemask_pd(any) != 0) [[unlikely]] break;
  }
#endif
  for (; j < to; ++j) {
    if (IsDrop(vs, j)) return j;
  }
  return to;
}

// Sample buffers handed from series to series in a batch after which a series is done: each
// series decodes into the memory the one before it used, already cached and large enough.
class SpareSamples {
 public:
  // Gives the series the spare buffers (with its live samples copied in) if they are larger.
  void Lend(LoadedSeries* s) {
    if (ts_.capacity() <= s->ts.capacity()) return;
    ts_.assign(s->ts.begin(), s->ts.end());
    vs_.assign(s->vs.begin(), s->vs.end());
    ts_.swap(s->ts);
    vs_.swap(s->vs);
  }
  // Keeps the series' buffers, emptied, and leaves it with none.
  void TakeBack(LoadedSeries* s) {
    ts_ = std::move(s->ts);
    vs_ = std::move(s->vs);
    ts_.clear();
    vs_.clear();
    s->ts = {};
    s->vs = {};
  }

 private:
  std::vector<int64_t> ts_;
  std::vector<double> vs_;
};

// Output policies of ProcessSeriesWith. Put is called at most once per step of a series.
// Step-major: each value goes to its step's vector.
struct BatchOut {
  StepVector* steps;
  void BeginSeries() {}
  void Put(size_t k, uint32_t id, double v) { steps[k].Push(id, v); }
  void SeriesDone(uint32_t, bool) {}
};

// Series-major: a series' values at all the batch's steps, handed over as one row.
class RowOut {
 public:
  RowOut(RowSink* sink, size_t n) : sink_(sink), vals_(n), present_(n) {}
  void BeginSeries() { std::fill(present_.begin(), present_.end(), 0); }
  void Put(size_t k, uint32_t, double v) {
    vals_[k] = v;
    present_[k] = 1;
  }
  void SeriesDone(uint32_t id, bool produced) {
    if (produced) sink_->Row(id, vals_.data(), present_.data());
  }

 private:
  RowSink* sink_;
  std::vector<double> vals_;
  std::vector<uint8_t> present_;
};

// Rows of a run of series kept for later, so workers can compute series in parallel while
// the sink still receives every row in ascending id order (the serial order: aggregations fed
// from it give bit-identical answers).
class RowBuffer {
 public:
  void Reset(size_t n) {
    n_ = n;
    ids_.clear();
    vals_.clear();
    present_.clear();
  }
  void BeginSeries() {
    const size_t at = ids_.size() * n_;  // the slot of a series that produces nothing is reused
    vals_.resize(at + n_);
    present_.resize(at + n_);
    std::fill(present_.begin() + static_cast<std::ptrdiff_t>(at), present_.end(), 0);
  }
  void Put(size_t k, uint32_t, double v) {
    const size_t at = ids_.size() * n_ + k;
    vals_[at] = v;
    present_[at] = 1;
  }
  void SeriesDone(uint32_t id, bool produced) {
    if (produced) ids_.push_back(id);
  }
  void Drain(RowSink* sink) const {
    for (size_t r = 0; r < ids_.size(); ++r) sink->Row(ids_[r], vals_.data() + r * n_, present_.data() + r * n_);
  }

 private:
  size_t n_ = 0;
  std::vector<uint32_t> ids_;
  std::vector<double> vals_;
  std::vector<uint8_t> present_;
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
      reservation_(ctx) {
  if (source_->ReadsStorage()) ctx_->RegisterStorageRead(this, [this] { return Load(); });
}

RangeFunctionOp::~RangeFunctionOp() { ctx_->UnregisterStorageRead(this); }

Status RangeFunctionOp::Load() {
  std::lock_guard<std::mutex> l(load_mu_);
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
  cursors_.assign(data_.size(), WindowCursor{});
  noted_.assign(data_.size(), 0);
  aggregated_.assign(data_.size(), 0);
  for (size_t i = 0; i < data_.size(); ++i) {
    aggregated_[i] = data_[i].aggregated ? 1 : 0;
    any_aggregated_ = any_aggregated_ || data_[i].aggregated;
  }
  return load_status_;
}

Status RangeFunctionOp::Series(const std::vector<SeriesInfo>** out) {
  Status s = Load();
  *out = &series_;
  return s;
}

RangeFunctionOp::BatchSteps RangeFunctionOp::TakeSteps(size_t max_steps) {
  BatchSteps steps;
  const size_t n = cursor_.Take(&steps.first, max_steps);
  steps.t.resize(n);
  steps.win_end.resize(n);
  for (size_t k = 0; k < n; ++k) {
    steps.t[k] = range_.At(steps.first + k);
    steps.win_end[k] = (spec_.at_ms ? *spec_.at_ms : steps.t[k]) - spec_.offset_ms;
  }
  steps.last = cursor_.Done();
  return steps;
}

Status RangeFunctionOp::Next(StepBatch* batch) {
  batch->clear();
  Status s = Load();
  if (!s.ok()) return s;
  bool more = false;
  s = StartBatch(ctx_, cursor_, &data_, &reservation_, &more);
  if (!s.ok() || !more) return s;
  const BatchSteps steps = TakeSteps(static_cast<size_t>(ctx_->opts().steps_per_batch));
  const size_t n = steps.t.size();
  // Most series have a value at most steps: room for all of them up front saves the
  // vectors' doubling (capped so a selection of many short-lived series does not reserve
  // for all of them at every step).
  const size_t expect = std::min<size_t>(data_.size(), size_t{1} << 16);
  auto reset = [&](StepBatch* b) {
    b->resize(n);
    for (size_t k = 0; k < n; ++k) {
      (*b)[k].Reset(steps.t[k]);
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
  if (workers <= 1) {
    BatchOut out{batch->data()};
    return ProcessSeries(0, data_.size(), steps, out);
  }
  std::vector<StepBatch> parts(workers);
  std::vector<Status> status(workers);
  const size_t per = (data_.size() + workers - 1) / workers;
  for (size_t w = 0; w < workers; ++w) reset(&parts[w]);
  WorkerPool::Shared().ParallelFor(workers, workers, [&](size_t w) {
    const size_t begin = std::min(data_.size(), w * per);
    const size_t end = std::min(data_.size(), begin + per);
    BatchOut out{parts[w].data()};
    status[w] = ProcessSeries(begin, end, steps, out);
  });
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

Status RangeFunctionOp::NextRows(size_t max_steps, size_t* first, size_t* n, RowSink* sink) {
  *first = 0;
  *n = 0;
  Status s = Load();
  if (!s.ok()) return s;
  bool more = false;
  s = StartBatch(ctx_, cursor_, &data_, &reservation_, &more);
  if (!s.ok() || !more) return s;
  const BatchSteps steps = TakeSteps(std::max<size_t>(max_steps, 1));
  *first = steps.first;
  *n = steps.t.size();
  const size_t parallelism = static_cast<size_t>(std::max(1, ctx_->opts().max_parallelism));
  // Runs of series small enough that a run's rows stay around a megabyte of values.
  const size_t run = std::clamp<size_t>((size_t{1} << 17) / std::max<size_t>(*n, 1), 1, 256);
  if (parallelism <= 1 || data_.size() < 2 * run) {
    RowOut out(sink, *n);
    return ProcessSeries(0, data_.size(), steps, out);
  }
  // Waves of a few runs per worker: workers fill the runs' buffers, then this thread hands
  // the rows to the sink in series order.
  const size_t runs_per_wave = 2 * parallelism;
  std::vector<RowBuffer> buffers(runs_per_wave);
  std::vector<Status> status(runs_per_wave);
  const size_t total_runs = (data_.size() + run - 1) / run;
  for (size_t wave = 0; wave < total_runs; wave += runs_per_wave) {
    const size_t runs = std::min(runs_per_wave, total_runs - wave);
    WorkerPool::Shared().ParallelFor(runs, parallelism, [&](size_t r) {
      const size_t begin = (wave + r) * run;
      const size_t end = std::min(data_.size(), begin + run);
      buffers[r].Reset(*n);
      status[r] = ProcessSeries(begin, end, steps, buffers[r]);
    });
    for (size_t r = 0; r < runs; ++r) {
      if (!status[r].ok()) return status[r];
      buffers[r].Drain(sink);
    }
  }
  return Status::Ok();
}

template <typename Out>
Status RangeFunctionOp::ProcessSeries(size_t begin, size_t end, const BatchSteps& steps, Out& out) {
  if (!any_aggregated_ || spec_.on_aggregates == OnAggregates::kSameKernel) {
    return ProcessSeriesWithKernel(begin, end, steps, out, false);
  }
  // Series read from downsampled chunks take the aggregate kernel: runs of each kind.
  for (size_t i = begin; i < end;) {
    size_t j = i;
    while (j < end && aggregated_[j] == aggregated_[i]) ++j;
    if (Status s = ProcessSeriesWithKernel(i, j, steps, out, aggregated_[i] != 0); !s.ok()) return s;
    i = j;
  }
  return Status::Ok();
}

template <typename Out>
Status RangeFunctionOp::ProcessSeriesWithKernel(size_t begin, size_t end, const BatchSteps& steps, Out& out,
                                                bool aggregate_kernel) {
  if (aggregate_kernel && spec_.on_aggregates == OnAggregates::kSmoothedRate) {
    SmoothedCounterKernel<true> rate;
    return ProcessSeriesWith(rate, begin, end, steps, out);
  }
  if (aggregate_kernel && spec_.on_aggregates == OnAggregates::kSmoothedIncrease) {
    SmoothedCounterKernel<false> increase;
    return ProcessSeriesWith(increase, begin, end, steps, out);
  }
  const InlineKernel kind = aggregate_kernel ? InlineKernel::kNone : spec_.inline_kernel;
  if (kind == InlineKernel::kNone) {
    GenericKernel generic{aggregate_kernel ? &spec_.aggregate_kernel : &spec_.kernel, &scalar_vals_,
                          std::vector<double>(scalar_vals_.size()), steps.first, &steps.t};
    return ProcessSeriesWith(generic, begin, end, steps, out);
  }
  if (kind == InlineKernel::kRate) {
    InlineRateKernel<true, true> rate;
    return ProcessSeriesWith(rate, begin, end, steps, out);
  }
  if (kind == InlineKernel::kIncrease) {
    InlineRateKernel<true, false> increase;
    return ProcessSeriesWith(increase, begin, end, steps, out);
  }
  InlineRateKernel<false, false> delta;
  return ProcessSeriesWith(delta, begin, end, steps, out);
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
    const size_t from = cursors_[j].lo;
    const size_t to = std::min(ahead.ts.size(), from + kPrefetchSamples);
    for (size_t x = from; x < to; x += 8) {
      __builtin_prefetch(ahead.ts.data() + x);
      __builtin_prefetch(ahead.vs.data() + x);
    }
  }
}

template <typename Kernel, typename Out>
Status RangeFunctionOp::ProcessSeriesWith(Kernel& kernel, size_t begin, size_t end,
                                          const BatchSteps& steps, Out& out) {
  const std::vector<int64_t>& win_end = steps.win_end;
  const size_t n = win_end.size();
  RangeCall call;
  call.ctx = ctx_;
  call.matrix_pos = spec_.matrix_pos;
  call.param_pos = spec_.param_pos;
  const int64_t e_lo = std::min(win_end.front(), win_end.back());
  const int64_t e_hi = std::max(win_end.front(), win_end.back());
  // In the last batch each series' samples are dropped once its windows are done.
  SpareSamples spare;
  // Series-major within the batch: each series' samples stay in cache while its windows
  // slide over the batch's steps.
  for (size_t i = begin; i < end; ++i) {
    if (((i - begin) & 255) == 255) {
      Status s = ctx_->CheckInterrupt();
      if (!s.ok()) return s;
    }
    Prefetch(i, end, e_hi);
    LoadedSeries& series = data_[i];
    if (steps.last) spare.Lend(&series);
    WindowCursor cur = cursors_[i];
    size_t dropped = 0;
    // Samples before the last window's start are behind every window still to come.
    Status s = Advance(ctx_, &series, e_hi, e_lo - spec_.range_ms, &reservation_, &dropped, cur.lo);
    if (!s.ok()) return s;
    cur.Shift(dropped);
    // Locals, not members, in the per-step loop: the compiler keeps them in registers.
    size_t lo = cur.lo, hi = cur.hi, next_drop = cur.next_drop, last_drop = cur.last_drop;
    const int64_t* ts = series.ts.data();
    const double* vs = series.vs.data();
    const size_t num = series.ts.size();
    const int64_t range_ms = spec_.range_ms;
    const bool skip_empty = spec_.skip_empty;
    // next_drop is either a drop or where the last search stopped for want of samples.
    if (!(next_drop < num && IsDrop(vs, next_drop))) next_drop = NextDrop(vs, next_drop, num);
    call.labels = &series.labels;
    call.noted = &noted_[i];
    kernel.BeginSeries(series);
    out.BeginSeries();
    bool produced = false;
    size_t lo_step = 0, hi_step = 0;
    for (size_t k = 0; k < n; ++k) {
      const int64_t e = win_end[k];
      const int64_t start = e - range_ms;
      // Window ends never decrease (steps ascend; with @ they are all equal), so both edges
      // only move forward.
      lo = AdvanceTo(ts, num, lo, lo_step, start);
      if (hi < lo) hi = lo;
      hi = AdvanceTo(ts, num, hi, hi_step, e);
      if (hi == lo && skip_empty) continue;
      while (next_drop < hi) [[unlikely]] {
        last_drop = next_drop;
        next_drop = NextDrop(vs, next_drop + 1, num);
      }
      double v;
      // last_drop is the latest drop before hi: the window has a reset if it is inside.
      if (kernel(Window{ts + lo, vs + lo, hi - lo, start, e, k, last_drop <= lo, lo, num - hi}, call, &v)) {
        out.Put(k, static_cast<uint32_t>(i), v);
        produced = true;
      }
    }
    kernel.SeriesDone(call, produced);
    out.SeriesDone(static_cast<uint32_t>(i), produced);
    cur = WindowCursor{lo, hi, next_drop, last_drop};
    if (steps.last) {
      reservation_.Release(static_cast<int64_t>(series.ts.size()));
      spare.TakeBack(&series);
      cur = WindowCursor{};
    } else if (cur.lo >= kForgetAtLeast && series.streamed) {
      // A long batch leaves many samples behind its last window; dropping them now, not at
      // the next decode, keeps every series from holding a batch's worth until then.
      const size_t behind = cur.lo;
      Forget(&series, behind, &reservation_);
      cur.Shift(behind);
    }
    cursors_[i] = cur;
  }
  return Status::Ok();
}

}  // namespace meridian::promql::engine
