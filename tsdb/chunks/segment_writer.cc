#include "tsdb/chunks/segment_writer.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "tsdb/crc32c.h"
#include "tsdb/encoding.h"

namespace meridian::tsdb::chunks {

StatusOr<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(std::string chunks_dir,
                                                               uint64_t segment_size) {
  std::error_code ec;
  std::filesystem::create_directories(chunks_dir, ec);
  if (ec) return UnavailableError("create " + chunks_dir + ": " + ec.message());
  if (segment_size <= kSegmentHeaderSize || segment_size > (1ull << 32)) {
    return BadData("segment size must be in (8, 4GiB], got " + std::to_string(segment_size));
  }
  return std::unique_ptr<SegmentWriter>(new SegmentWriter(std::move(chunks_dir), segment_size));
}

SegmentWriter::~SegmentWriter() {
  if (f_) std::fclose(f_);
}

Status SegmentWriter::Write(std::string_view b) {
  if (std::fwrite(b.data(), 1, b.size(), f_) != b.size()) {
    return UnavailableError("write " + dir_ + "/" + files_.back() + ": " + std::strerror(errno));
  }
  pos_ += b.size();
  return Status::Ok();
}

Status SegmentWriter::Cut() {
  if (f_) {
    Status s = Close();
    if (!s.ok()) return s;
  }
  files_.push_back(SegmentFileName(files_.size()));
  std::string path = dir_ + "/" + files_.back();
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) return UnavailableError("create " + path + ": " + std::strerror(errno));
  pos_ = 0;
  Encbuf h;
  h.PutBE32(kSegmentMagic);
  h.PutByte(kSegmentFormatV1);
  h.PutBytes(std::string_view("\0\0\0", 3));
  return Write(h.bytes());
}

StatusOr<uint64_t> SegmentWriter::WriteChunk(uint8_t disk_encoding, std::string_view data) {
  Encbuf rec;
  rec.PutUvarint(data.size());
  size_t crc_from = rec.size();
  rec.PutByte(disk_encoding);
  rec.PutBytes(data);
  rec.PutCrc32cOf(crc_from);
  if (rec.size() + kSegmentHeaderSize > segment_size_) {
    return BadData("chunk of " + std::to_string(data.size()) +
                   " bytes does not fit in a segment of " + std::to_string(segment_size_));
  }
  if (!f_ || pos_ + rec.size() > segment_size_) {
    Status s = Cut();
    if (!s.ok()) return s;
  }
  uint64_t ref = PackChunkRef(files_.size() - 1, pos_);
  Status s = Write(rec.bytes());
  if (!s.ok()) return s;
  max_record_ = std::max<uint64_t>(max_record_, rec.size());
  return ref;
}

Status SegmentWriter::Close() {
  if (!f_) return Status::Ok();
  std::FILE* f = f_;
  f_ = nullptr;
  if (std::fflush(f) != 0 || std::fclose(f) != 0) {
    return UnavailableError("close " + dir_ + "/" + files_.back() + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace meridian::tsdb::chunks
