#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum every Prometheus TSDB
// file uses. Software slice-by-8: fast enough that verifying every section on read is cheap.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace meridian::tsdb {

// Continues a running checksum; start with crc = 0. Crc32c(a+b) == Crc32cExtend(Crc32c(a), b).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }

}  // namespace meridian::tsdb
