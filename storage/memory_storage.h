#pragma once
// An in-memory storage::Queryable for tests and the PromQL corpus runner. Series are kept as
// real XOR chunks cut every 120 samples, as Prometheus's head does, so readers exercise the
// same decode path as for blocks and StoreAPI data.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/histogram.h"
#include "model/labels.h"
#include "model/status.h"
#include "storage/storage.h"

namespace meridian::storage {

class MemoryStorage : public Queryable {
 public:
  static constexpr int kSamplesPerChunk = 120;

  MemoryStorage();
  ~MemoryStorage() override;  // Queriers from NewQuerier must not outlive the storage.

  // Labels with an empty value are dropped (Prometheus treats them as absent); a label set
  // that ends up empty is kBadData.
  // Appending in timestamp order is the fast path. An older timestamp is accepted too (the
  // series' chunks are rebuilt), as the test language may load a series in several commands.
  // A second sample at an existing timestamp replaces nothing: same value is a no-op, another
  // value is kBadData "duplicate sample for timestamp". Float and histogram samples of one
  // series may alternate (a new chunk is cut on each switch).
  Status Append(const Labels& labels, int64_t t, double v);
  // Stored in kFloatHistogram chunks with a Meridian-private serialization until histogram
  // chunks are implemented; readers report "native histograms are not supported yet".
  Status AppendHistogram(const Labels& labels, int64_t t, const FloatHistogram& h);

  // Drops everything (the test language's `clear`).
  void Clear();

  size_t NumSeries() const;

  std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt) override;

  struct StoredSeries;  // implementation detail, public for the querier in the .cc

 private:
  StoredSeries* GetOrCreate(const Labels& labels);

  mutable std::mutex mu_;
  // Sorted by labels so Select can stream in order without sorting.
  std::map<Labels, std::unique_ptr<StoredSeries>> series_;
};

}  // namespace meridian::storage
