#pragma once
// Constants and the on-disk encoding numbers of chunk segment files (Prometheus
// tsdb/docs/format/chunks.md). Shared by the segment reader and writer.

#include <cstdint>
#include <optional>
#include <string>

#include "storage/chunk.h"

namespace meridian::tsdb::chunks {

inline constexpr uint32_t kSegmentMagic = 0x85BD40DD;
inline constexpr uint8_t kSegmentFormatV1 = 1;
inline constexpr uint64_t kSegmentHeaderSize = 8;  // magic, version, 3 bytes padding
inline constexpr uint64_t kDefaultSegmentSize = 512ull << 20;
inline constexpr uint64_t kMaxChunkLengthFieldSize = 10;  // a uvarint64 at most
inline constexpr uint64_t kChunkCrcSize = 4;

// Encoding bytes as written by Prometheus's chunkenc; 0xff is Thanos's downsampled aggregate.
inline constexpr uint8_t kEncXOR = 1;
inline constexpr uint8_t kEncHistogram = 2;
inline constexpr uint8_t kEncFloatHistogram = 3;
inline constexpr uint8_t kEncThanosAggregate = 0xff;

// Maps an on-disk encoding byte to Meridian's enum; nullopt for encodings Meridian does not
// read yet (native histograms, newer Prometheus encodings), so they are reported, not misread.
std::optional<storage::ChunkEncoding> FromDiskEncoding(uint8_t enc);
uint8_t ToDiskEncoding(storage::ChunkEncoding enc);
std::string DiskEncodingName(uint8_t enc);

// ref = segment index (0-based position among the sorted segment files) << 32 | byte offset.
inline uint64_t PackChunkRef(uint64_t segment, uint64_t offset) { return segment << 32 | offset; }
inline uint32_t ChunkRefSegment(uint64_t ref) { return static_cast<uint32_t>(ref >> 32); }
inline uint32_t ChunkRefOffset(uint64_t ref) { return static_cast<uint32_t>(ref); }

// "000001" for segment index 0.
std::string SegmentFileName(uint64_t index);

}  // namespace meridian::tsdb::chunks
