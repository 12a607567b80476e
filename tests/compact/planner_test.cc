#include "compact/planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>
#include <random>
#include <set>

namespace meridian::compact {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using tsdb::BlockMeta;
using tsdb::Ulid;

constexpr int64_t H = kHourMs;
constexpr int64_t kDay = 24 * H;

// ULIDs in creation order, distinct across the whole test binary.
Ulid NextUlid() {
  static uint64_t n = 0;
  ++n;
  std::array<uint8_t, 10> entropy{};
  for (int i = 0; i < 8; ++i) entropy[9 - i] = static_cast<uint8_t>(n >> (8 * i));
  return Ulid::FromParts(1700000000000 + n, entropy);
}

BlockMeta Block(int64_t mint, int64_t maxt, int level = 1) {
  BlockMeta m;
  m.ulid = NextUlid();
  m.min_time = mint;
  m.max_time = maxt;
  m.compaction.level = level;
  m.compaction.sources = {m.ulid};
  m.stats.num_series = 99;
  return m;
}

BlockMeta WithTombstones(BlockMeta m, uint64_t tombstones) {
  m.stats.num_tombstones = tombstones;
  return m;
}

// Consecutive 2h blocks [start, start + n*2h).
std::vector<BlockMeta> TwoHourBlocks(int64_t start, int n) {
  std::vector<BlockMeta> out;
  for (int i = 0; i < n; ++i) out.push_back(Block(start + i * 2 * H, start + (i + 1) * 2 * H));
  return out;
}

std::vector<Ulid> Ids(const std::vector<BlockMeta>& metas) {
  std::vector<Ulid> out;
  for (const BlockMeta& m : metas) out.push_back(m.ulid);
  return out;
}

std::vector<BlockMeta> PlanOf(std::vector<BlockMeta> metas, std::set<Ulid> no_compact = {},
                              const std::vector<int64_t>& ranges = CompactionRanges()) {
  return Plan(PlanInput{std::move(metas), std::move(no_compact)}, ranges);
}

// Replaces the plan's blocks in *blocks by their compacted block.
void ApplyPlan(std::vector<BlockMeta>* blocks, const std::vector<BlockMeta>& plan) {
  std::set<Ulid> gone;
  for (const BlockMeta& m : plan) gone.insert(m.ulid);
  std::erase_if(*blocks, [&](const BlockMeta& m) { return gone.contains(m.ulid); });
  blocks->push_back(CompactedMeta(plan, NextUlid()));
}

// ---------------------------------------------------------------------------------------------
// Ranges

TEST(CompactionRanges, ThanosLadderWithoutOneHour) {
  EXPECT_THAT(CompactionRanges(), ElementsAre(2 * H, 8 * H, 48 * H, 336 * H));
  EXPECT_THAT(CompactionRanges(3), ElementsAre(2 * H, 8 * H, 48 * H));
  EXPECT_THAT(CompactionRanges(1), ElementsAre(2 * H));
  EXPECT_THAT(CompactionRanges(0), IsEmpty());
  EXPECT_THAT(CompactionRanges(-1), IsEmpty());
  EXPECT_EQ(CompactionRanges(9), CompactionRanges());
}

TEST(CompactionRanges, TombstoneRangeIsThanosMiddleEntry) {
  // Thanos: levels(n) = first n+1 of {1h,2h,8h,48h,336h}, threshold = levels[len/2].
  EXPECT_EQ(TombstoneRewriteMinRange(CompactionRanges(4)), 8 * H);  // {1h,2h,8h,48h,336h}[2]
  EXPECT_EQ(TombstoneRewriteMinRange(CompactionRanges(3)), 8 * H);  // {1h,2h,8h,48h}[2]
  EXPECT_EQ(TombstoneRewriteMinRange(CompactionRanges(2)), 2 * H);  // {1h,2h,8h}[1]
  EXPECT_EQ(TombstoneRewriteMinRange(CompactionRanges(1)), 2 * H);  // {1h,2h}[1]
  EXPECT_EQ(TombstoneRewriteMinRange(CompactionRanges(0)), 1 * H);  // {1h}[0]
}

// ---------------------------------------------------------------------------------------------
// Plan

TEST(Plan, NothingOrSingleBlockNeverPlans) {
  EXPECT_THAT(PlanOf({}), IsEmpty());
  EXPECT_THAT(PlanOf({Block(0, 2 * H)}), IsEmpty());
  // Not even through the tombstone rule: the only block is the newest one.
  EXPECT_THAT(PlanOf({WithTombstones(Block(0, 336 * H, 4), 50)}), IsEmpty());
}

TEST(Plan, FourAlignedTwoHourBlocksWaitForAFifth) {
  // Thanos #7287: the newest block is set aside, so the 8h window [0, 8h) only has three blocks
  // ending after the newest remaining one starts.
  std::vector<BlockMeta> blocks = TwoHourBlocks(0, 4);
  EXPECT_THAT(PlanOf(blocks), IsEmpty());
  std::vector<BlockMeta> five = blocks;
  five.push_back(Block(8 * H, 10 * H));
  EXPECT_EQ(Ids(PlanOf(five)), Ids(blocks));
}

TEST(Plan, InputOrderDoesNotMatterAndPlanIsSortedByMinTime) {
  std::vector<BlockMeta> blocks = TwoHourBlocks(0, 5);
  std::vector<BlockMeta> shuffled = blocks;
  std::mt19937 rng(42);
  for (int i = 0; i < 10; ++i) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_EQ(Ids(PlanOf(shuffled)), Ids({blocks[0], blocks[1], blocks[2], blocks[3]}));
  }
}

