#include "storage/aggregate_decoder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <span>
#include <utility>
#include <string>

#include "model/value.h"
#include "storage/series_decoder.h"
#include "tsdb/chunkenc/aggr.h"
#include "tsdb/chunkenc/counter_resets.h"

namespace meridian::storage {

namespace {

using chunkenc::AggrType;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}


bool Overlaps(const Chunk& c, int64_t mint, int64_t maxt) { return c.max_time >= mint && c.min_time <= maxt; }

// One downsampled chunk decoded for a read.
struct AggrRun {
  int64_t resolution = 0;
  // Window stamps; for kCounter also the chunk's first raw sample in front and the repeat of
  // the last stamp with the last raw value behind.
  std::vector<int64_t> ts;
  std::vector<double> vs;      // the read's values (kWindowAverage: the windows' sums)
  std::vector<double> counts;  // kWindowAverage only
  int64_t cover_start = 0;     // start of the first window
  int64_t cover_end = 0;       // the last stamp
};

Status DecodeSub(const chunkenc::AggrParts& parts, AggrType type, std::vector<int64_t>* ts,
                 std::vector<double>* vs) {
  const auto& sub = parts[type];
  if (!sub) {
    // A store sends only the aggregates asked for, and native-histogram chunks carry no min or
    // max: either way this chunk cannot answer the read.
    return ExecutionError(std::string("downsampled chunk without the ") + chunkenc::AggrTypeName(type) +
                          " aggregate");
  }
  return chunkenc::DecodeAggrSubChunk(*sub, ts, vs);
}

StatusOr<AggrRun> DecodeAggrChunk(const Chunk& c, AggregateRead read) {
  auto parts = chunkenc::ParseAggrChunk(c.bytes());
  if (!parts.ok()) return parts.status();
  AggrRun run;
  Status st;
  switch (read) {
    case AggregateRead::kAverage:
    case AggregateRead::kWindowAverage: {
      std::vector<int64_t> count_ts;
      std::vector<double> counts;
      st = DecodeSub(*parts, AggrType::kCount, &count_ts, &counts);
      if (st.ok()) st = DecodeSub(*parts, AggrType::kSum, &run.ts, &run.vs);
      if (!st.ok()) return st;
      if (count_ts != run.ts) return CorruptError("downsampled chunk: count and sum sub-chunks are not aligned");
      if (read == AggregateRead::kAverage) {
        for (size_t i = 0; i < run.vs.size(); ++i) run.vs[i] /= counts[i];
      } else {
        run.counts = std::move(counts);
      }
      break;
    }
    case AggregateRead::kCount: st = DecodeSub(*parts, AggrType::kCount, &run.ts, &run.vs); break;
    case AggregateRead::kSum: st = DecodeSub(*parts, AggrType::kSum, &run.ts, &run.vs); break;
    case AggregateRead::kMin: st = DecodeSub(*parts, AggrType::kMin, &run.ts, &run.vs); break;
    case AggregateRead::kMax: st = DecodeSub(*parts, AggrType::kMax, &run.ts, &run.vs); break;
    case AggregateRead::kCounter: st = DecodeSub(*parts, AggrType::kCounter, &run.ts, &run.vs); break;
  }
  if (!st.ok()) return st;
  if (run.ts.empty()) return run;
  std::span<const int64_t> windows(run.ts);
  if (read == AggregateRead::kCounter && windows.size() >= 3) windows = windows.subspan(1, windows.size() - 2);
  run.resolution = InferResolution(windows);
  run.cover_start = std::min(run.ts.front(), WindowStart(windows.front(), run.resolution));
  run.cover_end = run.ts.back();
  return run;
}

struct Samples {
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

// The counter read: downsampled chunks win over their spans; what is left of the raw samples
// fills in between; all of it goes through the counter-reset correction in time order.
//
// A window's total is the counter as of the window's last raw sample, but it is stamped with
// the window's last millisecond; only a chunk's own first raw sample and its last window carry
// raw sample times. Mixing the two would make an increase between them a scrape interval too
// long or short, so every window is stamped at its end (the last window of a chunk too) and a
// chunk's first raw sample only takes part in finding resets at the chunk boundary, except as
// the very first sample, where the series begins.
void MergeCounter(const std::vector<AggrRun>& runs, const Samples& raw, Samples* out) {
  chunkenc::CounterResets counter;
  auto feed = [&](int64_t t, double v, int64_t out_t, bool emit) {
    const bool first = !counter.started();
    if (!counter.Add(t, v) || !(emit || first)) return;
    // Never back or onto an earlier sample (a raw sample may follow inside the window).
    if (!out->ts.empty() && out_t <= out->ts.back()) out_t = t;
    if (!out->ts.empty() && out_t <= out->ts.back()) return;
    out->ts.push_back(out_t);
    out->vs.push_back(counter.total());
  };
  // The time the runs cover, as sorted disjoint spans, walked along with the raw samples.
  std::vector<std::pair<int64_t, int64_t>> covered;
  for (const AggrRun& r : runs) {  // sorted by cover_start
    if (!covered.empty() && r.cover_start <= covered.back().second) {
      covered.back().second = std::max(covered.back().second, r.cover_end);
    } else {
      covered.emplace_back(r.cover_start, r.cover_end);
    }
  }
  size_t k = 0;
  auto inside_a_run = [&](int64_t t) {  // t never decreases between calls
    while (k < covered.size() && covered[k].second < t) ++k;
    return k < covered.size() && covered[k].first <= t;
  };
  size_t j = 0;
  auto feed_raw_before = [&](int64_t t) {
    for (; j < raw.ts.size() && raw.ts[j] < t; ++j) {
      if (!inside_a_run(raw.ts[j])) feed(raw.ts[j], raw.vs[j], raw.ts[j], true);
    }
  };
  for (const AggrRun& r : runs) {
    feed_raw_before(r.ts.front());
    const size_t n = r.ts.size();
    for (size_t i = 0; i < n; ++i) {
      // Layout: first raw sample, windows, last raw value again (DOWNSAMPLING.md 1.3).
      const bool window = n < 3 || (i > 0 && i + 1 < n);
      const int64_t window_end = WindowStart(r.ts[i], r.resolution) + r.resolution - 1;
      // Restamped only if nothing that follows comes before the window's end.
      int64_t next = std::numeric_limits<int64_t>::max();
      if (i + 2 < n) next = r.ts[i + 1];
      if (j < raw.ts.size()) next = std::min(next, raw.ts[j]);
      const int64_t out_t = window && window_end < next ? window_end : r.ts[i];
      feed(r.ts[i], r.vs[i], out_t, window);
    }
  }
  feed_raw_before(std::numeric_limits<int64_t>::max());
}

// One window of a downsampled chunk as the other reads see it.
struct Window {
  int64_t stamp = 0;
  int64_t start = 0;
  int64_t end = 0;  // last millisecond
  double v = 0;     // kWindowAverage: the sum until the end, then the average
  double count = 0;
};

// The windows of all runs in time order; of overlapping runs the earlier one wins, the later
// one continues after it (Thanos's chunkSeriesIterator). Under kWindowAverage the two halves of
// a window split between two chunks (1h chunks cut at part boundaries) become one window.
std::vector<Window> Windows(const std::vector<AggrRun>& runs, AggregateRead read) {
  std::vector<Window> out;
  int64_t last = std::numeric_limits<int64_t>::min();
  for (const AggrRun& r : runs) {
    for (size_t i = 0; i < r.ts.size(); ++i) {
      if (r.ts[i] <= last) continue;
      last = r.ts[i];
      Window w;
      w.stamp = r.ts[i];
      w.start = WindowStart(r.ts[i], r.resolution);
      w.end = w.start + r.resolution - 1;
      w.v = r.vs[i];
      if (read == AggregateRead::kWindowAverage) {
        w.count = r.counts[i];
        if (!out.empty() && out.back().start == w.start && out.back().end == w.end) {
          out.back().stamp = w.stamp;
          out.back().v += w.v;
          out.back().count += w.count;
          continue;
        }
      }
      out.push_back(w);
    }
  }
  if (read == AggregateRead::kWindowAverage) {
    for (Window& w : out) w.v /= w.count;
  }
  return out;
}

// Raw samples cover a window when they reach from within half a window of its start to within
// half a window of its end: a raw block's first and last samples sit a scrape offset inside
// its time range, which is aligned to the windows.
bool RawCovers(const Samples& raw, const Window& w) {
  const int64_t tol = (w.end - w.start + 1) / 2;
  auto lo = std::lower_bound(raw.ts.begin(), raw.ts.end(), w.start - tol);
  if (lo == raw.ts.end() || *lo > w.start + tol) return false;
  auto hi = std::upper_bound(raw.ts.begin(), raw.ts.end(), w.end + tol);
  return hi != raw.ts.begin() && *(hi - 1) >= w.end - tol;
}

// Every read but the counter: raw samples win over the windows they cover; the other windows
// stay, and raw samples inside them go.
void MergeWindows(const std::vector<AggrRun>& runs, AggregateRead read, const Samples& raw, int64_t mint,
                  int64_t maxt, Samples* out) {
  std::vector<Window> windows = Windows(runs, read);
  std::erase_if(windows, [&](const Window& w) { return RawCovers(raw, w); });
  const bool held = read == AggregateRead::kWindowAverage;
  auto raw_value = [&](double v) { return read == AggregateRead::kCount && !IsStaleNaN(v) ? 1.0 : v; };
  auto emit = [&](int64_t t, double v) {
    out->ts.push_back(t);
    out->vs.push_back(v);
  };
  size_t j = 0;
  for (size_t k = 0; k < windows.size(); ++k) {
    const Window& w = windows[k];
    for (; j < raw.ts.size() && raw.ts[j] < w.start; ++j) {
      if (raw.ts[j] >= mint && raw.ts[j] <= maxt) emit(raw.ts[j], raw_value(raw.vs[j]));
    }
    // Raw samples up to the window's stamp are what it already holds (a chunk's last window
    // is stamped with its last raw sample; later ones in the window come from elsewhere).
    while (j < raw.ts.size() && raw.ts[j] <= w.stamp) ++j;
    if (!held) {
      if (w.stamp >= mint && w.stamp <= maxt) emit(w.stamp, w.v);
      continue;
    }
    if (w.end < mint || w.start > maxt) continue;
    emit(w.start, w.v);
    // The series ends with its last window unless something follows right away.
    const int64_t next = k + 1 < windows.size() ? windows[k + 1].start
                         : j < raw.ts.size()    ? raw.ts[j]
                                                : std::numeric_limits<int64_t>::max();
    if (next > w.end + 1 && w.end + 1 <= maxt) emit(w.end + 1, StaleNaN());
  }
  for (; j < raw.ts.size(); ++j) {
    if (raw.ts[j] >= mint && raw.ts[j] <= maxt) emit(raw.ts[j], raw_value(raw.vs[j]));
  }
}

}  // namespace

int64_t WindowStart(int64_t t, int64_t r) { return FloorDiv(t, r) * r; }

int64_t InferResolution(std::span<const int64_t> stamps) {
  // The first windows tell, and the chunk's last (which may carry its last raw sample's time)
  // must follow them: checking every stamp of every chunk read cost a twentieth of a query.
  constexpr size_t kChecked = 16;
  for (int64_t r : {kResolution1h, kResolution5m}) {
    bool fits = true;
    const size_t n = stamps.size();
    for (size_t i = 0; fits && i < n; i = (i + 1 == kChecked && n > kChecked + 1) ? n - 1 : i + 1) {
      if (i + 1 < n && WindowStart(stamps[i] + 1, r) != stamps[i] + 1) fits = false;
      if (i > 0 && FloorDiv(stamps[i], r) <= FloorDiv(stamps[i - 1], r)) fits = false;
    }
    // One window fits either; the finer one keeps a short-lived series from being held for
    // an hour.
    if (fits && (r == kResolution5m || stamps.size() >= 2)) return r;
  }
  // Not a resolution Thanos writes: read its windows as 5m ones.
  return kResolution5m;
}

bool HasAggregateChunks(const Series& series, int64_t mint, int64_t maxt) {
  for (const Chunk& c : series.chunks) {
    if (c.encoding == ChunkEncoding::kAggregate && Overlaps(c, mint, maxt)) return true;
  }
  return false;
}

Status DecodeSeriesAs(const Series& series, AggregateRead read, int64_t mint, int64_t maxt,
                      std::vector<int64_t>* ts, std::vector<double>* vs, AggregateDecodeInfo* info) {
  if (ts->size() != vs->size()) return InternalError("DecodeSeriesAs: ts and vs differ in length");
  if (mint > maxt) return Status::Ok();
  auto fail = [&](const Status& st) { return st.Wrap("series " + series.labels.ToString()); };
  std::vector<AggrRun> runs;
  Series raw_chunks;
  for (const Chunk& c : series.chunks) {
    if (!Overlaps(c, mint, maxt)) continue;
    switch (c.encoding) {
      case ChunkEncoding::kXOR: raw_chunks.chunks.push_back(c); break;
      case ChunkEncoding::kHistogram:
      case ChunkEncoding::kFloatHistogram: return fail(ExecutionError("native histograms are not supported yet"));
      case ChunkEncoding::kAggregate: {
        auto run = DecodeAggrChunk(c, read);
        if (!run.ok()) return fail(run.status());
        if (!run->ts.empty()) runs.push_back(std::move(*run));
        break;
      }
    }
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const AggrRun& a, const AggrRun& b) { return a.cover_start < b.cover_start; });
  Samples raw;
  if (!raw_chunks.chunks.empty()) {
    if (Status st = DecodeSeries(raw_chunks, mint, maxt, &raw.ts, &raw.vs); !st.ok()) return fail(st);
  }
  Samples out;
  if (read == AggregateRead::kCounter) {
    MergeCounter(runs, raw, &out);
    auto lo = std::lower_bound(out.ts.begin(), out.ts.end(), mint);
    auto hi = std::upper_bound(lo, out.ts.end(), maxt);
    ts->insert(ts->end(), lo, hi);
    vs->insert(vs->end(), out.vs.begin() + (lo - out.ts.begin()), out.vs.begin() + (hi - out.ts.begin()));
  } else {
    MergeWindows(runs, read, raw, mint, maxt, &out);
    ts->insert(ts->end(), out.ts.begin(), out.ts.end());
    vs->insert(vs->end(), out.vs.begin(), out.vs.end());
  }
  if (info != nullptr) {
    for (const AggrRun& r : runs) info->coarsest_resolution_ms = std::max(info->coarsest_resolution_ms, r.resolution);
  }
  return Status::Ok();
}

}  // namespace meridian::storage
