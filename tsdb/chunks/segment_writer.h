#pragma once
// Writes chunk segment files (chunks/000001, ...) of a block, cutting a new file before one
// would exceed the segment size.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "tsdb/chunks/chunk_format.h"

namespace meridian::tsdb::chunks {

class SegmentWriter {
 public:
  // `chunks_dir` is created if missing.
  static StatusOr<std::unique_ptr<SegmentWriter>> Create(
      std::string chunks_dir, uint64_t segment_size = kDefaultSegmentSize);
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Appends one chunk and returns its reference.
  StatusOr<uint64_t> WriteChunk(uint8_t disk_encoding, std::string_view data);
  // Flushes and closes the current segment. No writes afterwards.
  Status Close();

  // Segment file names written so far ("000001", ...), in order.
  const std::vector<std::string>& segment_files() const { return files_; }
  // Bytes of the largest chunk record written (length field + encoding + data + CRC).
  uint64_t max_chunk_record_size() const { return max_record_; }

 private:
  SegmentWriter(std::string dir, uint64_t segment_size)
      : dir_(std::move(dir)), segment_size_(segment_size) {}
  Status Cut();
  Status Write(std::string_view b);

  std::string dir_;
  uint64_t segment_size_;
  std::FILE* f_ = nullptr;
  uint64_t pos_ = 0;  // bytes in the current segment
  std::vector<std::string> files_;
  uint64_t max_record_ = 0;
};

}  // namespace meridian::tsdb::chunks
