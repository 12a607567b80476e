#pragma once
// Constants of the index file format (Prometheus tsdb/docs/format/index.md), shared by the
// index reader and writer.

#include <cstdint>

namespace meridian::tsdb::index {

inline constexpr uint32_t kIndexMagic = 0xBAAAD700;
inline constexpr uint8_t kIndexFormatV1 = 1;
inline constexpr uint8_t kIndexFormatV2 = 2;
inline constexpr uint64_t kIndexHeaderSize = 5;  // magic + version
inline constexpr uint64_t kTocSize = 6 * 8 + 4;  // six offsets + CRC32C
// In v2, series entries start at multiples of 16 and a series ID is its offset / 16.
inline constexpr uint64_t kSeriesAlignment = 16;

}  // namespace meridian::tsdb::index
