// The AggrChunk body (tsdb/chunkenc/aggr.h): layout, field by field, of what the downsampler
// writes, and parsing of malformed bodies.

#include "tsdb/chunkenc/aggr.h"

#include <gtest/gtest.h>

#include <random>

#include "compact/downsample/downsample.h"
#include "model/value.h"
#include "tests/downsample/test_util.h"

namespace meridian::compact::downsample {
namespace {

using chunkenc::AggrParts;
using chunkenc::AggrSubChunk;
using chunkenc::AggrType;
using testing::Samples;

std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

// Bits written most significant first, padded with zeros to a byte.
class Bits {
 public:
  Bits& Put(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) bits_.push_back(((v >> i) & 1) != 0);
    return *this;
  }
  std::string Bytes() const {
    std::string out((bits_.size() + 7) / 8, '\0');
    for (size_t i = 0; i < bits_.size(); ++i) {
      if (bits_[i]) out[i / 8] = static_cast<char>(out[i / 8] | (0x80 >> (i % 8)));
    }
    return out;
  }

 private:
  std::vector<bool> bits_;
};

// Reads a uvarint at *pos, by hand.
uint64_t Uvarint(std::string_view s, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<uint8_t>(s.at((*pos)++));
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) return v;
  }
}

// Thanos's "single chunk" example at r=100, walked byte by byte: five entries in the order
// count, sum, min, max, counter, each uvarint(L) + 0x01 + L bytes of XOR chunk.
TEST(AggrChunkLayout, DownsampledChunkFieldByField) {
  const Samples raw = {{20, 1}, {40, 2}, {60, 3}, {80, 1}, {100, 2}, {101, StaleNaN()}, {120, 5}, {180, 10}, {250, 1}};
  auto out = DownsampleSeries({testing::XorChunk(raw)}, kResLevel0, 100);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  const std::string_view body = (*out)[0].bytes();

  const std::vector<Samples> want = {{{99, 4}, {199, 3}, {250, 1}},
                                     {{99, 7}, {199, 17}, {250, 1}},
                                     {{99, 1}, {199, 2}, {250, 1}},
                                     {{99, 3}, {199, 10}, {250, 1}},
                                     {{20, 1}, {99, 4}, {199, 13}, {250, 14}, {250, 1}}};
  size_t pos = 0;
  std::vector<std::string> data;
  for (size_t i = 0; i < 5; ++i) {
    const uint64_t len = Uvarint(body, &pos);
    ASSERT_GT(len, 0u) << i;
    ASSERT_EQ(static_cast<uint8_t>(body.at(pos)), 0x01) << "entry " << i << " is not XOR";
    ++pos;
    ASSERT_LE(pos + len, body.size());
    data.emplace_back(body.substr(pos, len));
    pos += len;
    // The XOR header: big-endian sample count; windows for count..max, windows + 2 for counter.
    ASSERT_GE(data.back().size(), 2u);
    EXPECT_EQ((static_cast<uint8_t>(data.back()[0]) << 8) | static_cast<uint8_t>(data.back()[1]),
              static_cast<int>(want[i].size()));
    testing::ExpectSamples(testing::DecodeXorSamples(data.back()), want[i], "entry " + std::to_string(i));
  }
  EXPECT_EQ(pos, body.size()) << "bytes after the fifth entry";

  // The count sub-chunk, bit by bit from the XOR format (independent of the encoder):
  //   header 0003; t0 99 zigzag 198 = varint c6 01; v0 4.0 = 4010000000000000;
  //   t1 delta 100 = 64; 3.0 ^ 4.0 = 0018000000000000: '11', 11 leading zeros, 2 significant
  //   bits '11';
  //   t2 dod 51-100 = -49 in the 14-bit bucket '10'; 1.0 ^ 3.0 = 7ff8000000000000: leading 1 is
  //   outside the window, so '11', leading 1, 12 significant bits.
  Bits count;
  count.Put(0x0003, 16).Put(0xc6, 8).Put(0x01, 8).Put(0x4010000000000000, 64);
  count.Put(100, 8).Put(0b11, 2).Put(11, 5).Put(2, 6).Put(0b11, 2);
  count.Put(0b10, 2).Put(static_cast<uint64_t>(-49), 14).Put(0b11, 2).Put(1, 5).Put(12, 6).Put(0xfff, 12);
  EXPECT_EQ(Hex(data[0]), Hex(count.Bytes()));
  // And the whole entry: the length byte counts the data only, not the encoding byte.
  EXPECT_EQ(Hex(body.substr(0, 2 + data[0].size())),
            Hex(std::string(1, static_cast<char>(data[0].size())) + "\x01" + count.Bytes()));
}

// An absent entry is the single byte 0x00, with no encoding byte after it.
TEST(AggrChunkLayout, AbsentEntryIsOneZeroByte) {
  AggrParts parts;
  parts[AggrType::kSum] = AggrSubChunk{0x01, "ab"};
  parts[AggrType::kCounter] = AggrSubChunk{0x03, std::string(200, 'x')};
  const std::string body = chunkenc::EncodeAggrChunk(parts);
  // count absent; sum 2 bytes; min, max absent; counter 200 bytes (two-byte varint c8 01).
  EXPECT_EQ(Hex(body.substr(0, 9)), "00" "02" "01" "6162" "00" "00" "c801");
  EXPECT_EQ(body.size(), 9u + 1 + 200);
  EXPECT_EQ(static_cast<uint8_t>(body[9]), 0x03);

  auto back = chunkenc::ParseAggrChunk(body);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, parts);

  // All absent: five zero bytes, and that parses (refusing it is the StoreAPI's business).
  EXPECT_EQ(chunkenc::EncodeAggrChunk(AggrParts{}), std::string(5, '\0'));
  auto none = chunkenc::ParseAggrChunk(std::string(5, '\0'));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, AggrParts{});

  // Present but empty cannot be told from absent on disk, so it is written absent.
  AggrParts empty;
  empty[AggrType::kMin] = AggrSubChunk{0x01, ""};
  EXPECT_EQ(chunkenc::EncodeAggrChunk(empty), std::string(5, '\0'));
}

