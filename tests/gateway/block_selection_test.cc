// Which blocks a Series request reads at which resolution (storeapi/gateway/block_selection.h):
// Thanos's getFor and Meridian's filling with coarser data.

#include "storeapi/gateway/block_selection.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

namespace meridian::storeapi::gateway {
namespace {

constexpr int64_t kH = 3600'000;
constexpr int64_t k5m = 300'000;

// (block, mint, maxt) per span, in the order picked.
std::vector<std::tuple<size_t, int64_t, int64_t>> Spans(const std::vector<BlockRange>& blocks, int64_t mint,
                                                        int64_t maxt, int64_t max_res, int64_t fill_res) {
  std::vector<std::tuple<size_t, int64_t, int64_t>> out;
  for (const BlockSpan& s : SelectBlockSpans(blocks, mint, maxt, max_res, fill_res)) out.emplace_back(s.block, s.mint, s.maxt);
  return out;
}

using V = std::vector<std::tuple<size_t, int64_t, int64_t>>;

TEST(BlockSelection, CoarsestAllowedFirstFinerInTheGaps) {
  // Raw [0, 48h), 5m [0, 24h) and [24h, 48h) copies, 1h over [0, 24h).
  const std::vector<BlockRange> blocks = {
      {0, 48 * kH, 0}, {0, 24 * kH, k5m}, {24 * kH, 48 * kH, k5m}, {0, 24 * kH, kH}};
  EXPECT_EQ(Spans(blocks, 0, 48 * kH - 1, 0, 0), (V{{0, 0, 48 * kH - 1}}));
  EXPECT_EQ(Spans(blocks, 0, 48 * kH - 1, k5m, k5m), (V{{1, 0, 24 * kH - 1}, {2, 24 * kH, 48 * kH - 1}}));
  // 1h where it exists, 5m after it.
  EXPECT_EQ(Spans(blocks, 0, 48 * kH - 1, kH, kH), (V{{3, 0, 24 * kH - 1}, {2, 24 * kH, 48 * kH - 1}}));
  // A finer block filling a gap is read only over the gap (Thanos returns it whole).
  const std::vector<BlockRange> partial = {{0, 48 * kH, 0}, {0, 24 * kH, k5m}};
  EXPECT_EQ(Spans(partial, 0, 48 * kH - 1, k5m, k5m), (V{{1, 0, 24 * kH - 1}, {0, 24 * kH, 48 * kH - 1}}));
}

TEST(BlockSelection, CoarserDataFillsTimeWithoutFinerDataFinestFirst) {
  // Raw kept for the last day only; 5m for days 1-2, 1h for days 0-2.
  const std::vector<BlockRange> blocks = {
      {48 * kH, 72 * kH, 0}, {24 * kH, 72 * kH, k5m}, {0, 72 * kH, kH}};
  // Without filling (Thanos): raw only, nothing before day 2.
  EXPECT_EQ(Spans(blocks, 0, 72 * kH - 1, 0, 0), (V{{0, 48 * kH, 72 * kH - 1}}));
  // Raw where it exists, then 5m, then 1h for what is left.
  EXPECT_EQ(Spans(blocks, 0, 72 * kH - 1, 0, kH),
            (V{{0, 48 * kH, 72 * kH - 1}, {1, 24 * kH, 48 * kH - 1}, {2, 0, 24 * kH - 1}}));
  // Filling stops at fill_resolution.
  EXPECT_EQ(Spans(blocks, 0, 72 * kH - 1, 0, k5m), (V{{0, 48 * kH, 72 * kH - 1}, {1, 24 * kH, 48 * kH - 1}}));
  // Nothing to fill: coarser blocks are not read at all.
  EXPECT_EQ(Spans(blocks, 50 * kH, 60 * kH, 0, kH), (V{{0, 50 * kH, 60 * kH}}));
}

TEST(BlockSelection, ABlockFillingSeveralGapsIsReadOnce) {
  // Raw with a hole in the middle; one 5m block over all of it.
  const std::vector<BlockRange> blocks = {{0, 10 * kH, 0}, {20 * kH, 30 * kH, 0}, {0, 40 * kH, k5m}};
  EXPECT_EQ(Spans(blocks, 0, 40 * kH - 1, 0, k5m),
            (V{{0, 0, 10 * kH - 1}, {1, 20 * kH, 30 * kH - 1}, {2, 10 * kH, 40 * kH - 1}}));
}

}  // namespace
}  // namespace meridian::storeapi::gateway
