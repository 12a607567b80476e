#pragma once
// meta.json of a block: Prometheus's BlockMeta plus the "thanos" section Thanos components add
// (external labels, downsampling resolution, source, file list). Field names follow
// prometheus tsdb/block.go and thanos pkg/block/metadata/meta.go exactly.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "model/status.h"
#include "tsdb/ulid.h"

namespace meridian::tsdb {

inline constexpr std::string_view kMetaFilename = "meta.json";

struct BlockStats {
  uint64_t num_samples = 0;
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  uint64_t num_tombstones = 0;
};

struct BlockParent {
  Ulid ulid;
  int64_t min_time = 0;
  int64_t max_time = 0;
};

struct BlockCompaction {
  int level = 1;
  std::vector<Ulid> sources;
  std::vector<BlockParent> parents;
  bool deletable = false;
  bool failed = false;
};

struct ThanosFile {
  std::string rel_path;
  int64_t size_bytes = 0;  // 0: unknown (Thanos omits it for meta.json)
};

struct ThanosIndexStats {
  int64_t series_max_size = 0;
  int64_t chunk_max_size = 0;
};

struct ThanosMeta {
  int version = 1;
  Labels labels;                       // external labels of the producer
  int64_t downsample_resolution = 0;   // ms; 0 = raw data
  std::string source;                  // "sidecar", "compactor", "receive", ...
  std::vector<std::string> segment_files;  // deprecated by files, still written
  std::vector<ThanosFile> files;           // sorted by rel_path
  std::optional<ThanosIndexStats> index_stats;
};

struct BlockMeta {
  Ulid ulid;
  int64_t min_time = 0;  // ms, inclusive
  int64_t max_time = 0;  // ms, exclusive (last sample + 1)
  BlockStats stats;
  BlockCompaction compaction;
  int version = 1;
  std::optional<ThanosMeta> thanos;  // absent in plain Prometheus blocks
};

StatusOr<BlockMeta> ParseBlockMeta(std::string_view json);
// Tab-indented like Go's encoder, so files diff cleanly against Thanos-written ones.
std::string SerializeBlockMeta(const BlockMeta& meta);

StatusOr<BlockMeta> ReadBlockMetaFile(const std::string& block_dir);
// Writes through a temporary file and rename, so readers never see a partial meta.json.
Status WriteBlockMetaFile(const std::string& block_dir, const BlockMeta& meta);

}  // namespace meridian::tsdb