TEST(AggrChunkLayout, NamesAndSubChunkDecoding) {
  EXPECT_STREQ(chunkenc::AggrTypeName(AggrType::kCount), "count");
  EXPECT_STREQ(chunkenc::AggrTypeName(AggrType::kCounter), "counter");

  std::vector<int64_t> ts;
  std::vector<double> vs;
  const Samples s = {{299999, 3}, {599999, 4}};
  ASSERT_TRUE(chunkenc::DecodeAggrSubChunk(AggrSubChunk{0x01, testing::XorOf(s)}, &ts, &vs).ok());
  EXPECT_EQ(ts, (std::vector<int64_t>{299999, 599999}));
  EXPECT_EQ(vs, (std::vector<double>{3, 4}));

  Status h = chunkenc::DecodeAggrSubChunk(AggrSubChunk{0x03, "xy"}, &ts, &vs);
  EXPECT_EQ(h.code(), StatusCode::kExecution);
  Status u = chunkenc::DecodeAggrSubChunk(AggrSubChunk{0x09, "xy"}, &ts, &vs);
  EXPECT_EQ(u.code(), StatusCode::kCorrupt);
  Status bad = chunkenc::DecodeAggrSubChunk(AggrSubChunk{0x01, std::string("\x00\x05\x01", 3)}, &ts, &vs);
  EXPECT_EQ(bad.code(), StatusCode::kCorrupt);
  EXPECT_EQ(ts.size(), 2u) << "a failed decode leaves the output alone";
}

std::string GoodBody() {
  std::array<std::optional<std::string>, 5> subs;
  subs[0] = testing::XorOf({{299999, 20}, {599999, 19}});
  subs[1] = testing::XorOf({{299999, 7.5}, {599999, 8.25}});
  subs[4] = testing::XorOf({{1000, 1}, {299999, 9}, {599999, 12}, {599999, 3}});
  return testing::BodyByHand(subs);
}

TEST(AggrChunkParse, RoundTripsByteForByte) {
  const std::string body = GoodBody();
  auto parts = chunkenc::ParseAggrChunk(body);
  ASSERT_TRUE(parts.ok()) << parts.status().message();
  EXPECT_TRUE((*parts)[AggrType::kCount].has_value());
  EXPECT_TRUE((*parts)[AggrType::kSum].has_value());
  EXPECT_FALSE((*parts)[AggrType::kMin].has_value());
  EXPECT_FALSE((*parts)[AggrType::kMax].has_value());
  ASSERT_TRUE((*parts)[AggrType::kCounter].has_value());
  EXPECT_EQ((*parts)[AggrType::kCounter]->encoding, 0x01);
  EXPECT_EQ(chunkenc::EncodeAggrChunk(*parts), body);
}

void ExpectCorrupt(const std::string& body, const std::string& why) {
  auto parts = chunkenc::ParseAggrChunk(body);
  ASSERT_FALSE(parts.ok()) << why;
  EXPECT_EQ(parts.status().code(), StatusCode::kCorrupt) << why << ": " << parts.status().message();
}

// Every truncation of a valid body is Corrupt (the sanitizers watch the reads).
TEST(AggrChunkParse, EveryTruncationIsCorrupt) {
  const std::string good = GoodBody();
  for (size_t n = 0; n < good.size(); ++n) {
    // A copy of exactly n bytes, so a read past the end is a heap overflow ASan reports.
    ExpectCorrupt(std::string(good.data(), n), "truncated to " + std::to_string(n) + " bytes");
  }
}

TEST(AggrChunkParse, MalformedBodies) {
  const std::string good = GoodBody();
  ExpectCorrupt(good + "x", "trailing byte");
  ExpectCorrupt(good + std::string(1, '\0'), "a sixth (absent) entry");
  ExpectCorrupt("", "empty");
  ExpectCorrupt(std::string(4, '\0'), "four entries");
  ExpectCorrupt(std::string(11, '\xff'), "varint longer than 10 bytes");
  ExpectCorrupt(std::string(9, '\xff') + "\x02", "10th varint byte above 1");
  // 2^64-1 as a length must not wrap the bounds check around.
  ExpectCorrupt(std::string(9, '\xff') + "\x01" + "\x01xy", "huge length");
  ExpectCorrupt("\x05\x01xy", "length beyond the end");
  ExpectCorrupt(std::string("\x01", 1), "length without encoding byte");
  ExpectCorrupt(std::string("\x80", 1), "unterminated varint");
}

TEST(AggrChunkParse, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  int accepted = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string body(rng() % 20, '\0');
    // Mostly small bytes, so that lengths are often plausible.
    for (auto& b : body) b = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : rng() % 4);
    auto parts = chunkenc::ParseAggrChunk(body);
    if (!parts.ok()) {
      EXPECT_EQ(parts.status().code(), StatusCode::kCorrupt);
      continue;
    }
    ++accepted;
    // Accepted bodies with minimal varints come back byte for byte; others keep their entries.
    auto again = chunkenc::ParseAggrChunk(chunkenc::EncodeAggrChunk(*parts));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *parts);
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace meridian::compact::downsample
