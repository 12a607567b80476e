#include "storeapi/sidecar/chunked_frames.h"

#include "tsdb/crc32c.h"

namespace meridian::storeapi::sidecar {

namespace {

enum class VarintResult { kOk, kNeedMore, kOverflow };

VarintResult ReadUvarint(std::string_view in, uint64_t* value, size_t* len) {
  uint64_t v = 0;
  for (size_t i = 0; i < in.size() && i < 10; ++i) {
    uint8_t b = static_cast<uint8_t>(in[i]);
    if (i == 9 && b > 1) return VarintResult::kOverflow;
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *value = v;
      *len = i + 1;
      return VarintResult::kOk;
    }
  }
  return in.size() >= 10 ? VarintResult::kOverflow : VarintResult::kNeedMore;
}

}  // namespace

Status ChunkedFrameReader::Feed(std::string_view bytes) {
  buf_.append(bytes.data(), bytes.size());
  Status s = ParseBuffered();
  // Drop what was consumed once it dominates the buffer, so it stays about one frame long.
  if (pos_ > 0 && (pos_ == buf_.size() || pos_ > buf_.size() / 2)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return s;
}

Status ChunkedFrameReader::ParseBuffered() {
  while (pos_ < buf_.size()) {
    std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
    uint64_t size = 0;
    size_t hdr = 0;
    switch (ReadUvarint(rest, &size, &hdr)) {
      case VarintResult::kNeedMore: return Status::Ok();
      case VarintResult::kOverflow: return CorruptError("remote read: frame length is not a valid uvarint");
      case VarintResult::kOk: break;
    }
    if (size > max_frame_bytes_) {
      return CorruptError("remote read: frame of " + std::to_string(size) + " bytes exceeds the limit of " +
                          std::to_string(max_frame_bytes_));
    }
    if (rest.size() < hdr + 4 + size) return Status::Ok();
    const auto* c = reinterpret_cast<const uint8_t*>(rest.data() + hdr);
    uint32_t want = (uint32_t{c[0]} << 24) | (uint32_t{c[1]} << 16) | (uint32_t{c[2]} << 8) | uint32_t{c[3]};
    std::string_view msg = rest.substr(hdr + 4, size);
    uint32_t got = tsdb::Crc32c(msg);
    if (got != want) {
      return CorruptError("remote read: frame " + std::to_string(frames_) + " checksum mismatch (expected " +
                          std::to_string(want) + ", computed " + std::to_string(got) + ")");
    }
    prometheus::ChunkedReadResponse resp;
    if (!resp.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) {
      return CorruptError("remote read: frame " + std::to_string(frames_) + " is not a ChunkedReadResponse");
    }
    pos_ += hdr + 4 + size;
    ++frames_;
    if (Status s = handler_(resp); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ChunkedFrameReader::Finish() const {
  if (pos_ < buf_.size()) {
    return CorruptError("remote read: response ended inside a frame (" + std::to_string(buf_.size() - pos_) +
                        " bytes left over)");
  }
  return Status::Ok();
}

}  // namespace meridian::storeapi::sidecar