TEST(Plan, OverlappingRunComesBeforeLeveledWindows) {
  std::vector<BlockMeta> blocks = TwoHourBlocks(0, 4);  // a full 8h window
  BlockMeta a = Block(8 * H, 10 * H), b = Block(9 * H, 11 * H);
  blocks.push_back(a);
  blocks.push_back(b);
  blocks.push_back(Block(12 * H, 14 * H));
  EXPECT_EQ(Ids(PlanOf(blocks)), Ids({a, b}));
}

TEST(Plan, OverlapIncludingNewestBlockAndAnySizeIsPlanned) {
  // The overlap check runs before the newest block is set aside, and ignores the ladder.
  BlockMeta big = Block(0, 336 * H, 4), inner = Block(100 * H, 102 * H);
  EXPECT_EQ(Ids(PlanOf({inner, big})), Ids({big, inner}));
  BlockMeta x = Block(0, 2 * H), y = Block(2 * H, 4 * H), z = Block(3 * H, 5 * H);
  EXPECT_EQ(Ids(PlanOf({x, y, z})), Ids({y, z}));
}

TEST(Plan, OnlyTheFirstOverlappingRunIsReturned) {
  BlockMeta a = Block(0, 10 * H), b = Block(2 * H, 3 * H), c = Block(4 * H, 12 * H);
  BlockMeta d = Block(12 * H, 14 * H), e = Block(13 * H, 15 * H);
  // c overlaps a (the running maximum), not b; d starts exactly at the running maximum.
  EXPECT_EQ(Ids(PlanOf({e, d, c, b, a})), Ids({a, b, c}));
  // Once merged, the second run comes next.
  std::vector<BlockMeta> blocks = {a, b, c, d, e};
  ApplyPlan(&blocks, {a, b, c});
  EXPECT_EQ(Ids(PlanOf(blocks)), Ids({d, e}));
}

TEST(Plan, NoCompactBlocksAreIgnoredByTheOverlapCheck) {
  BlockMeta a = Block(0, 2 * H), marked = Block(1 * H, 3 * H), c = Block(2 * H, 4 * H);
  BlockMeta d = Block(4 * H, 6 * H), e = Block(6 * H, 8 * H), newest = Block(8 * H, 10 * H);
  std::vector<BlockMeta> blocks = {a, marked, c, d, e, newest};
  EXPECT_EQ(Ids(PlanOf(blocks)), Ids({a, marked, c}));
  // Marked: no overlap remains; the 8h window [0,8h) is split at the marked block and its first
  // run of two or more blocks is returned.
  EXPECT_EQ(Ids(PlanOf(blocks, {marked.ulid})), Ids({c, d, e}));
}

TEST(Plan, FailedCompactionWindowIsSkipped) {
  std::vector<BlockMeta> blocks = TwoHourBlocks(0, 9);  // two full 8h windows + newest
  blocks[1].compaction.failed = true;
  EXPECT_EQ(Ids(PlanOf(blocks)), Ids({blocks[4], blocks[5], blocks[6], blocks[7]}));
  // With a failure in both windows the larger windows contain one too: nothing to do.
  blocks[5].compaction.failed = true;
  EXPECT_THAT(PlanOf(blocks), IsEmpty());
}

