#pragma once
// Prometheus's XOR ("Gorilla") float chunk, bit for bit as tsdb/chunkenc/xor.go writes it:
//
//   u16 big-endian sample count
//   sample 0: t as signed varint, v as 64 raw bits
//   sample 1: t delta as unsigned varint, then the value as an XOR block (below)
//   sample n: delta-of-delta of t in one of five buckets, then the value as an XOR block
//     dod:   '0' (dod == 0) | '10'+14 bits | '110'+17 bits | '1110'+20 bits | '1111'+64 bits
//            (a bucket of n bits holds -(2^(n-1)-1) .. 2^(n-1), two's complement in n bits)
//     value: '0' (same bits as before)
//            | '10' + the XOR's significant bits inside the previous leading/trailing window
//            | '11' + 5 bits leading zeros (capped at 31) + 6 bits significant-bit count
//                   (64 written as 0) + those bits
//
// The bit stream is padded with zero bits to a whole byte.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace meridian::chunkenc {

// Builds one chunk. Prometheus's head cuts a chunk every 120 samples; the format itself allows
// up to 65535.
class XorEncoder {
 public:
  static constexpr uint16_t kMaxSamples = 65535;

  XorEncoder();

  // Returns false (and leaves the chunk unchanged) when the chunk already holds kMaxSamples.
  bool Append(int64_t t, double v);

  uint16_t num_samples() const { return num_samples_; }
  bool empty() const { return num_samples_ == 0; }
  // The chunk so far, valid until the next Append/Finish.
  std::string_view bytes() const { return buf_; }
  // Hands over the chunk bytes and resets the encoder to an empty chunk.
  std::string Finish();

 private:
  void WriteBit(bool bit);
  void WriteBits(uint64_t bits, int n);  // low n bits of `bits`, most significant first
  void WriteByte(uint8_t b) { WriteBits(b, 8); }
  void WriteValue(double v);

  std::string buf_;
  uint64_t bit_len_ = 0;  // bits used in buf_, header included
  uint16_t num_samples_ = 0;
  int64_t t_ = 0;
  uint64_t t_delta_ = 0;
  uint64_t v_bits_ = 0;
  uint8_t leading_ = 0xff;  // 0xff: no window yet, the next XOR block must be written in full
  uint8_t trailing_ = 0;
};

// What the decoder noticed on the way, so callers can skip their own passes over the samples.
struct XorDecodeInfo {
  bool ordered = true;     // every timestamp is greater than the one before it
  bool has_stale = false;  // some value is Prometheus's staleness marker (model/value.h)
};

// Appends every sample of `chunk` to *ts / *vs. On corrupt or truncated input returns kCorrupt
// and leaves both vectors as they were; never reads outside `chunk`.
Status DecodeXor(std::string_view chunk, std::vector<int64_t>* ts, std::vector<double>* vs,
                 XorDecodeInfo* info = nullptr);

// Number of samples the chunk header claims (0 when the chunk is shorter than its header).
uint16_t XorNumSamples(std::string_view chunk);

// Streams one chunk's samples. `chunk` must outlive the iterator.
//   XorIterator it(bytes);
//   while (it.Next()) use(it.t(), it.v());
//   if (!it.status().ok()) ...
namespace detail {
// Decoder position and the running values the next sample is relative to.
struct XorState {
  const uint8_t* data = nullptr;
  uint64_t size = 0;      // bytes
  uint64_t pos = 16;      // bit position, starts after the u16 header
  int64_t t = 0;
  uint64_t t_delta = 0;
  uint64_t v_bits = 0;
  uint32_t leading = 0;
  uint32_t trailing = 0;
};
}  // namespace detail

class XorIterator {
 public:
  explicit XorIterator(std::string_view chunk);

  bool Next();
  int64_t t() const { return s_.t; }
  double v() const;
  const Status& status() const { return status_; }

 private:
  detail::XorState s_;
  uint16_t total_ = 0;
  uint16_t read_ = 0;
  Status status_;
};

}  // namespace meridian::chunkenc
