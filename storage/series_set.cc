#include "storage/series_decoder.h"
#include "storage/storage.h"

namespace meridian::storage {

Status SeriesSet::DecodeCurrent(int64_t mint, int64_t maxt, std::vector<int64_t>* ts, std::vector<double>* vs) {
  return DecodeSeries(At(), mint, maxt, ts, vs);
}

}  // namespace meridian::storage