TEST(Plan, NoCompactMarkSplitsTheWindow) {
  std::vector<BlockMeta> b = TwoHourBlocks(0, 5);  // window [0,8h) full, b[4] newest
  EXPECT_EQ(Ids(PlanOf(b, {b[1].ulid})), Ids({b[2], b[3]}));
  EXPECT_EQ(Ids(PlanOf(b, {b[2].ulid})), Ids({b[0], b[1]}));
  EXPECT_EQ(Ids(PlanOf(b, {b[0].ulid})), Ids({b[1], b[2], b[3]}));
  // No run of two left in the window, and the 48h window [0,48h) is neither full nor before
  // the newest remaining block (b[3] starts at 6h, the part ends at 8h).
  EXPECT_THAT(PlanOf(b, {b[1].ulid, b[2].ulid}), IsEmpty());
}

TEST(Plan, MarkedBlockStillCountsForWindowBounds) {
  std::vector<BlockMeta> b = TwoHourBlocks(0, 5);
  // b[3] marked: [0,8h) is still a full window, so b[0..2] compact.
  EXPECT_EQ(Ids(PlanOf(b, {b[3].ulid})), Ids({b[0], b[1], b[2]}));
  // Without b[3] at all, b[0..2] end at 6h after the newest remaining block starts (4h).
  EXPECT_THAT(PlanOf({b[0], b[1], b[2], b[4]}), IsEmpty());
}

TEST(Plan, HighTimeRule) {
  // A partial window ending by the newest remaining block's start qualifies.
  BlockMeta p1 = Block(2 * H, 4 * H), p2 = Block(4 * H, 6 * H);
  EXPECT_EQ(
      Ids(PlanOf({p1, p2, Block(8 * H, 10 * H), Block(10 * H, 12 * H), Block(12 * H, 14 * H)})),
      Ids({p1, p2}));
  // Ending after it (6h > 4h) it waits: a block for [6h, 8h) may still come.
  EXPECT_THAT(PlanOf({p1, p2, Block(6 * H, 8 * H)}), IsEmpty());
  // A window spanning its full range qualifies even with a gap inside.
  BlockMeta g1 = Block(0, 2 * H), g2 = Block(6 * H, 8 * H);
  EXPECT_EQ(Ids(PlanOf({g1, g2, Block(8 * H, 10 * H)})), Ids({g1, g2}));
}

TEST(Plan, SmallestRangeFirst) {
  // [0,48h) is a full 2d window of five 8h blocks and four 2h blocks, but the 8h window
  // [40h,48h) of 2h blocks goes first.
  std::vector<BlockMeta> blocks;
  for (int i = 0; i < 5; ++i) blocks.push_back(Block(i * 8 * H, (i + 1) * 8 * H, 2));
  std::vector<BlockMeta> small = TwoHourBlocks(40 * H, 4);
  blocks.insert(blocks.end(), small.begin(), small.end());
  blocks.push_back(Block(48 * H, 50 * H));
  std::vector<BlockMeta> plan = PlanOf(blocks);
  EXPECT_EQ(Ids(plan), Ids(small));
  ApplyPlan(&blocks, plan);
  plan = PlanOf(blocks);
  ASSERT_EQ(plan.size(), 6u);
  EXPECT_EQ(plan.front().min_time, 0);
  EXPECT_EQ(plan.back().max_time, 48 * H);
}

TEST(Plan, BlockCrossingAWindowIsLeftForALargerRange) {
  BlockMeta a = Block(0, 2 * H), crossing = Block(2 * H, 10 * H, 2), c = Block(10 * H, 12 * H);
  BlockMeta d = Block(12 * H, 14 * H), e = Block(14 * H, 16 * H);
  std::vector<BlockMeta> blocks = {
      a, crossing, c, d, e, Block(48 * H, 50 * H), Block(50 * H, 52 * H)};
  // 8h: [0,8h) holds only a (crossing ends at 10h); [8h,16h) ends before 48h.
  std::vector<BlockMeta> plan = PlanOf(blocks);
  EXPECT_EQ(Ids(plan), Ids({c, d, e}));
  ApplyPlan(&blocks, plan);
  // 48h: the crossing block fits [0,48h).
  plan = PlanOf(blocks);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].ulid, a.ulid);
  EXPECT_EQ(plan[1].ulid, crossing.ulid);
  EXPECT_EQ(plan[2].min_time, 10 * H);
  EXPECT_EQ(plan[2].max_time, 16 * H);
}

