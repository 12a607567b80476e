#include "tsdb/chunks/chunk_format.h"

#include <cstdio>

namespace meridian::tsdb::chunks {

std::optional<storage::ChunkEncoding> FromDiskEncoding(uint8_t enc) {
  switch (enc) {
    case kEncXOR: return storage::ChunkEncoding::kXOR;
    case kEncThanosAggregate: return storage::ChunkEncoding::kAggregate;
    default: return std::nullopt;
  }
}

uint8_t ToDiskEncoding(storage::ChunkEncoding enc) {
  switch (enc) {
    case storage::ChunkEncoding::kXOR: return kEncXOR;
    case storage::ChunkEncoding::kHistogram: return kEncHistogram;
    case storage::ChunkEncoding::kFloatHistogram: return kEncFloatHistogram;
    case storage::ChunkEncoding::kAggregate: return kEncThanosAggregate;
  }
  return 0;
}

std::string DiskEncodingName(uint8_t enc) {
  switch (enc) {
    case 0: return "none (0)";
    case kEncXOR: return "XOR (1)";
    case kEncHistogram: return "histogram (2)";
    case kEncFloatHistogram: return "float histogram (3)";
    case kEncThanosAggregate: return "Thanos aggregate (255)";
    default: return "unknown (" + std::to_string(enc) + ")";
  }
}

std::string SegmentFileName(uint64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%06llu", static_cast<unsigned long long>(index + 1));
  return buf;
}

}  // namespace meridian::tsdb::chunks
