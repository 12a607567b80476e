#pragma once
// One block of the bucket as the store-gateway serves it: its meta, an index reader over the
// remote index file (header regions local, the rest through ranged GETs) and a segment reader
// over the remote chunk files, exposed as a StoreAPI Store with the block's external labels.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/labels.h"
#include "objstore/bucket.h"
#include "storeapi/gateway/bucket_byte_source.h"
#include "storeapi/gateway/byte_cache.h"
#include "storeapi/store.h"
#include "tsdb/block_meta.h"
#include "tsdb/block_reader.h"

namespace meridian::storeapi::gateway {

struct BucketBlockOptions {
  RangeReadOptions index_reads;
  RangeReadOptions chunk_reads;
  // Guesses of entry sizes for prefetching; a longer entry is completed by a further read.
  uint64_t series_size_estimate = 1024;
  uint64_t chunk_size_estimate = 1024;
};

// The caches and counters every block of a store shares.
struct BlockReadEnv {
  std::shared_ptr<objstore::Bucket> bucket;
  std::shared_ptr<ByteCache> index_cache;  // pages of index files
  std::shared_ptr<ByteCache> chunk_cache;  // verified chunk bodies
  // Pages of chunk files on their way into chunk_cache: a prefetch stages a selection's
  // chunks here a round at a time, verifies them into chunk_cache, and drops the pages.
  std::shared_ptr<ByteCache> chunk_page_cache;
  std::shared_ptr<FetchCounters> counters;
  BucketBlockOptions options;
};

class BucketBlock {
 public:
  // Opens the block `meta` describes; `local_dir` holds its index-header (created if needed).
  // Errors name the block.
  static StatusOr<std::shared_ptr<BucketBlock>> Open(const BlockReadEnv& env, tsdb::BlockMeta meta,
                                                     const std::string& local_dir);

  const tsdb::BlockMeta& meta() const { return meta_; }
  std::string ulid() const { return meta_.ulid.ToString(); }
  const Labels& external_labels() const { return external_; }
  int64_t resolution() const { return meta_.thanos ? meta_.thanos->downsample_resolution : 0; }
  uint64_t index_size() const { return index_size_; }
  uint64_t chunks_size() const { return chunks_size_; }
  const std::string& local_dir() const { return local_dir_; }
  // The block's ids in the caches, to drop its entries when it leaves the bucket.
  const BlockObjects& cache_objects() const { return objects_; }

  // The block as a Store (external labels attached, time range of the block).
  Store& store() { return *store_; }
  const tsdb::BlockReader& reader() const { return *reader_; }

 private:
  explicit BucketBlock(BlockObjects objects) : objects_(objects) {}
  BlockObjects objects_;
  tsdb::BlockMeta meta_;
  Labels external_;
  uint64_t index_size_ = 0;
  uint64_t chunks_size_ = 0;
  std::string local_dir_;
  std::shared_ptr<tsdb::BlockReader> reader_;
  std::unique_ptr<Store> store_;
};

// The chunk segment objects of a block with their sizes, from meta.json's file list when it
// has one, else by listing <ULID>/chunks/.
StatusOr<std::vector<std::pair<std::string, uint64_t>>> ListSegments(objstore::Bucket& bucket,
                                                                      const tsdb::BlockMeta& meta);

}  // namespace meridian::storeapi::gateway
