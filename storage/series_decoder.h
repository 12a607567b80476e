#pragma once
// Turns a Series' chunks into plain timestamp/value arrays for the engine.

#include <cstdint>
#include <vector>

#include "model/status.h"
#include "storage/storage.h"

namespace meridian::storage {

// Decodes every chunk of `series` once and appends the samples with mint <= t <= maxt to
// *ts / *vs in timestamp order. Overlapping chunks (the same series from several blocks or
// stores) are merged by timestamp; of samples sharing a timestamp the one from the earlier
// chunk in `series.chunks` wins. Errors: native-histogram chunks (not supported yet),
// downsampled aggregate chunks (read those with DecodeSeriesAs, storage/aggregate_decoder.h),
// corrupt XOR data. On error *ts / *vs are left as they were.
Status DecodeSeries(const Series& series, int64_t mint, int64_t maxt, std::vector<int64_t>* ts,
                    std::vector<double>* vs);

// Appends the samples of one chunk with mint <= t <= maxt, for a caller that decodes a series
// chunk by chunk in time order (the chunks of one source do not overlap). The same checks and
// normalisation as DecodeSeries, without building a Series.
// *may_have_stale is set when the appended samples may include staleness markers (false
// means they certainly do not, so the caller can skip looking).
Status DecodeOrderedChunk(const Chunk& chunk, int64_t mint, int64_t maxt, std::vector<int64_t>* ts,
                          std::vector<double>* vs, bool* may_have_stale);

}  // namespace meridian::storage
