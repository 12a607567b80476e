#pragma once
// The interface the PromQL engine reads through. Every data source (in-memory test store,
// store-gateway over blocks, the querier's fan-out over StoreAPI endpoints) implements it.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "model/status.h"
#include "storage/aggregate_read.h"
#include "storage/chunk.h"
#include "storage/select_hints.h"

namespace meridian::storage {

// One series of a selection: its labels and its chunks sorted by min_time. Chunks may overlap
// (the same series from several blocks or stores); readers merge by timestamp and keep the
// first sample of a duplicate timestamp.
struct Series {
  Labels labels;
  std::vector<Chunk> chunks;
};

// A stream of series sorted by labels (when sorting was asked for). Pull-based so a store can
// stream from the network or disk without holding every series at once.
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  // Advances; false at the end or on error (check status()).
  virtual bool Next() = 0;
  // Valid after Next() returned true, until the next call to Next(). A reader that has no
  // further use for the current series (no DecodeCurrent) may move its parts out.
  virtual Series& At() = 0;
  virtual Status status() const = 0;
  // Non-fatal problems (e.g. a store that failed under partial response). Complete once
  // Next() returned false.
  virtual std::vector<std::string> Warnings() const { return {}; }
  // Asks a producer that works on another thread (a remote stream, a store read) to stop
  // early; Next() then returns false soon with a canceled status. Thread-safe.
  virtual void Cancel() {}
  // Decodes the current series' samples with mint <= t <= maxt, appending to *ts / *vs in
  // timestamp order. A series without downsampled chunks there is decoded as DecodeSeries
  // does, merging overlapping chunks by timestamp; one with downsampled chunks reads `read`
  // from them (DecodeSeriesAs, storage/aggregate_decoder.h) and fills *info when given. A set
  // that combines chunks differently (the querier's HA deduplication) overrides it. Readers
  // decode through this, never by calling DecodeSeries on At() themselves.
  virtual Status DecodeCurrent(int64_t mint, int64_t maxt, AggregateRead read, std::vector<int64_t>* ts,
                               std::vector<double>* vs, AggregateDecodeInfo* info);
  // The same, averaging downsampled windows (what a plain read of a series means).
  Status DecodeCurrent(int64_t mint, int64_t maxt, std::vector<int64_t>* ts, std::vector<double>* vs) {
    return DecodeCurrent(mint, maxt, AggregateRead::kAverage, ts, vs, nullptr);
  }
};

// A set without series that ends with `status` (OK: simply empty) and `warnings`.
std::unique_ptr<SeriesSet> EmptySet(Status status = Status::Ok(), std::vector<std::string> warnings = {});

// Reads over one time range [mint, maxt] (ms, inclusive).
class Querier {
 public:
  virtual ~Querier() = default;
  virtual std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints& hints,
                                            const Matchers& matchers) = 0;
  virtual StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) = 0;
  virtual StatusOr<std::vector<std::string>> LabelValues(const std::string& name,
                                                         const Matchers& matchers) = 0;
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  virtual std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt) = 0;
};

}  // namespace meridian::storage
