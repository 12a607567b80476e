#include "tsdb/index/postings.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "tsdb/encoding.h"

namespace meridian::tsdb::index {
namespace {

std::vector<uint64_t> Expand(PostingsPtr p) {
  auto v = ExpandPostings(*p);
  EXPECT_TRUE(v.ok());
  return v.ok() ? *v : std::vector<uint64_t>{};
}

std::vector<PostingsPtr> Lists(std::initializer_list<std::vector<uint64_t>> ls) {
  std::vector<PostingsPtr> out;
  for (const auto& l : ls) out.push_back(ListPostings(l));
  return out;
}

TEST(Postings, Intersect) {
  EXPECT_EQ(Expand(Intersect(Lists({{1, 2, 3, 5, 8}, {2, 3, 4, 8}, {0, 2, 8, 9}}))),
            (std::vector<uint64_t>{2, 8}));
  EXPECT_EQ(Expand(Intersect(Lists({{1, 2}, {}}))), std::vector<uint64_t>{});
  EXPECT_EQ(Expand(Intersect({})), std::vector<uint64_t>{});
}

TEST(Postings, Merge) {
  EXPECT_EQ(Expand(Merge(Lists({{1, 5}, {2, 5, 7}, {}, {0}}))),
            (std::vector<uint64_t>{0, 1, 2, 5, 7}));
}

TEST(Postings, Without) {
  EXPECT_EQ(Expand(Without(ListPostings({1, 2, 3, 4, 5}), ListPostings({2, 4, 6}))),
            (std::vector<uint64_t>{1, 3, 5}));
  EXPECT_EQ(Expand(Without(ListPostings({1, 2}), EmptyPostings())),
            (std::vector<uint64_t>{1, 2}));
}

TEST(Postings, BigEndianSeek) {
  Encbuf b;
  for (uint32_t v : {3u, 10u, 20u, 30u}) b.PutBE32(v);
  auto p = BigEndianPostings(b.bytes());
  ASSERT_TRUE(p->Seek(11));
  EXPECT_EQ(p->At(), 20u);
  ASSERT_TRUE(p->Seek(5));  // never moves backwards
  EXPECT_EQ(p->At(), 20u);
  ASSERT_TRUE(p->Next());
  EXPECT_EQ(p->At(), 30u);
  EXPECT_FALSE(p->Next());
  EXPECT_FALSE(p->Seek(1));
}

TEST(Postings, ErrorsPropagate) {
  std::vector<PostingsPtr> its;
  its.push_back(ListPostings({1, 2}));
  its.push_back(ErrorPostings(CorruptError("boom")));
  auto m = Merge(std::move(its));
  EXPECT_FALSE(ExpandPostings(*m).ok());
  std::vector<PostingsPtr> its2;
  its2.push_back(ListPostings({1, 2}));
  its2.push_back(ErrorPostings(CorruptError("boom")));
  auto i = Intersect(std::move(its2));
  EXPECT_FALSE(ExpandPostings(*i).ok());
}

// Randomized check of every combinator (and Seek inside them) against std::set algebra.
TEST(Postings, RandomAgainstSets) {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::set<uint64_t>> sets(3);
    for (auto& s : sets) {
      int n = rng() % 40;
      for (int i = 0; i < n; ++i) s.insert(rng() % 60);
    }
    auto list = [&](int i) { return ListPostings({sets[i].begin(), sets[i].end()}); };
    std::set<uint64_t> inter, uni, diff;
    for (uint64_t v : sets[0]) {
      if (sets[1].count(v) && sets[2].count(v)) inter.insert(v);
      if (!sets[1].count(v)) diff.insert(v);
    }
    for (const auto& s : sets) uni.insert(s.begin(), s.end());
    std::vector<PostingsPtr> a;
    for (int i = 0; i < 3; ++i) a.push_back(list(i));
    EXPECT_EQ(Expand(Intersect(std::move(a))), std::vector<uint64_t>(inter.begin(), inter.end()));
    std::vector<PostingsPtr> b;
    for (int i = 0; i < 3; ++i) b.push_back(list(i));
    EXPECT_EQ(Expand(Merge(std::move(b))), std::vector<uint64_t>(uni.begin(), uni.end()));
    EXPECT_EQ(Expand(Without(list(0), list(1))), std::vector<uint64_t>(diff.begin(), diff.end()));

    // Seek then Next over a merged list agrees with the set.
    uint64_t target = rng() % 60;
    std::vector<PostingsPtr> c;
    for (int i = 0; i < 3; ++i) c.push_back(list(i));
    auto m = Merge(std::move(c));
    auto it = uni.lower_bound(target);
    bool found = m->Seek(target);
    ASSERT_EQ(found, it != uni.end());
    if (found) {
      EXPECT_EQ(m->At(), *it);
      if (m->Next()) {
        ++it;
        ASSERT_NE(it, uni.end());
        EXPECT_EQ(m->At(), *it);
      }
    }
    std::vector<PostingsPtr> d;
    for (int i = 0; i < 3; ++i) d.push_back(list(i));
    auto x = Intersect(std::move(d));
    auto jt = inter.lower_bound(target);
    ASSERT_EQ(x->Seek(target), jt != inter.end());
    if (jt != inter.end()) {
      EXPECT_EQ(x->At(), *jt);
    }
  }
}

}  // namespace
}  // namespace meridian::tsdb::index
