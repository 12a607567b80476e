#include "storage/aggregate_decoder.h"
#include "storage/series_decoder.h"
#include "storage/storage.h"

namespace meridian::storage {

namespace {

class StatusSet final : public SeriesSet {
 public:
  StatusSet(Status s, std::vector<std::string> w) : status_(std::move(s)), warnings_(std::move(w)) {}
  bool Next() override { return false; }
  Series& At() override { return empty_; }
  Status status() const override { return status_; }
  std::vector<std::string> Warnings() const override { return warnings_; }

 private:
  Status status_;
  std::vector<std::string> warnings_;
  Series empty_;
};

}  // namespace

std::unique_ptr<SeriesSet> EmptySet(Status status, std::vector<std::string> warnings) {
  return std::make_unique<StatusSet>(std::move(status), std::move(warnings));
}

Status SeriesSet::DecodeCurrent(int64_t mint, int64_t maxt, AggregateRead read, std::vector<int64_t>* ts,
                                std::vector<double>* vs, AggregateDecodeInfo* info) {
  const Series& s = At();
  if (HasAggregateChunks(s, mint, maxt)) return DecodeSeriesAs(s, read, mint, maxt, ts, vs, info);
  return DecodeSeries(s, mint, maxt, ts, vs);
}

}  // namespace meridian::storage
