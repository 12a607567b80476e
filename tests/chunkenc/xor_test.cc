#include "tsdb/chunkenc/xor.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "model/value.h"

namespace meridian::chunkenc {
namespace {

// Builds expected chunk bytes from the format description, independently of the encoder.
class BitString {
 public:
  explicit BitString(uint16_t count) { Bits(count, 16); }
  BitString& Bits(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) bits_.push_back(((v >> i) & 1) != 0);
    return *this;
  }
  BitString& Str(const std::string& s) {
    for (char c : s) bits_.push_back(c == '1');
    return *this;
  }
  BitString& Byte(uint8_t b) { return Bits(b, 8); }
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

std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

std::string Encode(const std::vector<int64_t>& ts, const std::vector<double>& vs) {
  XorEncoder enc;
  for (size_t i = 0; i < ts.size(); ++i) enc.Append(ts[i], vs[i]);
  return enc.Finish();
}

void ExpectDecodes(const std::string& chunk, const std::vector<int64_t>& ts,
                   const std::vector<double>& vs) {
  std::vector<int64_t> got_t;
  std::vector<double> got_v;
  ASSERT_TRUE(DecodeXor(chunk, &got_t, &got_v).ok());
  ASSERT_EQ(got_t, ts);
  ASSERT_EQ(got_v.size(), vs.size());
  for (size_t i = 0; i < vs.size(); ++i) {
    EXPECT_EQ(std::bit_cast<uint64_t>(got_v[i]), std::bit_cast<uint64_t>(vs[i])) << i;
  }
  XorIterator it(chunk);
  size_t i = 0;
  while (it.Next()) {
    ASSERT_LT(i, ts.size());
    EXPECT_EQ(it.t(), ts[i]);
    EXPECT_EQ(std::bit_cast<uint64_t>(it.v()), std::bit_cast<uint64_t>(vs[i]));
    ++i;
  }
  EXPECT_TRUE(it.status().ok()) << it.status().message();
  EXPECT_EQ(i, ts.size());
}

TEST(XorTest, EmptyChunkIsJustTheHeader) {
  XorEncoder enc;
  EXPECT_EQ(Hex(enc.bytes()), "0000");
  ExpectDecodes(enc.Finish(), {}, {});
}

// Worked by hand: t0=1000 zigzag 2000 -> varint d0 0f; 1.0 = 3ff0...; delta 1000 -> e8 07;
// same value '0'; dod 0 '0'; 2.0^1.0 = 7ff0.. -> '11' leading 00001 sigbits 001011 + 11 ones.
TEST(XorTest, HandComputedBytes) {
  const std::string chunk = Encode({1000, 2000, 3000}, {1.0, 1.0, 2.0});
  EXPECT_EQ(Hex(chunk), "0003d00f3ff0000000000000e8073097ffc0");
  ExpectDecodes(chunk, {1000, 2000, 3000}, {1.0, 1.0, 2.0});
}

TEST(XorTest, NegativeFirstTimestampUsesZigzag) {
  // -1 zigzags to 1.
  const std::string chunk = Encode({-1}, {0.0});
  EXPECT_EQ(Hex(chunk), "0001" "01" "0000000000000000");
  ExpectDecodes(chunk, {-1}, {0.0});
}

// Every delta-of-delta bucket and both edges of each, with constant values.
TEST(XorTest, DodBuckets) {
  std::vector<int64_t> dods = {0,      5,       -8191,    8192,      8193,          -8192,
                               65536,  -65535,  65537,    -65536,    524288,        -524287,
                               524289, -524288, 1LL << 40, -(1LL << 40)};
  std::vector<int64_t> ts = {0, 100};
  int64_t delta = 100;
  for (int64_t d : dods) {
    delta += d;
    ts.push_back(ts.back() + delta);
  }
  std::vector<double> vs(ts.size(), 0.0);

  BitString want(static_cast<uint16_t>(ts.size()));
  want.Byte(0x00);         // t0 = 0
  want.Bits(0, 64);        // v0 = 0.0
  want.Byte(100);          // t1 delta
  want.Str("0");           // value unchanged
  for (int64_t d : dods) {
    const uint64_t u = static_cast<uint64_t>(d);
    if (d == 0) {
      want.Str("0");
    } else if (d >= -8191 && d <= 8192) {
      want.Str("10").Bits(u, 14);
    } else if (d >= -65535 && d <= 65536) {
      want.Str("110").Bits(u, 17);
    } else if (d >= -524287 && d <= 524288) {
      want.Str("1110").Bits(u, 20);
    } else {
      want.Str("1111").Bits(u, 64);
    }
    want.Str("0");
  }
  const std::string chunk = Encode(ts, vs);
  EXPECT_EQ(Hex(chunk), Hex(want.Bytes()));
  ExpectDecodes(chunk, ts, vs);
}

TEST(XorTest, ValueBlocks) {
  // 1.0 -> 3.0: xor 7ff8.. leading 1, trailing 51, 12 significant bits (new window).
  // 3.0 -> 2.0: xor 0008.. leading 12, trailing 51: fits the window -> '10' + 12 bits.
  // 2.0 -> 2.0: '0'.
  // 2.0 -> bits(2.0)^1: xor 1, leading 63 capped to 31, trailing 0 -> 33 significant bits.
  // -> 0.0 : xor 4000..0001: leading 1 trailing 0 does not fit (1 >= 31 false) -> new window.
  // 0.0 -> bits 8000..0001: 64 significant bits, written as 0.
  const double odd = std::bit_cast<double>(std::bit_cast<uint64_t>(2.0) ^ 1);
  const double neg_denorm = std::bit_cast<double>(0x8000000000000001ULL);
  std::vector<int64_t> ts = {0, 1, 2, 3, 4, 5, 6};
  std::vector<double> vs = {1.0, 3.0, 2.0, 2.0, odd, 0.0, neg_denorm};

  BitString want(7);
  want.Byte(0).Bits(std::bit_cast<uint64_t>(1.0), 64).Byte(1);
  want.Str("11").Bits(1, 5).Bits(12, 6).Bits(0x7ff8000000000000ULL >> 51, 12);
  want.Str("0").Str("10").Bits(1, 12);
  want.Str("0").Str("0");
  want.Str("0").Str("11").Bits(31, 5).Bits(33, 6).Bits(1, 33);
  // xor = 0x4000000000000001: leading 1 < 31 -> new window, leading 1, 63 significant bits.
  want.Str("0").Str("11").Bits(1, 5).Bits(63, 6).Bits(0x4000000000000001ULL, 63);
  // xor = 0x8000000000000001: leading 0 < 1 -> new window; 64 significant bits written as 0.
  want.Str("0").Str("11").Bits(0, 5).Bits(0, 6).Bits(0x8000000000000001ULL, 64);

  const std::string chunk = Encode(ts, vs);
  EXPECT_EQ(Hex(chunk), Hex(want.Bytes()));
  ExpectDecodes(chunk, ts, vs);
}

TEST(XorTest, SpecialValuesRoundTrip) {
  std::vector<int64_t> ts;
  std::vector<double> vs = {std::numeric_limits<double>::quiet_NaN(),
                            StaleNaN(),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            -0.0,
                            0.0,
                            std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::max(),
                            StaleNaN()};
  for (size_t i = 0; i < vs.size(); ++i) ts.push_back(static_cast<int64_t>(i) * 15000);
  const std::string chunk = Encode(ts, vs);
  ExpectDecodes(chunk, ts, vs);
  std::vector<int64_t> got_t;
  std::vector<double> got_v;
  ASSERT_TRUE(DecodeXor(chunk, &got_t, &got_v).ok());
  EXPECT_TRUE(IsStaleNaN(got_v[1]));
  EXPECT_FALSE(IsStaleNaN(got_v[0]));
}

TEST(XorTest, RandomRoundTrips) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 300; ++round) {
    const int n = 1 + static_cast<int>(rng() % 300);
    std::vector<int64_t> ts;
    std::vector<double> vs;
    int64_t t = static_cast<int64_t>(rng()) >> (rng() % 64);
    double v = 0;
    for (int i = 0; i < n; ++i) {
      switch (rng() % 4) {
        case 0: t += 15000; break;
        case 1: t += 15000 + static_cast<int64_t>(rng() % 200) - 100; break;
        case 2: t += static_cast<int64_t>(rng() % (1ULL << (rng() % 40))); break;
        default: t -= static_cast<int64_t>(rng() % 100000); break;  // even backwards
      }
      switch (rng() % 5) {
        case 0: break;
        case 1: v += 1; break;
        case 2: v = std::bit_cast<double>(rng()); break;
        case 3: v = static_cast<double>(rng() % 1000) / 7.0; break;
        default: v = std::bit_cast<double>(std::bit_cast<uint64_t>(v) ^ (1ULL << (rng() % 64)));
      }
      ts.push_back(t);
      vs.push_back(v);
    }
    ExpectDecodes(Encode(ts, vs), ts, vs);
    if (HasFatalFailure()) return;
  }
}

