#pragma once
// Thanos's downsampled chunk body (pkg/compact/downsample/aggr.go, "AggrChunk"), the data of a
// chunk-file entry whose encoding byte is 0xff. It holds five entries, always in the order
// count, sum, min, max, counter:
//
//   absent entry:  uvarint(0)                       (a single 0x00 byte, no encoding byte)
//   present entry: uvarint(L) | encoding byte | L bytes of sub-chunk data
//
// L counts the data only. Float series store five XOR sub-chunks (encoding 0x01); native
// histogram series store count as XOR, sum and counter as float histograms (0x03) and leave
// min and max absent.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace meridian::chunkenc {

// Index of an entry in the body; the numbering is Thanos's AggrType (the StoreAPI enum
// storepb.Aggr is the same list shifted by one, with RAW = 0).
enum class AggrType : uint8_t { kCount = 0, kSum = 1, kMin = 2, kMax = 3, kCounter = 4 };

inline constexpr size_t kAggrTypeCount = 5;
inline constexpr std::array<AggrType, kAggrTypeCount> kAllAggrTypes = {
    AggrType::kCount, AggrType::kSum, AggrType::kMin, AggrType::kMax, AggrType::kCounter};

// "count", "sum", "min", "max", "counter": Thanos's AggrType.String(), which also appears in its
// error texts (e.g. "aggregate max does not exist").
const char* AggrTypeName(AggrType t);

// On-disk sub-chunk encoding bytes (the Prometheus chunkenc numbers).
inline constexpr uint8_t kAggrSubChunkXOR = 1;
inline constexpr uint8_t kAggrSubChunkHistogram = 2;
inline constexpr uint8_t kAggrSubChunkFloatHistogram = 3;

struct AggrSubChunk {
  uint8_t encoding = kAggrSubChunkXOR;
  std::string data;  // the sub-chunk bytes, e.g. a whole XOR chunk including its sample count

  bool operator==(const AggrSubChunk&) const = default;
};

// One optional sub-chunk per AggrType, indexed by static_cast<size_t>(AggrType).
struct AggrParts {
  std::array<std::optional<AggrSubChunk>, kAggrTypeCount> entries;

  std::optional<AggrSubChunk>& operator[](AggrType t) { return entries[static_cast<size_t>(t)]; }
  const std::optional<AggrSubChunk>& operator[](AggrType t) const {
    return entries[static_cast<size_t>(t)];
  }
  bool operator==(const AggrParts&) const = default;
};

// Splits a body into its five entries. Corrupt when a length varint is bad (unterminated, or
// longer than Go's 10-byte limit), an entry runs past the end, or bytes follow the fifth entry.
// Never reads outside `body`. Stricter than Thanos's reader, which ignores trailing bytes (and,
// derived from its size check, reports "invalid size" rather than "does not exist" for an absent
// entry that is the very last byte): a body accepted here is rebuilt byte for byte by
// EncodeAggrChunk, given minimal length varints, which is all Thanos writes.
StatusOr<AggrParts> ParseAggrChunk(std::string_view body);

// The body for `parts`. An entry present with empty data cannot be told from an absent one on
// disk; it is written as absent (Thanos's #5272 is about such empty chunks in blocks).
std::string EncodeAggrChunk(const AggrParts& parts);

// Appends the samples of one XOR sub-chunk to *ts / *vs. A histogram sub-chunk is an
// ExecutionError (Meridian does not decode native histograms yet), any other encoding and bad
// XOR data are Corrupt. On error both vectors are left as they were.
Status DecodeAggrSubChunk(const AggrSubChunk& sub, std::vector<int64_t>* ts, std::vector<double>* vs);

}  // namespace meridian::chunkenc
