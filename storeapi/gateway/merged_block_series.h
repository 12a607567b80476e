#pragma once
// Merges the sorted series of several blocks into one sorted set.
//
// Series with equal labels (after external labels and replica-label removal) coming from
// blocks of the same external label set are one series split over time: their chunks are
// joined in time order. Equal series from blocks of different label sets (HA replicas once
// the replica label is dropped) stay separate, consecutive series, so the querier can tell
// the replicas apart and deduplicate them.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "model/labels.h"
#include "storage/storage.h"
#include "storeapi/store.h"

namespace meridian::storeapi::gateway {

struct MergeSource {
  std::unique_ptr<storage::SeriesSet> set;
  std::string group;  // blocks with the same group join chunks
  std::string name;   // "block <ULID>", for errors
  std::shared_ptr<const void> keep_alive;  // what the set reads from
};

struct MergeOptions {
  int64_t limit = 0;  // 0: no limit on the number of series
  // --store.limits.request-series: more series than this fails the call with Thanos's
  // "exceeded series limit" error (0: no limit). Unlike `limit`, which asks for the first
  // series only, this protects the store from a request it should not answer at all.
  int64_t series_limit = 0;
  int fetch_concurrency = 8;  // blocks opened at once for the first series
};

class MergedBlockSeries final : public storage::SeriesSet {
 public:
  MergedBlockSeries(std::vector<MergeSource> sources, MergeOptions opts, CallContext ctx);

  bool Next() override;
  storage::Series& At() override { return pending_[next_pending_ - 1]; }
  Status status() const override { return status_; }
  std::vector<std::string> Warnings() const override { return warnings_; }
  void Cancel() override;

 private:
  struct Head {
    MergeSource src;
    bool valid = false;
    bool done = false;
    storage::Series series;
  };
  // Pulls the next series of one head; touches nothing but *h, so heads can be fetched in
  // parallel (each block's first pull does its bucket reads).
  static void Fetch(Head* h);
  // Takes over a finished head's warnings and error; false on error.
  bool Absorb(Head* h);
  bool Advance(Head* h) {
    Fetch(h);
    return Absorb(h);
  }
  void FetchAllInParallel();
  bool Refill();  // builds the next partitions of the smallest label set into pending_

  std::vector<Head> heads_;
  MergeOptions opts_;
  CallContext ctx_;
  std::atomic<bool> cancelled_{false};
  bool started_ = false;
  std::vector<storage::Series> pending_;
  size_t next_pending_ = 0;
  std::vector<std::string> warnings_;
  int64_t emitted_ = 0;
  Status status_;
};

}  // namespace meridian::storeapi::gateway
