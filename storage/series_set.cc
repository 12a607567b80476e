#include "storage/aggregate_decoder.h"
#include "storage/series_decoder.h"
#include "storage/storage.h"

namespace meridian::storage {

Status SeriesSet::DecodeCurrent(int64_t mint, int64_t maxt, AggregateRead read, std::vector<int64_t>* ts,
                                std::vector<double>* vs, AggregateDecodeInfo* info) {
  const Series& s = At();
  if (HasAggregateChunks(s, mint, maxt)) return DecodeSeriesAs(s, read, mint, maxt, ts, vs, info);
  return DecodeSeries(s, mint, maxt, ts, vs);
}

}  // namespace meridian::storage
