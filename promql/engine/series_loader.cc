#include "promql/engine/series_loader.h"

#include <algorithm>

#include "model/value.h"
#include "storage/aggregate_decoder.h"
#include "storage/series_decoder.h"

namespace meridian::promql::engine {

namespace {
// Removes StaleNaN samples at index >= from. Markers are rare, so find the first before
// rewriting anything.
void DropStale(LoadedSeries* ls, size_t from) {
  size_t first = from;
  while (first < ls->vs.size() && !IsStaleNaN(ls->vs[first])) ++first;
  if (first == ls->vs.size()) return;
  size_t w = first;
  for (size_t i = first; i < ls->ts.size(); ++i) {
    if (IsStaleNaN(ls->vs[i])) continue;
    ls->ts[w] = ls->ts[i];
    ls->vs[w] = ls->vs[i];
    ++w;
  }
  ls->ts.resize(w);
  ls->vs.resize(w);
}
}  // namespace

void Forget(LoadedSeries* s, size_t n, SampleReservation* reservation) {
  if (n == 0) return;
  s->ts.erase(s->ts.begin(), s->ts.begin() + static_cast<ptrdiff_t>(n));
  s->vs.erase(s->vs.begin(), s->vs.begin() + static_cast<ptrdiff_t>(n));
  reservation->Release(static_cast<int64_t>(n));
}

Status DecodePending(QueryContext* ctx, LoadedSeries* s, int64_t upto, int64_t forget_upto,
                     SampleReservation* reservation, size_t* dropped, size_t known_dead) {
  *dropped = 0;
  // Forget before appending so the buffer stays small: the live tail moved is at most a
  // window plus a batch, once per chunk.
  const size_t n =
      known_dead > 0 ? std::min(known_dead, s->ts.size())
                     : static_cast<size_t>(std::upper_bound(s->ts.begin(), s->ts.end(), forget_upto) - s->ts.begin());
  Forget(s, n, reservation);
  *dropped = n;
  // Decoded samples are counted once for all the chunks of this call: the counters are
  // shared between workers, and a chunk is only about a hundred samples.
  const size_t start = s->ts.size();
  Status st;
  while (st.ok() && s->next_pending < s->pending.size() && s->pending[s->next_pending].min_time <= upto) {
    const size_t before = s->ts.size();
    bool may_have_stale = true;
    st = storage::DecodeOrderedChunk(s->pending[s->next_pending], s->mint, s->maxt, &s->ts, &s->vs,
                                     &may_have_stale);
    s->pending[s->next_pending].data.reset();
    ++s->next_pending;
    if (st.ok() && s->drop_stale && may_have_stale) DropStale(s, before);
  }
  const int64_t added = static_cast<int64_t>(s->ts.size() - start);
  ctx->CountProcessed(added);
  Status limit = reservation->Add(added);
  if (!st.ok()) return st;
  if (!limit.ok()) return limit;
  if (s->next_pending == s->pending.size() && !s->pending.empty()) {
    s->pending.clear();
    s->next_pending = 0;
  }
  return Status::Ok();
}

Status LoadSeries(QueryContext* ctx, const SelectorSpec& spec, int64_t mint, int64_t maxt,
                  bool drop_stale, std::vector<LoadedSeries>* out,
                  SampleReservation* reservation, bool stream) {
  out->clear();
  if (ctx->queryable() == nullptr) return InternalError("engine: no storage configured");
  // Only series with downsampled data read outside [mint, maxt] (aggregate_window_ms).
  int64_t aggr_mint = mint, aggr_maxt = maxt;
  if (const int64_t r = spec.aggregate_window_ms; r > 0) {
    aggr_maxt = storage::WindowStart(maxt, r) + r - 1;
    // The whole window before: a chunk's last window carries its last raw sample's time,
    // which may lie anywhere in it.
    if (spec.aggregate_look_behind) aggr_mint = storage::WindowStart(mint, r) - r;
  }
  std::unique_ptr<storage::Querier> querier = ctx->queryable()->NewQuerier(aggr_mint, aggr_maxt);
  if (!querier) return InternalError("engine: storage returned no querier");
  storage::SelectHints hints = spec.hints;
  hints.start_ms = aggr_mint;
  hints.end_ms = aggr_maxt;
  hints.deadline = ctx->StorageDeadline();
  std::unique_ptr<storage::SeriesSet> set = querier->Select(true, hints, spec.matchers);
  if (!set) return InternalError("engine: storage returned no series set");
  size_t n = 0;
  bool read_raw = false;
  int64_t coarsest = 0;
  while (set->Next()) {
    if ((++n & 63) == 0) {
      Status s = ctx->CheckInterrupt();
      if (!s.ok()) return s;
    }
    storage::Series& series = set->At();
    for (const storage::Chunk& c : series.chunks) {
      if (c.encoding == storage::ChunkEncoding::kHistogram ||
          c.encoding == storage::ChunkEncoding::kFloatHistogram) {
        if (c.max_time >= mint && c.min_time <= maxt) {
          return ExecutionError(kNativeHistogramsUnsupported);
        }
      }
    }
    LoadedSeries ls;
    ls.mint = mint;
    ls.maxt = maxt;
    ls.drop_stale = drop_stale;
    if (storage::HasAggregateChunks(series, aggr_mint, aggr_maxt)) {
      ls.labels = series.labels;
      // Decoded whole: downsampled data is small, and the counter read corrects resets
      // across all of a series' chunks.
      storage::AggregateDecodeInfo info;
      Status s = set->DecodeCurrent(aggr_mint, aggr_maxt, spec.hints.aggregate, &ls.ts, &ls.vs, &info);
      if (!s.ok()) return s;
      ls.mint = aggr_mint;
      ls.maxt = aggr_maxt;
      ls.aggregated = true;
      ls.resolution_ms = info.coarsest_resolution_ms;
      coarsest = std::max(coarsest, info.coarsest_resolution_ms);
      for (const storage::Chunk& c : series.chunks) {
        read_raw = read_raw || (c.encoding == storage::ChunkEncoding::kXOR && c.max_time >= mint && c.min_time <= maxt);
      }
      if (drop_stale) DropStale(&ls, 0);
      ctx->CountProcessed(static_cast<int64_t>(ls.ts.size()));
      s = reservation->Add(static_cast<int64_t>(ls.ts.size()));
      if (!s.ok()) return s;
      out->push_back(std::move(ls));
      continue;
    }
    read_raw = read_raw || !series.chunks.empty();
    // Streaming decodes chunk by chunk, which is only right for one source whose chunks do
    // not overlap; anything else (overlapping blocks, HA replicas that the querier
    // deduplicates) is decoded whole by the series set, which knows how to combine them.
    bool simple = true;
    for (size_t i = 0; i < series.chunks.size(); ++i) {
      simple = simple && series.chunks[i].source == 0 &&
               (i == 0 || series.chunks[i].min_time > series.chunks[i - 1].max_time);
    }
    if (stream && simple) {
      ls.streamed = true;
      ls.labels = std::move(series.labels);
      // The series set is done with the labels and chunks once it moves on: taking them
      // saves a copy of the labels and a reference count round trip per chunk.
      ls.pending = std::move(series.chunks);
      std::erase_if(ls.pending, [&](const storage::Chunk& c) { return c.max_time < mint || c.min_time > maxt; });
      out->push_back(std::move(ls));
      continue;
    }
    ls.labels = series.labels;
    Status s = set->DecodeCurrent(mint, maxt, &ls.ts, &ls.vs);
    if (!s.ok()) return s;
    if (drop_stale) DropStale(&ls, 0);
    ctx->CountProcessed(static_cast<int64_t>(ls.ts.size()));
    s = reservation->Add(static_cast<int64_t>(ls.ts.size()));
    if (!s.ok()) return s;
    out->push_back(std::move(ls));
  }
  if (!set->status().ok()) return set->status();
  for (auto& w : set->Warnings()) ctx->annotations().AddWarning(w);
  if (read_raw) ctx->resolutions_read().Note(0);
  if (coarsest > 0) {
    ctx->resolutions_read().Note(coarsest);
    if (spec.needs_raw) {
      const std::string what = spec.hints.func.empty() ? "a range vector" : spec.hints.func + "()";
      ctx->annotations().AddInfo("PromQL info: " + what + " needs raw samples, but for part of the range "
                                 "only downsampled data exists: answered from " + ResolutionName(coarsest) +
                                 " window averages", spec.pos);
    }
  }
  return Status::Ok();
}

}  // namespace meridian::promql::engine
