#pragma once
// Incremental reader of Prometheus's streamed remote-read response
// (STREAMED_XOR_CHUNKS): a sequence of frames, each a uvarint message length, the
// big-endian CRC-32C (Castagnoli) of the message, then a ChunkedReadResponse. Bytes are fed
// as the HTTP client delivers them, so a large response is never held whole: only the
// unfinished tail of the current frame is buffered.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "model/status.h"
#include "prometheus/prompb/remote.pb.h"

namespace meridian::storeapi::sidecar {

// Prometheus's own default limit on one frame (storage/remote: DefaultChunkedReadLimit).
inline constexpr size_t kDefaultMaxFrameBytes = 50u << 20;

class ChunkedFrameReader {
 public:
  // Receives each verified message; a non-OK return stops reading and is reported by Feed.
  using Handler = std::function<Status(prometheus::ChunkedReadResponse&)>;

  explicit ChunkedFrameReader(Handler handler, size_t max_frame_bytes = kDefaultMaxFrameBytes)
      : handler_(std::move(handler)), max_frame_bytes_(max_frame_bytes) {}

  // Consumes more bytes of the response; calls the handler for each frame completed.
  Status Feed(std::string_view bytes);
  // At the end of the response: an unfinished frame is an error (truncated response).
  Status Finish() const;

  uint64_t frames() const { return frames_; }

 private:
  Status ParseBuffered();

  Handler handler_;
  size_t max_frame_bytes_;
  std::string buf_;
  size_t pos_ = 0;  // start of the first unconsumed byte in buf_
  uint64_t frames_ = 0;
};

}  // namespace meridian::storeapi::sidecar
