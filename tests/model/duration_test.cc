#include "model/duration.h"

#include <gtest/gtest.h>

namespace meridian {

TEST(Duration, ParsesPrometheusForms) {
  EXPECT_EQ(ParseDurationMs("5m"), 300000);
  EXPECT_EQ(ParseDurationMs("1h30m"), 5400000);
  EXPECT_EQ(ParseDurationMs("1y"), 365LL * 86400000);
  EXPECT_EQ(ParseDurationMs("2w"), 14LL * 86400000);
  EXPECT_EQ(ParseDurationMs("100ms"), 100);
  EXPECT_EQ(ParseDurationMs("1m5s10ms"), 65010);
  EXPECT_EQ(ParseDurationMs("0"), 0);
}

TEST(Duration, RejectsBadForms) {
  EXPECT_FALSE(ParseDurationMs(""));
  EXPECT_FALSE(ParseDurationMs("5"));
  EXPECT_FALSE(ParseDurationMs("1m1h"));
  EXPECT_FALSE(ParseDurationMs("1m1m"));
  EXPECT_FALSE(ParseDurationMs("1.5h"));
  EXPECT_FALSE(ParseDurationMs("5x"));
  EXPECT_FALSE(ParseDurationMs("99999999999999999999y"));
}

TEST(Duration, PrintsPrometheusForms) {
  EXPECT_EQ(FormatDurationMs(0), "0s");
  EXPECT_EQ(FormatDurationMs(5400000), "1h30m");
  EXPECT_EQ(FormatDurationMs(90LL * 86400000), "90d");
  EXPECT_EQ(FormatDurationMs(14LL * 86400000), "2w");
  EXPECT_EQ(FormatDurationMs(65010), "1m5s10ms");
  EXPECT_EQ(FormatDurationMs(-300000), "-5m");
}

}  // namespace meridian
