#include "tsdb/chunkenc/xor.h"

#include "model/value.h"

#include <bit>
#include <cstring>

namespace meridian::chunkenc {

namespace {

constexpr uint64_t kHeaderBits = 16;

// True when x fits the n-bit dod bucket. Prometheus's range is asymmetric on purpose
// (-(2^(n-1)-1) .. 2^(n-1)); the reader undoes it with the matching "> 2^(n-1)" test.
inline bool FitsBucket(int64_t x, int n) {
  const int64_t half = int64_t{1} << (n - 1);
  return -(half - 1) <= x && x <= half;
}

inline uint16_t ReadU16BE(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encoder

XorEncoder::XorEncoder() : buf_(2, '\0'), bit_len_(kHeaderBits) {}

void XorEncoder::WriteBit(bool bit) { WriteBits(bit ? 1 : 0, 1); }

void XorEncoder::WriteBits(uint64_t bits, int n) {
  while (n > 0) {
    const int used = static_cast<int>(bit_len_ & 7);
    if (used == 0) buf_.push_back('\0');
    const int free = 8 - used;
    const int take = n < free ? n : free;
    const uint64_t part = (bits >> (n - take)) & ((uint64_t{1} << take) - 1);
    buf_.back() = static_cast<char>(static_cast<uint8_t>(buf_.back()) |
                                    static_cast<uint8_t>(part << (free - take)));
    n -= take;
    bit_len_ += static_cast<uint64_t>(take);
  }
}

bool XorEncoder::Append(int64_t t, double v) {
  if (num_samples_ == kMaxSamples) return false;
  uint64_t t_delta = 0;
  if (num_samples_ == 0) {
    // Signed varint (zigzag), as Go's binary.PutVarint.
    uint64_t u = (static_cast<uint64_t>(t) << 1) ^ static_cast<uint64_t>(t >> 63);
    while (u >= 0x80) {
      WriteByte(static_cast<uint8_t>(u | 0x80));
      u >>= 7;
    }
    WriteByte(static_cast<uint8_t>(u));
    WriteBits(std::bit_cast<uint64_t>(v), 64);
  } else if (num_samples_ == 1) {
    t_delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    uint64_t u = t_delta;
    while (u >= 0x80) {
      WriteByte(static_cast<uint8_t>(u | 0x80));
      u >>= 7;
    }
    WriteByte(static_cast<uint8_t>(u));
    WriteValue(v);
  } else {
    t_delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    const int64_t dod = static_cast<int64_t>(t_delta - t_delta_);
    const uint64_t udod = static_cast<uint64_t>(dod);
    if (dod == 0) {
      WriteBit(false);
    } else if (FitsBucket(dod, 14)) {
      WriteBits(0b10, 2);
      WriteBits(udod, 14);
    } else if (FitsBucket(dod, 17)) {
      WriteBits(0b110, 3);
      WriteBits(udod, 17);
    } else if (FitsBucket(dod, 20)) {
      WriteBits(0b1110, 4);
      WriteBits(udod, 20);
    } else {
      WriteBits(0b1111, 4);
      WriteBits(udod, 64);
    }
    WriteValue(v);
  }
  t_ = t;
  t_delta_ = t_delta;
  v_bits_ = std::bit_cast<uint64_t>(v);
  ++num_samples_;
  buf_[0] = static_cast<char>(num_samples_ >> 8);
  buf_[1] = static_cast<char>(num_samples_ & 0xff);
  return true;
}

void XorEncoder::WriteValue(double v) {
  const uint64_t delta = std::bit_cast<uint64_t>(v) ^ v_bits_;
  if (delta == 0) {
    WriteBit(false);
    return;
  }
  WriteBit(true);
  uint8_t leading = static_cast<uint8_t>(std::countl_zero(delta));
  const uint8_t trailing = static_cast<uint8_t>(std::countr_zero(delta));
  // 5 bits hold at most 31.
  if (leading >= 32) leading = 31;
  if (leading_ != 0xff && leading >= leading_ && trailing >= trailing_) {
    WriteBit(false);
    WriteBits(delta >> trailing_, 64 - leading_ - trailing_);
    return;
  }
  leading_ = leading;
  trailing_ = trailing;
  WriteBit(true);
  WriteBits(leading, 5);
  // 64 significant bits do not fit 6 bits; 0 stands for 64 since 0 can never occur here.
  const int sigbits = 64 - leading - trailing;
  WriteBits(static_cast<uint64_t>(sigbits & 63), 6);
  WriteBits(delta >> trailing, sigbits);
}

std::string XorEncoder::Finish() {
  std::string out = std::move(buf_);
  *this = XorEncoder();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoder. The bit reader loads 8 bytes big-endian at the current byte and shifts away the bits
// already consumed, leaving at least 57 readable bits at the top of a register. Bytes past the
// end read as zero, so a load never leaves the buffer; whether a sample ran past the real end
// is checked once per sample.

namespace {

inline uint64_t Load64(const uint8_t* data, uint64_t size, uint64_t byte) {
  if (byte + 8 <= size) [[likely]] {
    uint64_t w;
    std::memcpy(&w, data + byte, 8);
    if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
    return w;
  }
  uint64_t w = 0;
  for (uint64_t i = 0; i < 8; ++i) {
    w <<= 8;
    if (byte + i < size) w |= data[byte + i];
  }
  return w;
}

inline uint64_t Peek(const detail::XorState& s) {
  return Load64(s.data, s.size, s.pos >> 3) << (s.pos & 7);
}

// 1 <= n <= 64.
inline uint64_t ReadBits(detail::XorState& s, unsigned n) {
  if (n <= 57) {
    const uint64_t w = Peek(s);
    s.pos += n;
    return w >> (64 - n);
  }
  const uint64_t hi = Peek(s) >> 32;
  s.pos += 32;
  const unsigned rest = n - 32;
  const uint64_t lo = Peek(s) >> (64 - rest);
  s.pos += rest;
  return hi << rest | lo;
}

inline bool InBounds(const detail::XorState& s) { return s.pos <= s.size * 8; }

// Go's binary.ReadUvarint, over the bit stream.
inline bool ReadUvarint(detail::XorState& s, uint64_t* out) {
  uint64_t x = 0;
  unsigned shift = 0;
  for (int i = 0; i < 10; ++i) {
    if (s.pos + 8 > s.size * 8) return false;
    const uint64_t b = ReadBits(s, 8);
    if (b < 0x80) {
      if (i == 9 && b > 1) return false;  // overflows 64 bits
      *out = x | b << shift;
      return true;
    }
    x |= (b & 0x7f) << shift;
    shift += 7;
  }
  return false;
}

// Reads one XOR value block. Returns false on an impossible leading/length pair.
inline bool ReadValue(detail::XorState& s) {
  const uint64_t w = Peek(s);
  if ((w >> 63) == 0) {
    s.pos += 1;
    return true;
  }
  if (((w >> 62) & 1) == 0) {
    const unsigned mbits = 64 - s.leading - s.trailing;
    uint64_t bits;
    if (mbits <= 55) {
      bits = (w << 2) >> (64 - mbits);
      s.pos += 2 + mbits;
    } else {
      s.pos += 2;
      bits = ReadBits(s, mbits);
    }
    s.v_bits ^= bits << s.trailing;
    return true;
  }
  const unsigned leading = static_cast<unsigned>((w >> 57) & 31);
  unsigned sig = static_cast<unsigned>((w >> 51) & 63);
  if (sig == 0) sig = 64;
  if (leading + sig > 64) return false;
  s.leading = leading;
  s.trailing = 64 - leading - sig;
  uint64_t bits;
  if (sig <= 44) {
    bits = (w << 13) >> (64 - sig);
    s.pos += 13 + sig;
  } else {
    s.pos += 13;
    bits = ReadBits(s, sig);
  }
  s.v_bits ^= bits << s.trailing;
  return true;
}

// Reads a delta-of-delta and advances t.
inline void ReadTimestamp(detail::XorState& s) {
  const uint64_t w = Peek(s);
  int64_t dod;
  if ((w >> 63) == 0) {
    s.pos += 1;
    dod = 0;
  } else {
    unsigned sz;
    unsigned prefix;
    if (((w >> 62) & 1) == 0) {
      sz = 14;
      prefix = 2;
    } else if (((w >> 61) & 1) == 0) {
      sz = 17;
      prefix = 3;
    } else if (((w >> 60) & 1) == 0) {
      sz = 20;
      prefix = 4;
    } else {
      s.pos += 4;
      dod = static_cast<int64_t>(ReadBits(s, 64));
      s.t_delta = s.t_delta + static_cast<uint64_t>(dod);
      s.t = static_cast<int64_t>(static_cast<uint64_t>(s.t) + s.t_delta);
      return;
    }
    uint64_t bits = (w << prefix) >> (64 - sz);
    s.pos += prefix + sz;
    // Negative values come back as large unsigned numbers (see FitsBucket).
    if (bits > (uint64_t{1} << (sz - 1))) bits -= uint64_t{1} << sz;
    dod = static_cast<int64_t>(bits);
  }
  s.t_delta = s.t_delta + static_cast<uint64_t>(dod);
  s.t = static_cast<int64_t>(static_cast<uint64_t>(s.t) + s.t_delta);
}

inline bool ReadFirst(detail::XorState& s) {
  uint64_t u;
  if (!ReadUvarint(s, &u)) return false;
  s.t = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  if (s.pos + 64 > s.size * 8) return false;
  s.v_bits = ReadBits(s, 64);
  return true;
}

inline bool ReadSecond(detail::XorState& s) {
  uint64_t d;
  if (!ReadUvarint(s, &d)) return false;
  s.t_delta = d;
  s.t = static_cast<int64_t>(static_cast<uint64_t>(s.t) + d);
  return ReadValue(s) && InBounds(s);
}

// Register bit buffer for the bulk decoder: the top `cnt` bits of `buf` are the next unread bits
// (bits below them are zero or already-loaded lookahead, which the next refill ORs over with the
// same data); `next` is the first byte not yet counted in `cnt`.
struct FastBits {
  const uint8_t* data;
  uint64_t size;
  uint64_t next;
  uint64_t buf = 0;
  unsigned cnt = 0;

  FastBits(const uint8_t* d, uint64_t sz, uint64_t bit_pos) : data(d), size(sz), next(bit_pos >> 3) {
    Refill();
    Consume(static_cast<unsigned>(bit_pos & 7));
  }
  // Afterwards cnt >= 56.
  [[gnu::always_inline]] void Refill() {
    buf |= Load64(data, size, next) >> cnt;
    next += (63 - cnt) >> 3;
    cnt |= 56;
  }
  // n < 64 and n <= cnt.
  [[gnu::always_inline]] void Consume(unsigned n) {
    buf <<= n;
    cnt -= n;
  }
  // 1 <= n <= cnt.
  [[gnu::always_inline]] uint64_t Take(unsigned n) {
    const uint64_t v = buf >> (64 - n);
    buf = n == 64 ? 0 : buf << n;
    cnt -= n;
    return v;
  }
  uint64_t Read64() {
    Refill();
    const uint64_t hi = Take(32);
    Refill();
    return hi << 32 | Take(32);
  }
  // 1 <= n <= 64.
  uint64_t ReadUpTo64(unsigned n) {
    Refill();
    if (n <= 56) return Take(n);
    const uint64_t hi = Take(32);
    Refill();
    return hi << (n - 32) | Take(n - 32);
  }
  uint64_t Position() const { return next * 8 - cnt; }
};

// An n-bit dod bucket value: negative numbers come back as large unsigned ones (see
// FitsBucket), the range being -(2^(n-1)-1) .. 2^(n-1).
template <unsigned N>
[[gnu::always_inline]] inline int64_t SignedBucket(uint64_t bits) {
  constexpr uint64_t kHalf = uint64_t{1} << (N - 1);
  return static_cast<int64_t>(bits > kHalf ? bits - (kHalf << 1) : bits);
}

Status Corrupt(const char* what, uint64_t sample) {
  return CorruptError("xor chunk: " + std::string(what) + " at sample " + std::to_string(sample));
}

}  // namespace

uint16_t XorNumSamples(std::string_view chunk) {
  if (chunk.size() < 2) return 0;
  return ReadU16BE(reinterpret_cast<const uint8_t*>(chunk.data()));
}

Status DecodeXor(std::string_view chunk, std::vector<int64_t>* ts, std::vector<double>* vs,
                 XorDecodeInfo* info) {
  if (chunk.size() < 2) return CorruptError("xor chunk: shorter than its 2-byte header");
  const auto* data = reinterpret_cast<const uint8_t*>(chunk.data());
  const uint16_t n = ReadU16BE(data);
  if (n == 0) return Status::Ok();
  // Every sample after the first two takes at least 2 bits; a header claiming more is corrupt
  // (checked before allocating so a garbage count cannot make us reserve memory for nothing).
  if (n > 2 && (static_cast<uint64_t>(n) - 2) * 2 > chunk.size() * 8) {
    return CorruptError("xor chunk: header claims " + std::to_string(n) + " samples in " +
                        std::to_string(chunk.size()) + " bytes");
  }

  const size_t base_t = ts->size();
  const size_t base_v = vs->size();
  ts->resize(base_t + n);
  vs->resize(base_v + n);
  int64_t* out_t = ts->data() + base_t;
  double* out_v = vs->data() + base_v;
  auto fail = [&](const char* what, uint64_t i) {
    ts->resize(base_t);
    vs->resize(base_v);
    return Corrupt(what, i);
  };

  detail::XorState s;
  s.data = data;
  s.size = chunk.size();
  if (!ReadFirst(s)) return fail("truncated", 0);
  out_t[0] = s.t;
  out_v[0] = std::bit_cast<double>(s.v_bits);
  // Both flags are ORed off the decoder's critical path; they save the callers a pass each.
  bool unordered = false;
  bool stale = s.v_bits == kStaleNaNBits;
  auto report = [&] {
    if (info != nullptr) {
      info->ordered = !unordered;
      info->has_stale = stale;
    }
    return Status::Ok();
  };
  if (n == 1) return report();
  if (!ReadSecond(s)) return fail("truncated or invalid value", 1);
  out_t[1] = s.t;
  out_v[1] = std::bit_cast<double>(s.v_bits);
  unordered = static_cast<int64_t>(s.t_delta) <= 0;
  stale = stale || s.v_bits == kStaleNaNBits;

  // Hot loop: a register bit buffer refilled 7 bytes at a time (at least 56 readable bits after
  // each refill), with all state in locals, few enough of them to stay in registers: the value
  // window is kept as (trailing, width) rather than recomputed from (leading, trailing), both
  // flags share one word, and the output advances by pointer.
  const uint64_t limit = s.size * 8;
  FastBits b(data, s.size, s.pos);
  uint64_t t_delta = s.t_delta;
  int64_t t = s.t;
  uint64_t v_bits = s.v_bits;
  unsigned trailing = s.trailing;
  unsigned width = 64 - s.leading - s.trailing;
  unsigned flags = (unordered ? 1u : 0u) | (stale ? 2u : 0u);  // 1: unordered, 2: stale
  int64_t* pt = out_t + 2;
  double* pv = out_v + 2;
  int64_t* const pt_end = out_t + n;
  for (; pt < pt_end; ++pt, ++pv) {
    // Refilling only when needed keeps the load off the critical path of most samples: a
    // non-64-bit dod (<= 24 bits) plus a value header (<= 13 bits) fit in 37 bits.
    if (b.cnt < 37) b.Refill();
    uint64_t w = b.buf;
    // The common samples of a regular scrape, in one step each: the same interval (dod 0)
    // and a value that is unchanged (00) or fits the previous value window (010).
    if ((w >> 62) == 0) {
      b.Consume(2);
      t = static_cast<int64_t>(static_cast<uint64_t>(t) + t_delta);
      *pt = t;
      *pv = std::bit_cast<double>(v_bits);
      continue;
    }
    if ((w >> 61) == 2 && 3 + width <= b.cnt) {
      b.Consume(3 + width);
      t = static_cast<int64_t>(static_cast<uint64_t>(t) + t_delta);
      v_bits ^= ((w << 3) >> (64 - width)) << trailing;
      flags |= v_bits == kStaleNaNBits ? 2u : 0u;
      *pt = t;
      *pv = std::bit_cast<double>(v_bits);
      continue;
    }
    // Delta-of-delta. Each bucket gets its own branch with constant shifts: a series keeps to
    // one bucket (scrape jitter stays far below the 14-bit bucket's +-8 s), so the branch
    // predicts well, and only the consumed bit count, not the value, is on the chain that
    // carries the bit position from sample to sample. The interval changes only with a
    // non-zero dod, so the order check lives there.
    if (static_cast<int64_t>(w) >= 0) {
      b.Consume(1);  // regular scrapes: same interval as before
    } else {
      int64_t dod;
      if (((w >> 62) & 1) == 0) {
        dod = SignedBucket<14>((w << 2) >> (64 - 14));
        b.Consume(2 + 14);
      } else if (((w >> 61) & 1) == 0) {
        dod = SignedBucket<17>((w << 3) >> (64 - 17));
        b.Consume(3 + 17);
      } else if (((w >> 60) & 1) == 0) {
        dod = SignedBucket<20>((w << 4) >> (64 - 20));
        b.Consume(4 + 20);
      } else [[unlikely]] {
        b.Consume(4);
        dod = static_cast<int64_t>(b.Read64());
        b.Refill();
      }
      t_delta = t_delta + static_cast<uint64_t>(dod);
      flags |= static_cast<int64_t>(t_delta) <= 0 ? 1u : 0u;
    }
    t = static_cast<int64_t>(static_cast<uint64_t>(t) + t_delta);

    w = b.buf;
    if ((w >> 63) == 0) {
      b.Consume(1);
    } else {
      unsigned header = 2;
      if ((w >> 62) & 1) {
        const unsigned l = static_cast<unsigned>((w >> 57) & 31);
        unsigned sig = static_cast<unsigned>((w >> 51) & 63);
        sig = sig == 0 ? 64 : sig;
        if (l + sig > 64) [[unlikely]] return fail("invalid value block", static_cast<uint64_t>(pt - out_t));
        width = sig;
        trailing = 64 - l - sig;
        header = 13;
      }
      uint64_t bits;
      if (header + width <= b.cnt) [[likely]] {
        bits = (w << header) >> (64 - width);
        b.Consume(header + width);
      } else {
        b.Consume(header);
        bits = b.ReadUpTo64(width);
      }
      v_bits ^= bits << trailing;
      flags |= v_bits == kStaleNaNBits ? 2u : 0u;
    }
    *pt = t;
    *pv = std::bit_cast<double>(v_bits);
  }
  // Reads past the end see zero bits and the position only grows, so one check after the
  // loop finds a truncated chunk as surely as a check per sample.
  if (b.Position() > limit) [[unlikely]] return fail("truncated", n - 1);
  unordered = (flags & 1) != 0;
  stale = (flags & 2) != 0;
  return report();
}

XorIterator::XorIterator(std::string_view chunk) {
  s_.data = reinterpret_cast<const uint8_t*>(chunk.data());
  s_.size = chunk.size();
  if (chunk.size() < 2) {
    status_ = CorruptError("xor chunk: shorter than its 2-byte header");
    return;
  }
  total_ = ReadU16BE(s_.data);
}

double XorIterator::v() const { return std::bit_cast<double>(s_.v_bits); }

bool XorIterator::Next() {
  if (!status_.ok() || read_ == total_) return false;
  bool ok;
  if (read_ == 0) {
    ok = ReadFirst(s_);
  } else if (read_ == 1) {
    ok = ReadSecond(s_);
  } else {
    ReadTimestamp(s_);
    ok = ReadValue(s_) && InBounds(s_);
  }
  if (!ok) {
    status_ = Corrupt("truncated or invalid", read_);
    return false;
  }
  ++read_;
  return true;
}

}  // namespace meridian::chunkenc
