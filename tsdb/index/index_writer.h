#pragma once
// Encodes an index file in format v2: symbols, 16-byte aligned series, label indices (still
// written for older readers), postings including the all-series key ""="", the label and
// postings offset tables and the TOC, each section with its CRC32C.

#include <cstdint>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/status.h"
#include "tsdb/index/index_reader.h"

namespace meridian::tsdb::index {

struct IndexSeries {
  Labels labels;
  std::vector<ChunkMeta> chunks;  // sorted by min_time
};

struct EncodedIndex {
  std::string bytes;
  uint64_t series_max_size = 0;  // largest series entry, for Thanos's index_stats
};

// `series` must be sorted by labels with no duplicates, every label set non-empty.
StatusOr<EncodedIndex> EncodeIndex(const std::vector<IndexSeries>& series);

}  // namespace meridian::tsdb::index
