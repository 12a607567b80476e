#pragma once
// Reads the series of one selector from storage and decodes every chunk once for the whole
// query, so selectors slide over plain arrays afterwards.

#include <cstdint>
#include <optional>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "model/status.h"
#include "promql/engine/operator.h"
#include "promql/engine/query_context.h"
#include "storage/select_hints.h"

namespace meridian::promql::engine {

// A selector as the planner resolved it: matchers plus time modifiers with start()/end()
// already replaced by absolute times.
struct SelectorSpec {
  Matchers matchers;
  int64_t offset_ms = 0;
  std::optional<int64_t> at_ms;
  int64_t range_ms = 0;  // 0 for instant selectors
  // func/grouping/by and the resolution to read (resolution.h) filled by the planner.
  storage::SelectHints hints;
  // The function needs raw samples (resolution.h): reading downsampled data is noted as an
  // info annotation at `pos`.
  bool needs_raw = false;
  PosRange pos;
  // Downsampled windows are stamped at their end, so the window a step falls in, or the
  // counter totals just outside a range, may lie outside the selection. With a resolution
  // here, stores are asked up to the end of the window (of that resolution) holding the
  // selection's end, and with look_behind from the start of the window before its start;
  // only series with downsampled data read the extra time.
  int64_t aggregate_window_ms = 0;
  bool aggregate_look_behind = false;
};

// One series with its samples, timestamps ascending. When streamed, `ts`/`vs` hold only the
// decoded part still needed (see Advance) and the remaining chunks wait in `pending`, so a
// long range query keeps a window of samples in memory, not the whole range.
struct LoadedSeries {
  Labels labels;
  std::vector<int64_t> ts;
  std::vector<double> vs;

  std::vector<storage::Chunk> pending;  // not yet decoded, in time order, non-overlapping
  size_t next_pending = 0;
  int64_t mint = 0, maxt = 0;  // the selection's bounds
  bool drop_stale = false;
  bool streamed = false;  // Advance decodes and forgets; otherwise ts/vs are final
  // Some of the series' chunks are downsampled: ts/vs hold the aggregate the selection reads
  // (hints.aggregate), and `resolution_ms` is the coarsest resolution among them. Such series
  // are decoded whole, never streamed.
  bool aggregated = false;
  int64_t resolution_ms = 0;
};

// Selects series with samples in [mint, maxt]. drop_stale removes StaleNaN markers (range
// vectors never contain them); instant selectors keep them because a marker ends the
// lookback. stream: leave chunks encoded until Advance asks for them (falls back to decoding
// everything when a series' chunks overlap). Samples are reserved on *reservation against the
// query's limit while they are held.
Status LoadSeries(QueryContext* ctx, const SelectorSpec& spec, int64_t mint, int64_t maxt,
                  bool drop_stale, std::vector<LoadedSeries>* out, SampleReservation* reservation,
                  bool stream = false);

// Removes the first n samples of a streamed series.
void Forget(LoadedSeries* s, size_t n, SampleReservation* reservation);

// Decodes pending chunks starting at or before `upto` (see Advance).
Status DecodePending(QueryContext* ctx, LoadedSeries* s, int64_t upto, int64_t forget_upto,
                     SampleReservation* reservation, size_t* dropped, size_t known_dead);

// Makes every sample with t <= upto available. Samples with t <= forget_upto may be forgotten
// (removed from the front); that happens when a chunk is decoded, since only then would the
// buffer grow. *dropped receives how many samples were removed (callers holding indexes into
// ts/vs subtract it). A caller that knows samples [0, known_dead) are no longer needed says
// so, which saves searching for forget_upto in samples that have left the cache. Inline
// because it runs per series per batch and usually has nothing to do.
inline Status Advance(QueryContext* ctx, LoadedSeries* s, int64_t upto, int64_t forget_upto,
                      SampleReservation* reservation, size_t* dropped, size_t known_dead = 0) {
  *dropped = 0;
  if (!s->streamed || s->next_pending >= s->pending.size() || s->pending[s->next_pending].min_time > upto) {
    return Status::Ok();
  }
  return DecodePending(ctx, s, upto, forget_upto, reservation, dropped, known_dead);
}

// What each batch of an operator over loaded series starts with: a check for cancellation
// and, once the cursor has no steps left, freeing the series (their samples leave the
// query's budget). *more says whether steps are left.
inline Status StartBatch(QueryContext* ctx, const StepCursor& cursor, std::vector<LoadedSeries>* data,
                         SampleReservation* reservation, bool* more) {
  *more = false;
  Status s = ctx->CheckInterrupt();
  if (!s.ok()) return s;
  if (cursor.Done()) {
    data->clear();
    reservation->Reset();
    return Status::Ok();
  }
  *more = true;
  return Status::Ok();
}

// The evaluation time of a selector at step time t.
inline int64_t SelectorTime(const SelectorSpec& spec, int64_t t) {
  return (spec.at_ms ? *spec.at_ms : t) - spec.offset_ms;
}

inline constexpr const char* kNativeHistogramsUnsupported =
    "native histograms are not supported yet";

}  // namespace meridian::promql::engine
