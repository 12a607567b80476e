#include "storage/series_decoder.h"

#include <algorithm>
#include <string>

#include "tsdb/chunkenc/xor.h"

namespace meridian::storage {

namespace {

Status CheckReadable(const Chunk& c) {
  switch (c.encoding) {
    case ChunkEncoding::kXOR:
      return Status::Ok();
    case ChunkEncoding::kHistogram:
    case ChunkEncoding::kFloatHistogram:
      return ExecutionError("native histograms are not supported yet");
    case ChunkEncoding::kAggregate:
      return InternalError("downsampled chunks are read with DecodeSeriesAs");
  }
  return CorruptError("unknown chunk encoding " + std::to_string(static_cast<int>(c.encoding)));
}

// Keeps samples [from, size) of ts/vs that lie in [mint, maxt]; samples are sorted.
void TrimTail(std::vector<int64_t>* ts, std::vector<double>* vs, size_t from, int64_t mint,
              int64_t maxt) {
  // Most chunks lie inside the range: the two ends say so without a search.
  if (from == ts->size() || ((*ts)[from] >= mint && ts->back() <= maxt)) return;
  auto first = ts->begin() + static_cast<ptrdiff_t>(from);
  auto lo = std::lower_bound(first, ts->end(), mint);
  auto hi = std::upper_bound(lo, ts->end(), maxt);
  const size_t lo_i = static_cast<size_t>(lo - ts->begin());
  const size_t hi_i = static_cast<size_t>(hi - ts->begin());
  if (lo_i == from && hi_i == ts->size()) return;
  if (lo_i != from) {
    std::copy(ts->begin() + static_cast<ptrdiff_t>(lo_i), ts->begin() + static_cast<ptrdiff_t>(hi_i),
              ts->begin() + static_cast<ptrdiff_t>(from));
    std::copy(vs->begin() + static_cast<ptrdiff_t>(lo_i), vs->begin() + static_cast<ptrdiff_t>(hi_i),
              vs->begin() + static_cast<ptrdiff_t>(from));
  }
  ts->resize(from + (hi_i - lo_i));
  vs->resize(from + (hi_i - lo_i));
}

bool IsSorted(const std::vector<int64_t>& ts, size_t from) {
  for (size_t i = from + 1; i < ts.size(); ++i) {
    if (ts[i] <= ts[i - 1]) return false;
  }
  return true;
}

struct Run {
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

// Merges b into a by timestamp; on equal timestamps a's sample stays.
Run MergeRuns(const Run& a, const Run& b) {
  Run out;
  out.ts.reserve(a.ts.size() + b.ts.size());
  out.vs.reserve(a.ts.size() + b.ts.size());
  size_t i = 0, j = 0;
  while (i < a.ts.size() || j < b.ts.size()) {
    if (j == b.ts.size() || (i < a.ts.size() && a.ts[i] <= b.ts[j])) {
      if (j < b.ts.size() && a.ts[i] == b.ts[j]) ++j;
      out.ts.push_back(a.ts[i]);
      out.vs.push_back(a.vs[i]);
      ++i;
    } else {
      out.ts.push_back(b.ts[j]);
      out.vs.push_back(b.vs[j]);
      ++j;
    }
  }
  return out;
}

// A chunk whose own samples are out of order is sorted (stable, so the first of equal
// timestamps stays first) and de-duplicated the same way.
void NormalizeRun(Run* r) {
  if (IsSorted(r->ts, 0)) return;
  std::vector<size_t> idx(r->ts.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](size_t x, size_t y) { return r->ts[x] < r->ts[y]; });
  Run out;
  for (size_t k : idx) {
    if (!out.ts.empty() && out.ts.back() == r->ts[k]) continue;
    out.ts.push_back(r->ts[k]);
    out.vs.push_back(r->vs[k]);
  }
  *r = std::move(out);
}

bool Overlaps(const Chunk& c, int64_t mint, int64_t maxt) {
  return c.max_time >= mint && c.min_time <= maxt;
}

}  // namespace

Status DecodeOrderedChunk(const Chunk& chunk, int64_t mint, int64_t maxt, std::vector<int64_t>* ts,
                          std::vector<double>* vs, bool* may_have_stale) {
  *may_have_stale = true;
  if (chunk.encoding != ChunkEncoding::kXOR || ts->size() != vs->size()) {
    Series one;
    one.chunks.push_back(chunk);
    return DecodeSeries(one, mint, maxt, ts, vs);
  }
  if (mint > maxt || !Overlaps(chunk, mint, maxt)) return Status::Ok();
  const size_t from = ts->size();
  chunkenc::XorDecodeInfo info;
  if (Status st = chunkenc::DecodeXor(chunk.bytes(), ts, vs, &info); !st.ok()) return st;
  *may_have_stale = info.has_stale;
  if (!info.ordered) {
    // Out-of-order samples inside one chunk: sorted and de-duplicated like DecodeSeries does.
    Run r;
    r.ts.assign(ts->begin() + static_cast<ptrdiff_t>(from), ts->end());
    r.vs.assign(vs->begin() + static_cast<ptrdiff_t>(from), vs->end());
    NormalizeRun(&r);
    ts->resize(from);
    vs->resize(from);
    ts->insert(ts->end(), r.ts.begin(), r.ts.end());
    vs->insert(vs->end(), r.vs.begin(), r.vs.end());
  }
  TrimTail(ts, vs, from, mint, maxt);
  return Status::Ok();
}

Status DecodeSeries(const Series& series, int64_t mint, int64_t maxt, std::vector<int64_t>* ts,
                    std::vector<double>* vs) {
  const size_t base = ts->size();
  const size_t base_v = vs->size();
  auto restore = [&](Status st) {
    ts->resize(base);
    vs->resize(base_v);
    return st.Wrap("series " + series.labels.ToString());
  };
  if (base != base_v) return InternalError("DecodeSeries: ts and vs differ in length");
  if (mint > maxt) return Status::Ok();

  // Fast path: chunks in time order without overlap decode straight into the output.
  bool fast = true;
  int64_t prev_max = 0;
  bool have_prev = false;
  for (const Chunk& c : series.chunks) {
    if (!Overlaps(c, mint, maxt)) continue;
    if (Status st = CheckReadable(c); !st.ok()) return restore(st);
    if (have_prev && c.min_time <= prev_max) fast = false;
    prev_max = c.max_time;
    have_prev = true;
  }
  if (fast) {
    for (const Chunk& c : series.chunks) {
      if (!Overlaps(c, mint, maxt)) continue;
      const size_t from = ts->size();
      if (Status st = chunkenc::DecodeXor(c.bytes(), ts, vs); !st.ok()) return restore(st);
      // Chunk metadata promised order; verify it against the data before trusting it.
      if (!IsSorted(*ts, from == base ? base : from - 1)) {
        fast = false;
        break;
      }
      TrimTail(ts, vs, from, mint, maxt);
    }
    if (fast) return Status::Ok();
    ts->resize(base);
    vs->resize(base_v);
  }

  // General path: decode each chunk on its own, merge in chunk order (earlier chunk wins).
  Run merged;
  for (const Chunk& c : series.chunks) {
    if (!Overlaps(c, mint, maxt)) continue;
    Run r;
    if (Status st = chunkenc::DecodeXor(c.bytes(), &r.ts, &r.vs); !st.ok()) return restore(st);
    NormalizeRun(&r);
    merged = merged.ts.empty() ? std::move(r) : MergeRuns(merged, r);
  }
  auto lo = std::lower_bound(merged.ts.begin(), merged.ts.end(), mint);
  auto hi = std::upper_bound(lo, merged.ts.end(), maxt);
  const auto lo_i = lo - merged.ts.begin();
  const auto hi_i = hi - merged.ts.begin();
  ts->insert(ts->end(), lo, hi);
  vs->insert(vs->end(), merged.vs.begin() + lo_i, merged.vs.begin() + hi_i);
  return Status::Ok();
}

}  // namespace meridian::storage
