#include "tsdb/block_reader.h"

#include <filesystem>

#include "tsdb/block_querier.h"

namespace meridian::tsdb {

StatusOr<std::shared_ptr<BlockReader>> BlockReader::Open(const std::string& dir) {
  std::string dir_name = std::filesystem::path(dir).filename().string();
  if (dir_name.empty()) dir_name = std::filesystem::path(dir).parent_path().filename().string();
  auto fail = [&](const Status& s, const std::string& file) {
    return s.Wrap("block " + dir_name + ": " + file);
  };
  auto meta = ReadBlockMetaFile(dir);
  if (!meta.ok()) return meta.status().Wrap("block " + dir_name);
  auto idx_src = OpenFileByteSource(dir + "/index", "index");
  if (!idx_src.ok()) return fail(idx_src.status(), "index");
  auto idx = index::IndexReader::Open(std::move(*idx_src));
  if (!idx.ok()) return idx.status().Wrap("block " + dir_name);
  auto chk = chunks::SegmentReader::OpenDir(dir + "/chunks");
  if (!chk.ok()) return chk.status().Wrap("block " + dir_name);
  auto tomb = ReadTombstonesFile(dir);
  if (!tomb.ok()) return tomb.status().Wrap("block " + dir_name);
  return FromParts(std::move(*meta), std::move(*idx), std::move(*chk), std::move(*tomb));
}

std::shared_ptr<BlockReader> BlockReader::FromParts(BlockMeta meta,
                                                    std::unique_ptr<index::IndexReader> index,
                                                    std::unique_ptr<chunks::ChunkReader> chunks,
                                                    Tombstones tombstones) {
  std::shared_ptr<BlockReader> b(new BlockReader());
  b->meta_ = std::move(meta);
  b->index_ = std::move(index);
  b->chunks_ = std::move(chunks);
  b->tombstones_ = std::move(tombstones);
  return b;
}

std::unique_ptr<storage::Querier> BlockReader::NewQuerier(int64_t mint, int64_t maxt) {
  return std::make_unique<BlockQuerier>(shared_from_this(), mint, maxt);
}

}  // namespace meridian::tsdb