TEST(Plan, TombstoneRulePicksTheNewestLargeBlockAboveFivePercent) {
  BlockMeta x = Block(0, 8 * H, 2), y = Block(8 * H, 16 * H, 2), newest = Block(16 * H, 18 * H);
  // 6 / (99 + 1) > 5%.
  EXPECT_EQ(Ids(PlanOf({WithTombstones(x, 6), y, newest})), Ids({x}));
  // Exactly 5% is not enough.
  EXPECT_THAT(PlanOf({WithTombstones(x, 5), y, newest}), IsEmpty());
  // Both qualify: the newest wins.
  EXPECT_EQ(Ids(PlanOf({WithTombstones(x, 50), WithTombstones(y, 6), newest})), Ids({y}));
  // The newest block itself is set aside.
  EXPECT_THAT(PlanOf({x, WithTombstones(y, 50)}), IsEmpty());
  // A no-compact block is never picked.
  EXPECT_THAT(PlanOf({WithTombstones(x, 50), y, newest}, {x.ulid}), IsEmpty());
}

TEST(Plan, TombstoneWalkStopsAtTheFirstSmallBlock) {
  BlockMeta x = WithTombstones(Block(0, 8 * H, 2), 50);
  BlockMeta small = Block(8 * H, 10 * H), newest = Block(10 * H, 12 * H);
  EXPECT_THAT(PlanOf({x, small, newest}), IsEmpty());
  // A 2h block with tombstones is below the 8h threshold too.
  EXPECT_THAT(PlanOf({Block(0, 8 * H, 2), WithTombstones(small, 50), newest}), IsEmpty());
}

TEST(Plan, TombstoneThresholdFollowsTheMaxLevel) {
  BlockMeta x = WithTombstones(Block(0, 2 * H), 50), y = Block(10 * H, 12 * H);
  BlockMeta newest = Block(20 * H, 22 * H);
  EXPECT_THAT(PlanOf({x, y, newest}), IsEmpty());
  EXPECT_EQ(Ids(PlanOf({x, y, newest}, {}, CompactionRanges(2))), Ids({x}));
}

TEST(Plan, NoCompactNewestKeepsTheNextBlockATombstoneCandidate) {
  // Thanos drops the newest block from the candidates only when it is not marked; the newest
  // unmarked block then stays eligible for the tombstone rule.
  BlockMeta x = Block(0, 8 * H, 2), y = WithTombstones(Block(8 * H, 16 * H, 2), 50);
  BlockMeta marked = Block(16 * H, 24 * H, 2);
  EXPECT_EQ(Ids(PlanOf({x, y, marked}, {marked.ulid})), Ids({y}));
  EXPECT_THAT(PlanOf({x, y}), IsEmpty());
}

