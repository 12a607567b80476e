#pragma once
// The store-gateway: serves the StoreAPI over the TSDB blocks of an object-storage bucket.
//
// Sync() lists the bucket and keeps the set of served blocks in step with it: blocks with a
// meta.json appear, blocks that are gone or carry a deletion-mark.json disappear, partially
// uploaded blocks (no meta.json yet) are ignored. Each block keeps only an index-header in
// the data dir; postings, series and chunks are read with ranged GETs through byte-bounded
// caches. A block that fails to load (corrupt meta.json, index or chunk file) is logged and
// skipped while the other blocks are served; a block that fails while being read fails the
// Series call with an error naming it.

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "objstore/bucket.h"
#include "storeapi/gateway/bucket_block.h"
#include "storeapi/store.h"

namespace meridian::storeapi::gateway {

struct BucketStoreOptions {
  std::string name = "bucket-store";
  std::string data_dir;                        // index-headers live in <data_dir>/<ULID>/
  uint64_t index_cache_bytes = 250ull << 20;   // postings and series pages
  uint64_t chunk_cache_bytes = 250ull << 20;   // chunk pages
  int64_t series_limit = 0;                     // --store.limits.request-series (0: no limit)
  BucketBlockOptions block;
  // Time-based sharding (--min-time/--max-time): only blocks overlapping [min_time, max_time)
  // are loaded, and only samples inside it are served; Info reports the range.
  int64_t min_time = std::numeric_limits<int64_t>::min();
  int64_t max_time = std::numeric_limits<int64_t>::max();
  // Label-based sharding (--selector.relabel-config): blocks whose meta this rejects are not
  // loaded. Decided once per block, when it is first seen.
  std::function<bool(const tsdb::BlockMeta&)> keep;
};

struct BucketStoreStats {
  size_t blocks_loaded = 0;
  size_t blocks_failed = 0;  // listed blocks that could not be loaded in the last sync
  uint64_t syncs = 0;
  uint64_t sync_failures = 0;
  uint64_t bucket_requests = 0;  // ranged GETs of index and chunk data
  uint64_t bucket_bytes = 0;
  ByteCacheStats index_cache;
  ByteCacheStats chunk_cache;
  uint64_t index_bytes_served = 0;  // sum of the index sizes of loaded blocks
};

class BucketStore final : public Store {
 public:
  static StatusOr<std::shared_ptr<BucketStore>> New(std::shared_ptr<objstore::Bucket> bucket,
                                                    BucketStoreOptions opts);

  // One sync with the bucket. Fails only when the bucket cannot be listed; problems of single
  // blocks are logged and reported by BlockErrors().
  Status Sync();
  bool synced() const { return synced_.load(); }
  // Synced, and serving something unless the bucket is empty: a store whose every block failed
  // to load (an unreadable data dir, a broken bucket) is not ready for queries.
  bool ready() const;

  std::vector<std::shared_ptr<BucketBlock>> Blocks() const;
  // ULID -> why the block is not served, from the last sync.
  std::map<std::string, Status> BlockErrors() const;
  BucketStoreStats stats() const;

  std::string Name() const override { return opts_.name; }
  StatusOr<thanos::info::InfoResponse> Info(const CallContext& ctx) override;
  std::unique_ptr<SeriesStream> Series(const thanos::SeriesRequest& req, const CallContext& ctx) override;
  std::unique_ptr<storage::SeriesSet> Select(const SelectRequest& req, const CallContext& ctx) override;
  StatusOr<thanos::LabelNamesResponse> LabelNames(const thanos::LabelNamesRequest& req,
                                                  const CallContext& ctx) override;
  StatusOr<thanos::LabelValuesResponse> LabelValues(const thanos::LabelValuesRequest& req,
                                                    const CallContext& ctx) override;

 private:
  BucketStore(std::shared_ptr<objstore::Bucket> bucket, BucketStoreOptions opts);
  // A block and the part of a request it answers.
  struct BlockRead {
    std::shared_ptr<BucketBlock> block;
    int64_t mint = 0;
    int64_t maxt = 0;
  };
  // Blocks overlapping [mint, maxt] whose external labels the matchers accept: per group the
  // coarsest resolution <= max_resolution with gaps filled by finer ones (Thanos's getFor), and
  // time still without data by coarser ones up to fill_resolution (block_selection.h).
  std::vector<BlockRead> SelectBlocks(int64_t mint, int64_t maxt, int64_t max_resolution, int64_t fill_resolution,
                                      const Matchers& matchers) const;
  // `*partial`: no meta.json yet; `*excluded`: the shard filters reject the block.
  StatusOr<std::shared_ptr<BucketBlock>> LoadBlock(const std::string& ulid, bool* partial, bool* excluded);

  std::shared_ptr<objstore::Bucket> bucket_;
  BucketStoreOptions opts_;
  BlockReadEnv env_;
  std::mutex sync_mu_;  // one Sync at a time
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<BucketBlock>> blocks_;  // by ULID
  std::set<std::string> hidden_;
  std::set<std::string> excluded_;  // blocks of other shards, never loaded (guarded by sync_mu_)  // loaded but not served: another block holds all their data
  std::map<std::string, Status> errors_;
  std::atomic<bool> synced_{false};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> sync_failures_{0};
};

}  // namespace meridian::storeapi::gateway