TEST(XorTest, DecodeAppendsToExistingVectors) {
  std::vector<int64_t> ts = {7};
  std::vector<double> vs = {7.5};
  ASSERT_TRUE(DecodeXor(Encode({1, 2}, {1.5, 2.5}), &ts, &vs).ok());
  EXPECT_EQ(ts, (std::vector<int64_t>{7, 1, 2}));
  EXPECT_EQ(vs, (std::vector<double>{7.5, 1.5, 2.5}));
}

TEST(XorTest, EncoderStopsAtMaxSamples) {
  XorEncoder enc;
  for (int i = 0; i < XorEncoder::kMaxSamples; ++i) ASSERT_TRUE(enc.Append(i, 1.0));
  EXPECT_FALSE(enc.Append(1 << 20, 2.0));
  EXPECT_EQ(enc.num_samples(), XorEncoder::kMaxSamples);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  ASSERT_TRUE(DecodeXor(enc.bytes(), &ts, &vs).ok());
  EXPECT_EQ(ts.size(), 65535u);
  EXPECT_EQ(ts.back(), 65534);
}

TEST(XorTest, TruncationIsAlwaysDetected) {
  std::mt19937_64 rng(7);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  for (int i = 0; i < 120; ++i) {
    ts.push_back(1700000000000 + i * 15000 + static_cast<int64_t>(rng() % 7));
    vs.push_back(static_cast<double>(rng() % 100000) / 3.0);
  }
  const std::string chunk = Encode(ts, vs);
  for (size_t len = 0; len < chunk.size(); ++len) {
    std::vector<int64_t> got_t = {1};
    std::vector<double> got_v = {1};
    Status st = DecodeXor(std::string_view(chunk.data(), len), &got_t, &got_v);
    EXPECT_EQ(st.code(), StatusCode::kCorrupt) << "len " << len;
    EXPECT_EQ(got_t.size(), 1u);  // left untouched
    EXPECT_EQ(got_v.size(), 1u);
    XorIterator it(std::string_view(chunk.data(), len));
    while (it.Next()) {
    }
    EXPECT_EQ(it.status().code(), StatusCode::kCorrupt) << "len " << len;
  }
}