TEST(Plan, AllBlocksMarkedPlansNothing) {
  std::vector<BlockMeta> b = TwoHourBlocks(0, 5);
  std::set<Ulid> all;
  for (const BlockMeta& m : b) all.insert(m.ulid);
  EXPECT_THAT(PlanOf(b, all), IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// Layout simulation: 30 days of contiguous 2h blocks compacted until the planner is done.

std::string FormatTime(int64_t ms) {
  std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M", &tm);
  return buf;
}

std::string Describe(int64_t mint, int64_t maxt, int level) {
  return "[" + FormatTime(mint) + ", " + FormatTime(maxt) + ") L" + std::to_string(level);
}

std::vector<std::string> DescribeLayout(std::vector<BlockMeta> blocks) {
  std::sort(blocks.begin(), blocks.end(),
            [](const BlockMeta& a, const BlockMeta& b) { return a.min_time < b.min_time; });
  std::vector<std::string> out;
  for (const BlockMeta& m : blocks)
    out.push_back(Describe(m.min_time, m.max_time, m.compaction.level));
  return out;
}

int64_t FloorTo(int64_t t, int64_t step) { return t / step * step; }  // t >= 0 here

// The expected final layout for contiguous 2h blocks over [start, end), worked out from the
// rules rather than by running a planner:
//  - the newest block [end-2h, end) is never compacted, so the data to lay out is
//    [start, r_end) with r_end = end - 2h;
//  - an epoch-aligned window is merged when it is full, or when it ends by `high`, the start of
//    the newest block other than the last one. Only the window holding `start` can be partial
//    at its start; windows reaching past r_end are partial at their end and never qualify;
//  - `high` is where the last full window ending exactly at r_end starts (the largest range
//    r_end is aligned to whose window fits in the data), or r_end - 2h when there is none;
//  - larger ranges win: whatever a 14d window covers is one block, then 2d windows take the
//    rest from where the 14d ones stop, then 8h, then 2h blocks remain.
struct Expected {
  int64_t mint, maxt;
  int level;
};

// Level of the block covering [a, b) inside one window of ladder[k]: it is made of its pieces in
// the ladder[k-1] windows; with a single piece no compaction happens at this level.
int ExpectedLevel(int64_t a, int64_t b, size_t k, const std::vector<int64_t>& ladder,
                  int* compactions) {
  if (k == 0) return 1;  // a 2h block as uploaded
  int64_t r = ladder[k - 1];
  std::vector<std::pair<int64_t, int64_t>> pieces;
  for (int64_t w = FloorTo(a, r); w < b; w += r)
    pieces.emplace_back(std::max(a, w), std::min(b, w + r));
  int level = 0;
  for (auto [pa, pb] : pieces)
    level = std::max(level, ExpectedLevel(pa, pb, k - 1, ladder, compactions));
  if (pieces.size() < 2) return level;
  ++*compactions;
  return level + 1;
}

std::vector<Expected> ExpectedLayout(int64_t start, int64_t end, int* compactions) {
  const std::vector<int64_t> ladder = {2 * H, 8 * H, 2 * kDay, 14 * kDay};
  const int64_t r_end = end - 2 * H;
  int64_t high = r_end - 2 * H;
  for (int64_t r : ladder) {
    if (r_end % r == 0 && r_end - r >= start) high = r_end - r;
  }
  std::vector<Expected> out;
  int64_t cursor = start;
  for (size_t k = ladder.size() - 1; k >= 1; --k) {
    const int64_t r = ladder[k];
    for (;;) {
      int64_t w = FloorTo(cursor, r);
      bool full = cursor == w && w + r <= r_end;
      bool before_high = w + r <= high;
      if (!full && !before_high) break;
      out.push_back({cursor, w + r, ExpectedLevel(cursor, w + r, k, ladder, compactions)});
      cursor = w + r;
    }
  }
  for (; cursor < end; cursor += 2 * H) out.push_back({cursor, cursor + 2 * H, 1});
  return out;
}

// Runs Plan and replaces each plan by its compacted block until the planner is done; returns
// the number of compactions.
int CompactUntilDone(std::vector<BlockMeta>* blocks) {
  const std::vector<int64_t> ranges = CompactionRanges();
  for (int n = 0; n < 10000; ++n) {
    std::vector<BlockMeta> plan = Plan(PlanInput{*blocks, {}}, ranges);
    if (plan.empty()) return n;
    EXPECT_GE(plan.size(), 2u);
    ApplyPlan(blocks, plan);
  }
  ADD_FAILURE() << "planner did not converge";
  return -1;
}

class LayoutSimulation : public ::testing::TestWithParam<int64_t> {
 protected:
  static constexpr int kBlocks = 30 * 12;  // 30 days of 2h blocks

  void CheckFinalLayout(const std::vector<BlockMeta>& blocks,
                        const std::vector<BlockMeta>& uploaded) {
    const int64_t start = GetParam(), end = start + 30 * kDay;
    int model_compactions = 0;
    std::vector<std::string> want;
    for (const Expected& e : ExpectedLayout(start, end, &model_compactions)) {
      want.push_back(Describe(e.mint, e.maxt, e.level));
    }
    EXPECT_EQ(DescribeLayout(blocks), want);

    // Each block lies inside one epoch-aligned window of the range its level stands for, and
    // starts at that window's start unless it holds the first data.
    const std::map<int, int64_t> range_of_level = {
        {1, 2 * H}, {2, 8 * H}, {3, 2 * kDay}, {4, 14 * kDay}};
    for (const BlockMeta& m : blocks) {
      SCOPED_TRACE(Describe(m.min_time, m.max_time, m.compaction.level));
      ASSERT_TRUE(range_of_level.contains(m.compaction.level));
      int64_t r = range_of_level.at(m.compaction.level);
      int64_t w = FloorTo(m.min_time, r);
      EXPECT_LE(m.max_time, w + r);
      EXPECT_TRUE(m.min_time == w || m.min_time == start);
    }

    // Nothing overlaps, every uploaded block is the source of exactly one block, and the
    // newest upload is untouched.
    EXPECT_EQ(FindOverlap(blocks), std::nullopt);
    std::multiset<Ulid> sources;
    for (const BlockMeta& m : blocks)
      sources.insert(m.compaction.sources.begin(), m.compaction.sources.end());
    std::multiset<Ulid> want_sources;
    for (const BlockMeta& m : uploaded) want_sources.insert(m.ulid);
    EXPECT_TRUE(sources == want_sources);
    EXPECT_TRUE(std::any_of(blocks.begin(), blocks.end(),
                            [&](const BlockMeta& m) { return m.ulid == uploaded.back().ulid; }));

    // Done means done.
    EXPECT_THAT(PlanOf(blocks), IsEmpty());
  }

  int ModelCompactions() {
    int n = 0;
    ExpectedLayout(GetParam(), GetParam() + 30 * kDay, &n);
    return n;
  }
};

TEST_P(LayoutSimulation, AllBlocksAtOnce) {
  const std::vector<BlockMeta> uploaded = TwoHourBlocks(GetParam(), kBlocks);
  std::vector<BlockMeta> blocks = uploaded;
  int compactions = CompactUntilDone(&blocks);
  CheckFinalLayout(blocks, uploaded);
  // Every compaction of the model happens once: no block is merged in a detour.
  EXPECT_EQ(compactions, ModelCompactions());
}

TEST_P(LayoutSimulation, OneUploadEveryTwoHours) {
  // As a running system sees it: the compactor runs to completion after every upload.
  const std::vector<BlockMeta> uploaded = TwoHourBlocks(GetParam(), kBlocks);
  std::vector<BlockMeta> blocks;
  int compactions = 0;
  for (const BlockMeta& m : uploaded) {
    blocks.push_back(m);
    compactions += CompactUntilDone(&blocks);
    ASSERT_EQ(FindOverlap(blocks), std::nullopt);
  }
  CheckFinalLayout(blocks, uploaded);
  EXPECT_EQ(compactions, ModelCompactions());
}

// 2024-03-01T00:00Z is day 19783, the second day of a 14d epoch window, so the first 14d
// window is partial. At 10:00 the first 8h and 2d windows are partial too, and the last 8h
// window before the newest block is full. Starting 2024-03-02T02:00Z the data before the
// newest block ends on a 2d boundary, so the last 2d window is full.
INSTANTIATE_TEST_SUITE_P(Starts, LayoutSimulation,
                         ::testing::Values(int64_t{1709251200000}, int64_t{1709287200000},
                                           int64_t{1709344800000}));

TEST(LayoutSimulationModel, MidnightStartHasTheExpectedShape) {
  // Hand-written for 2024-03-01T00:00Z (day 19783) to 2024-03-31T00:00Z (day 19813); the 14d
  // epoch windows start on days 19782, 19796 and 19810.
  int n = 0;
  std::vector<std::string> got;
  for (const Expected& e : ExpectedLayout(19783 * kDay, 19813 * kDay, &n)) {
    got.push_back(Describe(e.mint, e.maxt, e.level));
  }
  EXPECT_THAT(
      got,
      ElementsAre(
          "[2024-03-01T00:00, 2024-03-14T00:00) L4",  // partial 14d window
          "[2024-03-14T00:00, 2024-03-28T00:00) L4", "[2024-03-28T00:00, 2024-03-30T00:00) L3",
          "[2024-03-30T00:00, 2024-03-30T08:00) L2", "[2024-03-30T08:00, 2024-03-30T16:00) L2",
          "[2024-03-30T16:00, 2024-03-30T18:00) L1", "[2024-03-30T18:00, 2024-03-30T20:00) L1",
          "[2024-03-30T20:00, 2024-03-30T22:00) L1", "[2024-03-30T22:00, 2024-03-31T00:00) L1"));
}

// ---------------------------------------------------------------------------------------------
// CompactedMeta

TEST(CompactedMeta, FillsWhatCompactBlockMetasSets) {
  Ulid s1 = NextUlid(), s2 = NextUlid(), s3 = NextUlid(), s4 = NextUlid();
  BlockMeta a = Block(0, 2 * H, 1), b = Block(2 * H, 8 * H, 2), c = Block(1 * H, 10 * H, 1);
  a.compaction.sources = {s3};
  b.compaction.sources = {s2, s1};
  c.compaction.sources = {s4, s2};
  a.stats.num_samples = 7;
  a.thanos = tsdb::ThanosMeta{};
  Ulid out_id = NextUlid();
  BlockMeta out = CompactedMeta({a, b, c}, out_id);
  EXPECT_EQ(out.ulid, out_id);
  EXPECT_EQ(out.min_time, 0);
  EXPECT_EQ(out.max_time, 10 * H);
  EXPECT_EQ(out.compaction.level, 3);
  EXPECT_THAT(out.compaction.sources, ElementsAre(s1, s2, s3, s4));
  ASSERT_EQ(out.compaction.parents.size(), 3u);
  EXPECT_EQ(out.compaction.parents[0].ulid, a.ulid);
  EXPECT_EQ(out.compaction.parents[1].ulid, b.ulid);
  EXPECT_EQ(out.compaction.parents[2].ulid, c.ulid);
  EXPECT_EQ(out.compaction.parents[2].min_time, 1 * H);
  EXPECT_EQ(out.compaction.parents[2].max_time, 10 * H);
  EXPECT_FALSE(out.compaction.failed);
  EXPECT_FALSE(out.compaction.deletable);
  EXPECT_EQ(out.stats.num_samples, 0u);
  EXPECT_FALSE(out.thanos.has_value());
  EXPECT_EQ(out.version, 1);
}

TEST(CompactedMeta, SourcesSortedByUlidBytes) {
  // Same millisecond, entropy decides.
  std::array<uint8_t, 10> lo{}, hi{};
  hi[0] = 0xff;
  Ulid big = Ulid::FromParts(5000, hi), small = Ulid::FromParts(5000, lo);
  BlockMeta a = Block(0, 2 * H), b = Block(2 * H, 4 * H);
  a.compaction.sources = {big};
  b.compaction.sources = {small};
  EXPECT_THAT(CompactedMeta({a, b}, NextUlid()).compaction.sources, ElementsAre(small, big));
}

// ---------------------------------------------------------------------------------------------
// FindOverlap

TEST(FindOverlap, NoneForAdjacentBlocks) {
  EXPECT_EQ(FindOverlap({}), std::nullopt);
  EXPECT_EQ(FindOverlap({Block(0, 2 * H)}), std::nullopt);
  EXPECT_EQ(FindOverlap({Block(4 * H, 6 * H), Block(0, 2 * H), Block(2 * H, 4 * H)}), std::nullopt);
}

TEST(FindOverlap, DescribesLikePrometheus) {
  BlockMeta a = Block(0, 2 * H), b = Block(1 * H, 3 * H);
  std::optional<std::string> got = FindOverlap({b, a});
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "[mint: 3600000, maxt: 7200000, range: 1h0m0s, blocks: 2]: <ulid: " +
                      a.ulid.ToString() + ", mint: 0, maxt: 7200000, range: 2h0m0s>, <ulid: " +
                      b.ulid.ToString() + ", mint: 3600000, maxt: 10800000, range: 2h0m0s>");
}

TEST(FindOverlap, DuplicateUploadOverlaps) {
  BlockMeta a = Block(0, 2 * H), dup = Block(0, 2 * H);
  EXPECT_NE(FindOverlap({a, dup}), std::nullopt);
}

TEST(FindOverlap, SeparateGroupsOnePerLine) {
  BlockMeta a = Block(0, 2 * H), b = Block(1 * H, 3 * H);
  BlockMeta c = Block(10 * H, 12 * H), d = Block(11 * H + 30 * 1000, 13 * H);
  std::optional<std::string> got = FindOverlap({d, c, b, a, Block(20 * H, 22 * H)});
  ASSERT_TRUE(got.has_value());
  EXPECT_THAT(*got,
              ::testing::StartsWith("[mint: 3600000, maxt: 7200000, range: 1h0m0s, blocks: 2]"));
  EXPECT_THAT(*got,
              ::testing::HasSubstr("\n[mint: 39630000, maxt: 43200000, range: 59m30s, blocks: 2]"));
}

TEST(FindOverlap, NewGroupOnceAPendingBlockEnds) {
  // b ends before c starts, so c opens a second group with a although all three overlap a.
  BlockMeta a = Block(0, 10 * H), b = Block(1 * H, 2 * H), c = Block(3 * H, 4 * H);
  std::optional<std::string> got = FindOverlap({a, b, c});
  ASSERT_TRUE(got.has_value());
  std::string want1 = "[mint: 3600000, maxt: 7200000, range: 1h0m0s, blocks: 2]";
  std::string want2 = "\n[mint: 10800000, maxt: 14400000, range: 1h0m0s, blocks: 2]";
  EXPECT_THAT(*got, ::testing::StartsWith(want1));
  EXPECT_THAT(*got, ::testing::HasSubstr(want2));
  // Without the gap all three form one group.
  BlockMeta c2 = Block(1 * H + 1000, 4 * H);
  got = FindOverlap({a, b, c2});
  ASSERT_TRUE(got.has_value());
  EXPECT_THAT(*got, ::testing::HasSubstr("blocks: 3]"));
  EXPECT_EQ(got->find('\n'), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Index size filter

std::function<int64_t(const BlockMeta&)> Sizes(std::map<Ulid, int64_t> sizes) {
  return [sizes = std::move(sizes)](const BlockMeta& m) { return sizes.at(m.ulid); };
}

TEST(BlockExceedingIndexSize, BelowThresholdGoesAhead) {
  std::vector<BlockMeta> p = TwoHourBlocks(0, 3);
  EXPECT_EQ(
      BlockExceedingIndexSize(p, Sizes({{p[0].ulid, 10}, {p[1].ulid, 20}, {p[2].ulid, 54}}), 100),
      std::nullopt);
  EXPECT_EQ(BlockExceedingIndexSize({}, Sizes({}), 100), std::nullopt);
}

TEST(BlockExceedingIndexSize, LargestSoFarOnceTotalReachesEightyFivePercent) {
  std::vector<BlockMeta> p = TwoHourBlocks(0, 3);
  // 10 + 50 + 25 = 85 = 0.85 x 100.
  EXPECT_EQ(
      BlockExceedingIndexSize(p, Sizes({{p[0].ulid, 10}, {p[1].ulid, 50}, {p[2].ulid, 25}}), 100),
      p[1].ulid);
  // The limit is hit at the second block: the later, larger one is not considered.
  EXPECT_EQ(
      BlockExceedingIndexSize(p, Sizes({{p[0].ulid, 40}, {p[1].ulid, 50}, {p[2].ulid, 100}}), 100),
      p[1].ulid);
  // Ties: the first.
  EXPECT_EQ(
      BlockExceedingIndexSize(p, Sizes({{p[0].ulid, 50}, {p[1].ulid, 50}, {p[2].ulid, 1}}), 100),
      p[0].ulid);
  // The threshold is truncated: 0.85 x 101 = 85.85 -> 85.
  EXPECT_EQ(BlockExceedingIndexSize({p[0]}, Sizes({{p[0].ulid, 85}}), 101), p[0].ulid);
  EXPECT_EQ(BlockExceedingIndexSize({p[0]}, Sizes({{p[0].ulid, 84}}), 101), std::nullopt);
}

TEST(BlockExceedingIndexSize, DefaultLimitIs64GiB) {
  constexpr int64_t kGiB = int64_t{1} << 30;
  std::vector<BlockMeta> p = TwoHourBlocks(0, 2);
  // 30 + 25 = 55 GiB >= 54.4 GiB.
  EXPECT_EQ(BlockExceedingIndexSize(p, Sizes({{p[0].ulid, 30 * kGiB}, {p[1].ulid, 25 * kGiB}}),
                                    64 * kGiB),
            p[0].ulid);
  EXPECT_EQ(BlockExceedingIndexSize(p, Sizes({{p[0].ulid, 30 * kGiB}, {p[1].ulid, 24 * kGiB}}),
                                    64 * kGiB),
            std::nullopt);
}

TEST(PlanWithIndexSizeLimit, MarksAndReplans) {
  std::vector<BlockMeta> b = TwoHourBlocks(0, 5);
  auto sizes =
      Sizes({{b[0].ulid, 10}, {b[1].ulid, 80}, {b[2].ulid, 10}, {b[3].ulid, 10}, {b[4].ulid, 10}});
  std::vector<Ulid> marked;
  std::vector<BlockMeta> plan =
      PlanWithIndexSizeLimit(PlanInput{b, {}}, CompactionRanges(), sizes, 100, &marked);
  EXPECT_EQ(Ids(plan), Ids({b[2], b[3]}));
  EXPECT_THAT(marked, ElementsAre(b[1].ulid));
  // Every index too large: blocks are marked until no run of two is left (b[3] is then alone
  // in its window and never planned, so it needs no mark).
  marked.clear();
  plan = PlanWithIndexSizeLimit(
      PlanInput{b, {}}, CompactionRanges(),
      Sizes({{b[0].ulid, 90}, {b[1].ulid, 90}, {b[2].ulid, 90}, {b[3].ulid, 90}, {b[4].ulid, 90}}),
      100, &marked);
  EXPECT_THAT(plan, IsEmpty());
  EXPECT_THAT(marked, ElementsAre(b[0].ulid, b[1].ulid, b[2].ulid));
}

TEST(IndexSizeFromMeta, ReadsTheIndexFileEntry) {
  BlockMeta m = Block(0, 2 * H);
  EXPECT_EQ(IndexSizeFromMeta(m), std::nullopt);
  m.thanos = tsdb::ThanosMeta{};
  m.thanos->files = {{"chunks/000001", 1000}, {"index", 123}, {"meta.json", 0}};
  EXPECT_EQ(IndexSizeFromMeta(m), 123);
  m.thanos->files[1].size_bytes = 0;
  EXPECT_EQ(IndexSizeFromMeta(m), std::nullopt);
}

}  // namespace
}  // namespace meridian::compact
