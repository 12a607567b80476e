#pragma once
// Byte-level encoders and a bounds-checked decoder for the TSDB file formats (Prometheus's
// tsdb/encoding): big-endian fixed-width integers, Go-style uvarints and zig-zag varints,
// length-prefixed strings.

#include <cstdint>
#include <string>
#include <string_view>

namespace meridian::tsdb {

// Appends encoded values to an owned buffer.
class Encbuf {
 public:
  void PutByte(uint8_t b) { buf_.push_back(static_cast<char>(b)); }
  void PutBE32(uint32_t v);
  void PutBE64(uint64_t v);
  void PutUvarint(uint64_t v);
  void PutVarint(int64_t v);  // zig-zag, as Go's binary.PutVarint
  void PutUvarintStr(std::string_view s);
  void PutBytes(std::string_view s) { buf_.append(s); }
  // Appends the CRC32C of bytes [from, end) as big-endian u32.
  void PutCrc32cOf(size_t from);
  // Zero bytes until the length is a multiple of `align`.
  void Pad(size_t align);

  size_t size() const { return buf_.size(); }
  const std::string& bytes() const { return buf_; }
  std::string& mutable_bytes() { return buf_; }
  void Clear() { buf_.clear(); }

 private:
  std::string buf_;
};

// Reads from a borrowed byte range. The first out-of-bounds or malformed read sets err() and
// every later read returns zero, so call sites check once after a group of reads.
class Decbuf {
 public:
  Decbuf() = default;
  explicit Decbuf(std::string_view b) : b_(b) {}

  uint8_t Byte();
  uint32_t Be32();
  uint64_t Be64();
  uint64_t Uvarint64();
  int64_t Varint64();
  std::string_view UvarintBytes();
  void Skip(size_t n);

  size_t Len() const { return b_.size(); }
  std::string_view Rest() const { return b_; }
  bool err() const { return err_; }
  // What went wrong, for error messages ("" when nothing did).
  const char* err_msg() const { return err_msg_; }

 private:
  void Fail(const char* msg) {
    if (!err_) err_msg_ = msg;
    err_ = true;
    b_ = {};
  }

  std::string_view b_;
  bool err_ = false;
  const char* err_msg_ = "";
};

uint32_t ReadBE32(const char* p);
uint64_t ReadBE64(const char* p);
void WriteBE32(char* p, uint32_t v);

}  // namespace meridian::tsdb