TEST(XorTest, GarbageNeverCrashes) {
  std::mt19937_64 rng(99);
  int failures = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    std::vector<int64_t> ts;
    std::vector<double> vs;
    Status st = DecodeXor(junk, &ts, &vs);
    if (!st.ok()) {
      ++failures;
      EXPECT_EQ(st.code(), StatusCode::kCorrupt);
      EXPECT_TRUE(ts.empty());
    } else if (junk.size() >= 2) {
      EXPECT_EQ(ts.size(), XorNumSamples(junk));
    }
    XorIterator it(junk);
    while (it.Next()) {
    }
  }
  EXPECT_GT(failures, 1000);
}

TEST(XorTest, InvalidLeadingPlusLengthIsCorrupt) {
  // Second sample's value block claims 31 leading zeros and 40 significant bits (71 > 64).
  BitString b(2);
  b.Byte(0).Bits(0, 64).Byte(1).Str("11").Bits(31, 5).Bits(40, 6).Bits(0, 40);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  EXPECT_EQ(DecodeXor(b.Bytes(), &ts, &vs).code(), StatusCode::kCorrupt);
}

TEST(XorTest, OverlongVarintIsCorrupt) {
  std::string chunk = std::string("\x00\x01", 2) + std::string(11, '\xff') + std::string(8, '\0');
  std::vector<int64_t> ts;
  std::vector<double> vs;
  EXPECT_EQ(DecodeXor(chunk, &ts, &vs).code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace meridian::chunkenc
