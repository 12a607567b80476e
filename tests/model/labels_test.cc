#include "model/labels.h"

#include <gtest/gtest.h>

namespace meridian {

TEST(Labels, SortsAndKeepsLastDuplicate) {
  Labels l = Labels::FromUnsorted({{"b", "1"}, {"a", "2"}, {"b", "3"}});
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].name, "a");
  EXPECT_EQ(l.Get("b"), "3");
  EXPECT_EQ(l.Get("missing"), "");
}

TEST(Labels, CompareFollowsPrometheusOrder) {
  Labels a{{"a", "1"}};
  Labels ab{{"a", "1"}, {"b", "1"}};
  Labels a2{{"a", "2"}};
  EXPECT_LT(Compare(a, ab), 0);
  EXPECT_LT(Compare(ab, a2), 0);
  EXPECT_EQ(Compare(a, Labels{{"a", "1"}}), 0);
}

TEST(Labels, HashesDistinguishSplitPoints) {
  EXPECT_NE((Labels{{"a", "bc"}}.Hash()), (Labels{{"ab", "c"}}.Hash()));
  Labels l{{"__name__", "x"}, {"job", "j"}, {"instance", "i"}};
  EXPECT_EQ(l.HashForLabels({"job"}), (Labels{{"job", "j"}}.HashForLabels({"job"})));
  EXPECT_EQ(l.HashWithoutLabels({"instance"}), (Labels{{"job", "j"}}.Hash()));
}

TEST(Labels, BuilderEdits) {
  Labels l{{"a", "1"}, {"b", "2"}};
  Labels r = LabelsBuilder(l).Set("c", "3").Del("a").Set("b", "9").Build();
  EXPECT_EQ(r, (Labels{{"b", "9"}, {"c", "3"}}));
  EXPECT_EQ(LabelsBuilder(l).Set("a", "").Build(), (Labels{{"b", "2"}}));
}

TEST(Labels, ToStringQuotesLikeGo) {
  Labels l{{"__name__", "up"}, {"job", "a\"b"}, {"weird.name", "x"}};
  EXPECT_EQ(l.ToString(), "up{job=\"a\\\"b\", \"weird.name\"=\"x\"}");
  EXPECT_EQ((Labels{{"__name__", "up"}}.ToString()), "up");
  EXPECT_EQ(Labels{}.ToString(), "{}");
}

}  // namespace meridian
