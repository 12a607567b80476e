#pragma once
// Helpers shared by the downsampling tests. Bodies are built and taken apart here by hand from
// the layout in DOWNSAMPLING.md 1.2, without tsdb/chunkenc/aggr.h, so a mistake in the code under
// test cannot cancel itself out. XOR sub-chunks go through chunkenc's XOR codec, which has its
// own bit-exact tests against Prometheus.

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compact/downsample/window.h"
#include "storage/chunk.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian::compact::downsample::testing {

using Samples = std::vector<Sample>;

// Sample lists in the order count, sum, min, max, counter; nullopt = absent.
using AggrSamples = std::array<std::optional<Samples>, 5>;

inline constexpr uint8_t kXorByte = 0x01;

inline std::string XorOf(const Samples& s) {
  chunkenc::XorEncoder enc;
  for (const Sample& x : s) EXPECT_TRUE(enc.Append(x.t, x.v));
  return enc.Finish();
}

inline Samples DecodeXorSamples(std::string_view chunk) {
  std::vector<int64_t> ts;
  std::vector<double> vs;
  const Status s = chunkenc::DecodeXor(chunk, &ts, &vs);
  EXPECT_TRUE(s.ok()) << s.message();
  Samples out;
  for (size_t i = 0; i < ts.size(); ++i) out.push_back({ts[i], vs[i]});
  return out;
}

inline void PutUvarintByHand(uint64_t v, std::string* out) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v != 0) b |= 0x80;
    out->push_back(static_cast<char>(b));
  } while (v != 0);
}

// The body for the given sub-chunk bytes: uvarint(len), 0x01, data; absent = a single 0x00.
inline std::string BodyByHand(const std::array<std::optional<std::string>, 5>& subs) {
  std::string out;
  for (const auto& s : subs) {
    if (!s) {
      out.push_back('\0');
      continue;
    }
    PutUvarintByHand(s->size(), &out);
    out.push_back(static_cast<char>(kXorByte));
    out.append(*s);
  }
  return out;
}

struct HandEntry {
  uint8_t encoding = 0;
  std::string data;
};
using HandBody = std::array<std::optional<HandEntry>, 5>;

// Splits a body by hand; nullopt when it does not follow the layout exactly.
inline std::optional<HandBody> ParseBodyByHand(std::string_view body) {
  HandBody out;
  size_t pos = 0;
  for (size_t i = 0; i < 5; ++i) {
    uint64_t len = 0;
    int shift = 0;
    for (;;) {
      if (pos >= body.size() || shift > 63) return std::nullopt;
      const auto b = static_cast<uint8_t>(body[pos++]);
      len |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    if (len == 0) continue;
    if (pos + 1 + len > body.size()) return std::nullopt;
    out[i] = HandEntry{static_cast<uint8_t>(body[pos]), std::string(body.substr(pos + 1, len))};
    pos += 1 + len;
  }
  if (pos != body.size()) return std::nullopt;
  return out;
}

// The samples of every entry of an output chunk (all must be XOR).
inline AggrSamples DecodeAggregate(const storage::Chunk& c) {
  AggrSamples out;
  EXPECT_EQ(c.encoding, storage::ChunkEncoding::kAggregate);
  auto body = ParseBodyByHand(c.bytes());
  EXPECT_TRUE(body.has_value());
  if (!body) return out;
  for (size_t i = 0; i < 5; ++i) {
    if (!(*body)[i]) continue;
    EXPECT_EQ((*body)[i]->encoding, kXorByte);
    // #5272: an entry that is present always holds samples.
    EXPECT_GT(chunkenc::XorNumSamples((*body)[i]->data), 0);
    out[i] = DecodeXorSamples((*body)[i]->data);
  }
  return out;
}

inline storage::Chunk XorChunk(const Samples& s) {
  storage::Chunk c;
  c.min_time = s.empty() ? 0 : s.front().t;
  c.max_time = s.empty() ? 0 : s.back().t;
  c.encoding = storage::ChunkEncoding::kXOR;
  c.data = std::make_shared<const std::string>(XorOf(s));
  return c;
}

inline storage::Chunk AggregateChunk(const AggrSamples& in, int64_t min_time, int64_t max_time) {
  std::array<std::optional<std::string>, 5> subs;
  for (size_t i = 0; i < 5; ++i) {
    if (in[i]) subs[i] = XorOf(*in[i]);
  }
  storage::Chunk c;
  c.min_time = min_time;
  c.max_time = max_time;
  c.encoding = storage::ChunkEncoding::kAggregate;
  c.data = std::make_shared<const std::string>(BodyByHand(subs));
  return c;
}

inline bool SameBits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

inline std::string ToString(const Samples& s) {
  std::string out;
  for (const Sample& x : s) out += std::to_string(x.t) + ":" + std::to_string(x.v) + " ";
  return out;
}

// Exact comparison, values bit for bit.
inline void ExpectSamples(const Samples& got, const Samples& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what << "\n got " << ToString(got) << "\nwant " << ToString(want);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].t, want[i].t) << what << " sample " << i;
    EXPECT_TRUE(SameBits(got[i].v, want[i].v))
        << what << " sample " << i << ": got " << got[i].v << " want " << want[i].v;
  }
}

}  // namespace meridian::compact::downsample::testing
