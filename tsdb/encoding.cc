#include "tsdb/encoding.h"

#include "tsdb/crc32c.h"

namespace meridian::tsdb {

uint32_t ReadBE32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint32_t(u[0]) << 24 | uint32_t(u[1]) << 16 | uint32_t(u[2]) << 8 | uint32_t(u[3]);
}

uint64_t ReadBE64(const char* p) { return uint64_t(ReadBE32(p)) << 32 | ReadBE32(p + 4); }

void WriteBE32(char* p, uint32_t v) {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}

void Encbuf::PutBE32(uint32_t v) {
  char b[4];
  WriteBE32(b, v);
  buf_.append(b, 4);
}

void Encbuf::PutBE64(uint64_t v) {
  PutBE32(static_cast<uint32_t>(v >> 32));
  PutBE32(static_cast<uint32_t>(v));
}

void Encbuf::PutUvarint(uint64_t v) {
  while (v >= 0x80) {
    buf_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  buf_.push_back(static_cast<char>(v));
}

void Encbuf::PutVarint(int64_t v) {
  uint64_t u = static_cast<uint64_t>(v) << 1;
  if (v < 0) u = ~u;
  PutUvarint(u);
}

void Encbuf::PutUvarintStr(std::string_view s) {
  PutUvarint(s.size());
  buf_.append(s);
}

void Encbuf::PutCrc32cOf(size_t from) {
  PutBE32(Crc32c(std::string_view(buf_).substr(from)));
}

void Encbuf::Pad(size_t align) {
  size_t rem = buf_.size() % align;
  if (rem != 0) buf_.append(align - rem, '\0');
}

uint8_t Decbuf::Byte() {
  if (err_) return 0;
  if (b_.empty()) {
    Fail("unexpected end of data");
    return 0;
  }
  uint8_t v = static_cast<uint8_t>(b_[0]);
  b_.remove_prefix(1);
  return v;
}

uint32_t Decbuf::Be32() {
  if (err_) return 0;
  if (b_.size() < 4) {
    Fail("unexpected end of data");
    return 0;
  }
  uint32_t v = ReadBE32(b_.data());
  b_.remove_prefix(4);
  return v;
}

uint64_t Decbuf::Be64() {
  if (err_) return 0;
  if (b_.size() < 8) {
    Fail("unexpected end of data");
    return 0;
  }
  uint64_t v = ReadBE64(b_.data());
  b_.remove_prefix(8);
  return v;
}

uint64_t Decbuf::Uvarint64() {
  if (err_) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < b_.size() && i < 10; ++i) {
    uint8_t c = static_cast<uint8_t>(b_[i]);
    // The 10th byte may only carry the top bit of a 64-bit value (Go's overflow rule).
    if (i == 9 && c > 1) break;
    v |= uint64_t(c & 0x7f) << (7 * i);
    if (c < 0x80) {
      b_.remove_prefix(i + 1);
      return v;
    }
  }
  Fail(b_.size() < 10 ? "truncated varint" : "varint overflows 64 bits");
  return 0;
}

int64_t Decbuf::Varint64() {
  uint64_t u = Uvarint64();
  int64_t v = static_cast<int64_t>(u >> 1);
  if (u & 1) v = ~v;
  return v;
}

std::string_view Decbuf::UvarintBytes() {
  uint64_t n = Uvarint64();
  if (err_) return {};
  if (n > b_.size()) {
    Fail("string length exceeds data");
    return {};
  }
  std::string_view s = b_.substr(0, n);
  b_.remove_prefix(n);
  return s;
}

void Decbuf::Skip(size_t n) {
  if (err_) return;
  if (n > b_.size()) {
    Fail("unexpected end of data");
    return;
  }
  b_.remove_prefix(n);
}

}  // namespace meridian::tsdb
