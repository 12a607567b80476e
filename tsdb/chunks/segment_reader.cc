#include "tsdb/chunks/segment_reader.h"

#include <algorithm>
#include <filesystem>

#include "tsdb/chunks/chunk_format.h"
#include "tsdb/crc32c.h"
#include "tsdb/encoding.h"

namespace meridian::tsdb::chunks {

StatusOr<std::unique_ptr<SegmentReader>> SegmentReader::Open(
    std::vector<std::unique_ptr<ByteSource>> segments) {
  for (const auto& s : segments) {
    std::string scratch;
    auto h = s->Read(0, kSegmentHeaderSize, &scratch);
    if (!h.ok()) return CorruptError(s->name() + ": segment header: file too short");
    uint32_t magic = ReadBE32(h->data());
    if (magic != kSegmentMagic) {
      return CorruptError(s->name() + ": invalid magic number " + std::to_string(magic));
    }
    uint8_t version = static_cast<uint8_t>((*h)[4]);
    if (version != kSegmentFormatV1) {
      return CorruptError(s->name() + ": unsupported segment format version " +
                          std::to_string(version));
    }
  }
  return std::unique_ptr<SegmentReader>(new SegmentReader(std::move(segments)));
}

StatusOr<std::unique_ptr<SegmentReader>> SegmentReader::OpenDir(const std::string& chunks_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(chunks_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) names.push_back(it->path().filename().string());
  }
  if (ec) return NotFoundError("list " + chunks_dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  std::vector<std::unique_ptr<ByteSource>> sources;
  for (const auto& n : names) {
    auto s = OpenFileByteSource(chunks_dir + "/" + n, "chunks/" + n);
    if (!s.ok()) return s.status();
    sources.push_back(std::move(*s));
  }
  return Open(std::move(sources));
}

StatusOr<storage::Chunk> SegmentReader::Read(uint64_t ref, int64_t min_time,
                                             int64_t max_time) const {
  uint32_t seg = ChunkRefSegment(ref);
  uint64_t off = ChunkRefOffset(ref);
  if (seg >= segments_.size()) {
    return CorruptError("chunk ref " + std::to_string(ref) + " names segment " +
                        std::to_string(seg) + " but the block has " +
                        std::to_string(segments_.size()));
  }
  const ByteSource& src = *segments_[seg];
  auto where = [&] { return src.name() + ": chunk at offset " + std::to_string(off); };
  if (off < kSegmentHeaderSize || off >= src.Size()) {
    return CorruptError(where() + ": offset outside the segment (" + std::to_string(src.Size()) +
                        " bytes)");
  }
  std::string scratch;
  uint64_t head_len = std::min<uint64_t>(kMaxChunkLengthFieldSize, src.Size() - off);
  auto head = src.Read(off, head_len, &scratch);
  if (!head.ok()) return head.status();
  Decbuf d(*head);
  uint64_t data_len = d.Uvarint64();
  if (d.err()) return CorruptError(where() + ": length: " + d.err_msg());
  uint64_t len_size = head_len - d.Len();
  uint64_t body_off = off + len_size;  // encoding byte, data, CRC
  if (data_len > src.Size() || body_off + 1 + data_len + kChunkCrcSize > src.Size()) {
    return CorruptError(where() + ": chunk of " + std::to_string(data_len) +
                        " bytes runs past the end of the segment");
  }
  std::string scratch2;
  auto body = src.Read(body_off, 1 + data_len + kChunkCrcSize, &scratch2);
  if (!body.ok()) return body.status();
  uint32_t want = ReadBE32(body->data() + 1 + data_len);
  if (Crc32c(body->substr(0, 1 + data_len)) != want) {
    src.Invalidate(off, len_size + 1 + data_len + kChunkCrcSize);
    return CorruptError(where() + ": checksum mismatch");
  }
  uint8_t enc = static_cast<uint8_t>((*body)[0]);
  auto kind = FromDiskEncoding(enc);
  if (!kind) {
    return ExecutionError(where() + ": chunk encoding " + DiskEncodingName(enc) +
                          " is not supported by Meridian yet");
  }
  storage::Chunk c;
  c.min_time = min_time;
  c.max_time = max_time;
  c.encoding = *kind;
  c.data = std::make_shared<const std::string>(body->substr(1, data_len));
  return c;
}

}  // namespace meridian::tsdb::chunks
