// Orderings of sort/sort_desc/sort_by_label, against the corpus's expected orders.

#include "promql/engine/functions/sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace meridian::promql::functions {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(SortValues, NaNLastBothWays) {
  std::vector<double> v = {300, kNaN, 100, 800, 200};
  std::sort(v.begin(), v.end(), SortAscLess);
  EXPECT_EQ(v[0], 100);
  EXPECT_EQ(v[3], 800);
  EXPECT_TRUE(std::isnan(v[4]));
  std::sort(v.begin(), v.end(), SortDescLess);
  EXPECT_EQ(v[0], 800);
  EXPECT_EQ(v[3], 100);
  EXPECT_TRUE(std::isnan(v[4]));
}

TEST(NaturalCompare, Basics) {
  EXPECT_LT(NaturalCompare("2", "10"), 0);
  EXPECT_GT(NaturalCompare("100", "21"), 0);
  EXPECT_LT(NaturalCompare("4m5", "4m600"), 0);
  EXPECT_LT(NaturalCompare("4m600", "4m1000"), 0);
  EXPECT_LT(NaturalCompare("1.2.3", "1.11.3"), 0);
  EXPECT_LT(NaturalCompare("1.11.3", "1.111.3"), 0);
  EXPECT_LT(NaturalCompare("a", "a1"), 0);  // chunk-wise prefix first
  EXPECT_LT(NaturalCompare("abc", "abd"), 0);
  EXPECT_EQ(NaturalCompare("x", "x"), 0);
  EXPECT_LT(NaturalCompare("", "0"), 0);
  EXPECT_LT(NaturalCompare("01", "1"), 0);  // numerically equal: bytewise
  EXPECT_GT(NaturalCompare("1", "01"), 0);
  // Digit runs beyond int64 still compare by magnitude, keeping the order transitive.
  EXPECT_GT(NaturalCompare("10000000000000000000", "9"), 0);
}

TEST(SortByLabel, CorpusCpuOrder) {
  std::vector<Labels> v;
  for (const char* cpu : {"0", "1", "2", "3", "10", "11", "12", "20", "21", "100"}) {
    v.push_back(Labels{{"__name__", "cpu_time_total"}, {"cpu", cpu}, {"job", "cpu"}});
  }
  std::vector<Labels> shuffled = {v[9], v[4], v[0], v[7], v[2], v[5], v[1], v[8], v[3], v[6]};
  const std::vector<std::string> names = {"cpu"};
  std::sort(shuffled.begin(), shuffled.end(), [&](const Labels& a, const Labels& b) {
    return SortByLabelCompare(a, b, names) < 0;
  });
  EXPECT_EQ(shuffled, v);
  std::sort(shuffled.begin(), shuffled.end(), [&](const Labels& a, const Labels& b) {
    return SortByLabelDescCompare(a, b, names) < 0;
  });
  std::reverse(v.begin(), v.end());
  EXPECT_EQ(shuffled, v);
}

TEST(SortByLabel, TiesFallBackToFullLabelSet) {
  const Labels a{{"group", "canary"}, {"instance", "0"}, {"job", "api-server"}};
  const Labels b{{"group", "canary"}, {"instance", "0"}, {"job", "app-server"}};
  const Labels c{{"group", "production"}, {"instance", "0"}, {"job", "api-server"}};
  const std::vector<std::string> by_instance = {"instance"};
  EXPECT_LT(SortByLabelCompare(a, b, by_instance), 0);
  EXPECT_LT(SortByLabelCompare(b, c, by_instance), 0);
  EXPECT_GT(SortByLabelDescCompare(a, c, by_instance), 0);
  const std::vector<std::string> by_job = {"job", "instance", "group"};
  EXPECT_LT(SortByLabelCompare(c, b, by_job), 0);
}

}  // namespace
}  // namespace meridian::promql::functions
