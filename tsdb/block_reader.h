#pragma once
// An opened block: meta.json, index, chunk segments and tombstones, each verified on open.
// A block is immutable, so one instance serves any number of concurrent queriers.

#include <memory>
#include <string>

#include "model/status.h"
#include "storage/storage.h"
#include "tsdb/block_meta.h"
#include "tsdb/chunks/segment_reader.h"
#include "tsdb/index/index_reader.h"
#include "tsdb/tombstones.h"

namespace meridian::tsdb {

class BlockReader : public storage::Queryable,
                    public std::enable_shared_from_this<BlockReader> {
 public:
  // Opens the block directory `dir` (".../<ULID>"). Errors name the block and the file.
  static StatusOr<std::shared_ptr<BlockReader>> Open(const std::string& dir);
  // Assembles a block from parts read elsewhere (e.g. an index-header and bucket reads).
  static std::shared_ptr<BlockReader> FromParts(BlockMeta meta,
                                                std::unique_ptr<index::IndexReader> index,
                                                std::unique_ptr<chunks::ChunkReader> chunks,
                                                Tombstones tombstones);

  const BlockMeta& meta() const { return meta_; }
  const index::IndexReader& index() const { return *index_; }
  const chunks::ChunkReader& chunks() const { return *chunks_; }
  const Tombstones& tombstones() const { return tombstones_; }
  // "block <ULID>", the prefix of every error this block reports.
  std::string name() const { return "block " + meta_.ulid.ToString(); }

  // Reads [mint, maxt] (ms, inclusive). The querier keeps the block alive.
  std::unique_ptr<storage::Querier> NewQuerier(int64_t mint, int64_t maxt) override;

 private:
  BlockReader() = default;
  BlockMeta meta_;
  std::unique_ptr<index::IndexReader> index_;
  std::unique_ptr<chunks::ChunkReader> chunks_;
  Tombstones tombstones_;
};

}  // namespace meridian::tsdb
