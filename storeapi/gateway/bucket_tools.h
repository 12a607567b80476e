#pragma once
// `meridian tools bucket ls|inspect|verify`: what is in a bucket of blocks, and whether each
// block is intact (checksums of every index section, series entry and chunk, chunk
// references, series order, time ranges, meta.json statistics).

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "model/status.h"
#include "objstore/bucket.h"
#include "tsdb/block_meta.h"

namespace meridian::storeapi::gateway {

struct BlockListing {
  std::string ulid;
  std::optional<tsdb::BlockMeta> meta;  // absent when meta.json is missing or unreadable
  Status meta_status;                   // why meta is absent
  bool deletion_marked = false;
  bool no_compact_marked = false;
  bool no_downsample_marked = false;
  uint64_t index_size = 0;
  uint64_t chunks_size = 0;
  int files = 0;
};

// Every block directory of the bucket, sorted by ULID (one listing of each block).
StatusOr<std::vector<BlockListing>> ListBlocks(objstore::Bucket& bucket);

// One line per block: ULID, time range, duration, resolution, level, source, sizes, labels.
void PrintBlockList(const std::vector<BlockListing>& blocks, std::ostream& out);
// A table with the meta.json statistics as well (series, samples, chunks).
void PrintBlockInspect(const std::vector<BlockListing>& blocks, std::ostream& out);

// Problems found in one block; empty when it is intact.
std::vector<std::string> VerifyBlock(objstore::Bucket& bucket, const BlockListing& block);

}  // namespace meridian::storeapi::gateway
