#include "tsdb/encoding.h"

#include <gtest/gtest.h>

#include <limits>

#include "tsdb/crc32c.h"

namespace meridian::tsdb {
namespace {

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  // RFC 3720 B.4: 32 bytes of zeros.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  std::string ff(32, '\xff');
  EXPECT_EQ(Crc32c(ff), 0x62A8AB43u);
}

TEST(Crc32c, ExtendEqualsWhole) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    uint32_t a = Crc32c(std::string_view(data).substr(0, split));
    uint32_t b = Crc32cExtend(a, data.data() + split, data.size() - split);
    EXPECT_EQ(b, Crc32c(data)) << split;
  }
}

TEST(Encoding, UvarintRoundTripAndGoBytes) {
  Encbuf b;
  b.PutUvarint(300);
  EXPECT_EQ(b.bytes(), std::string("\xac\x02", 2));  // as Go's binary.PutUvarint
  for (uint64_t v : std::initializer_list<uint64_t>{0, 1, 127, 128, 16383, 16384, (1ull << 63),
                     std::numeric_limits<uint64_t>::max()}) {
    Encbuf e;
    e.PutUvarint(v);
    Decbuf d(e.bytes());
    EXPECT_EQ(d.Uvarint64(), v);
    EXPECT_FALSE(d.err());
    EXPECT_EQ(d.Len(), 0u);
  }
}

TEST(Encoding, VarintIsZigZag) {
  Encbuf b;
  b.PutVarint(-1);
  b.PutVarint(1);
  b.PutVarint(-64);
  EXPECT_EQ(b.bytes(), std::string("\x01\x02\x7f", 3));
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max(), int64_t{-1700000000000}}) {
    Encbuf e;
    e.PutVarint(v);
    Decbuf d(e.bytes());
    EXPECT_EQ(d.Varint64(), v);
    EXPECT_FALSE(d.err());
  }
}

TEST(Encoding, BigEndianAndStrings) {
  Encbuf b;
  b.PutBE32(0xBAAAD700);
  b.PutBE64(0x0102030405060708ull);
  b.PutUvarintStr("hello");
  EXPECT_EQ(b.bytes().substr(0, 4), std::string("\xba\xaa\xd7\x00", 4));
  Decbuf d(b.bytes());
  EXPECT_EQ(d.Be32(), 0xBAAAD700u);
  EXPECT_EQ(d.Be64(), 0x0102030405060708ull);
  EXPECT_EQ(d.UvarintBytes(), "hello");
  EXPECT_FALSE(d.err());
}

TEST(Encoding, DecbufErrorsAreSticky) {
  Decbuf d(std::string_view("\x05" "ab", 3));
  EXPECT_EQ(d.UvarintBytes(), "");  // claims 5 bytes, has 2
  EXPECT_TRUE(d.err());
  EXPECT_EQ(d.Be32(), 0u);
  EXPECT_TRUE(d.err());

  Decbuf trunc(std::string_view("\x80\x80", 2));
  trunc.Uvarint64();
  EXPECT_TRUE(trunc.err());

  std::string overflow(10, '\xff');
  overflow.push_back('\x01');
  Decbuf of(overflow);
  of.Uvarint64();
  EXPECT_TRUE(of.err());

  Decbuf shortbe(std::string_view("\x01\x02", 2));
  shortbe.Be32();
  EXPECT_TRUE(shortbe.err());
}

TEST(Encoding, Pad) {
  Encbuf b;
  b.PutByte(1);
  b.Pad(16);
  EXPECT_EQ(b.size(), 16u);
  b.Pad(16);
  EXPECT_EQ(b.size(), 16u);
}

}  // namespace
}  // namespace meridian::tsdb
