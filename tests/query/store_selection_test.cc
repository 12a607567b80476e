#include "query/store_selection.h"

#include <gtest/gtest.h>

namespace meridian::query {
namespace {

MatcherPtr M(MatchType t, const std::string& n, const std::string& v) {
  std::string err;
  return Matcher::Make(t, n, v, &err);
}

TEST(StoreSelection, TimeRangeMustOverlap) {
  StoreEndpoint e;
  e.min_time = 100;
  e.max_time = 200;
  EXPECT_TRUE(StoreMatches(e, 150, 300, {}));
  EXPECT_TRUE(StoreMatches(e, 200, 300, {}));
  EXPECT_FALSE(StoreMatches(e, 201, 300, {}));
  EXPECT_FALSE(StoreMatches(e, 0, 99, {}));
}

TEST(StoreSelection, ExternalLabelsMustBeCompatible) {
  std::vector<Labels> sets = {Labels{{"cluster", "eu"}, {"replica", "a"}}, Labels{{"cluster", "us"}}};
  EXPECT_TRUE(LabelSetsMatch(sets, {M(MatchType::kEqual, "cluster", "us")}));
  EXPECT_FALSE(LabelSetsMatch(sets, {M(MatchType::kEqual, "cluster", "asia")}));
  // A matcher on a label the set does not carry passes.
  EXPECT_TRUE(LabelSetsMatch(sets, {M(MatchType::kEqual, "job", "x")}));
  // Both matchers must hold within one set: eu fails on replica, us on cluster.
  EXPECT_FALSE(LabelSetsMatch(sets, {M(MatchType::kEqual, "cluster", "eu"), M(MatchType::kEqual, "replica", "b")}));
  // ...while a set that lacks the replica label passes that matcher.
  EXPECT_TRUE(LabelSetsMatch(sets, {M(MatchType::kEqual, "cluster", "us"), M(MatchType::kEqual, "replica", "b")}));
  EXPECT_TRUE(LabelSetsMatch({}, {M(MatchType::kEqual, "cluster", "x")}));
  EXPECT_TRUE(LabelSetsMatch(sets, {M(MatchType::kNotRegexp, "cluster", "eu")}));
}

}  // namespace
}  // namespace meridian::query
