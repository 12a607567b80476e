#include "web/api/params.h"

#include <gtest/gtest.h>

namespace meridian::web {
namespace {

int64_t TimeOk(std::string_view s) {
  auto t = ParseTimeMs(s);
  EXPECT_TRUE(t.ok()) << s << ": " << t.status().message();
  return t.ok() ? *t : -1;
}

TEST(ParseTimeTest, UnixSeconds) {
  EXPECT_EQ(TimeOk("1435781451"), 1435781451000);
  EXPECT_EQ(TimeOk("1435781451.781"), 1435781451781);
  EXPECT_EQ(TimeOk("1435781451.05"), 1435781451050);
  EXPECT_EQ(TimeOk("1435781451.0004"), 1435781451000);  // rounded to ms
  EXPECT_EQ(TimeOk("1435781451.0006"), 1435781451001);
  EXPECT_EQ(TimeOk("1e3"), 1000000);
  EXPECT_EQ(TimeOk("0"), 0);
  EXPECT_EQ(TimeOk("-1.5"), -1500);
  EXPECT_EQ(TimeOk("-0.5"), -500);
  EXPECT_EQ(TimeOk("+12"), 12000);
}

TEST(ParseTimeTest, Rfc3339) {
  EXPECT_EQ(TimeOk("2015-07-01T20:10:51.781Z"), 1435781451781);
  EXPECT_EQ(TimeOk("2015-07-01T20:10:51Z"), 1435781451000);
  EXPECT_EQ(TimeOk("2015-07-01T22:10:51.781+02:00"), 1435781451781);
  EXPECT_EQ(TimeOk("2015-07-01T19:40:51.781-00:30"), 1435781451781);
  EXPECT_EQ(TimeOk("2015-07-01T20:10:51.781999999Z"), 1435781451781);  // truncated
  EXPECT_EQ(TimeOk("1969-12-31T23:59:59Z"), -1000);
  EXPECT_EQ(TimeOk("2000-02-29T00:00:00Z"), 951782400000);
}

TEST(ParseTimeTest, Extremes) {
  EXPECT_EQ(TimeOk("-292273086-05-16T16:47:06Z"), kMinTimeMs);
  EXPECT_EQ(TimeOk("292277025-08-18T07:12:54.999999999Z"), kMaxTimeMs);
}

TEST(ParseTimeTest, Errors) {
  for (const char* bad : {"x", "", "2015-07-01", "2015-13-01T00:00:00Z", "2015-02-30T00:00:00Z",
                          "2015-07-01T20:10:51", "2015-07-01T20:10:51.Z", " 1", "1 ", "NaN", "Inf",
                          "1e400", "0x10"}) {
    auto t = ParseTimeMs(bad);
    EXPECT_FALSE(t.ok()) << bad;
  }
  auto t = ParseTimeMs("x");
  EXPECT_EQ(t.status().message(), "cannot parse \"x\" to a valid timestamp");
  EXPECT_EQ(t.status().code(), StatusCode::kBadData);
}

TEST(ParseDurationTest, Forms) {
  EXPECT_EQ(*ParseDurationNs("15"), 15'000'000'000);
  EXPECT_EQ(*ParseDurationNs("1.5"), 1'500'000'000);
  EXPECT_EQ(*ParseDurationNs("0.001"), 1'000'000);
  EXPECT_EQ(*ParseDurationNs("5m"), 300'000'000'000);
  EXPECT_EQ(*ParseDurationNs("1h30m"), 5'400'000'000'000);
  EXPECT_EQ(*ParseDurationNs("0"), 0);
  EXPECT_EQ(*ParseDurationNs("-15"), -15'000'000'000);
  EXPECT_EQ(ParseDurationNs("x").status().message(), "cannot parse \"x\" to a valid duration");
  EXPECT_EQ(ParseDurationNs("1e20").status().message(),
            "cannot parse \"1e20\" to a valid duration. It overflows int64");
  EXPECT_FALSE(ParseDurationNs("5 m").ok());
  EXPECT_FALSE(ParseDurationNs("").ok());
}

TEST(ParseBoolTest, GoSpellings) {
  for (const char* t : {"1", "t", "T", "true", "TRUE", "True"}) EXPECT_TRUE(*ParseGoBool(t)) << t;
  for (const char* f : {"0", "f", "F", "false", "FALSE", "False"}) EXPECT_FALSE(*ParseGoBool(f)) << f;
  EXPECT_EQ(ParseGoBool("yes").status().message(), "strconv.ParseBool: parsing \"yes\": invalid syntax");
}

TEST(ParseLimitTest, Forms) {
  EXPECT_EQ(*ParseLimit(""), 0);
  EXPECT_EQ(*ParseLimit("10"), 10);
  EXPECT_EQ(*ParseLimit("+3"), 3);
  EXPECT_EQ(ParseLimit("-1").status().message(), "limit must be non-negative");
  EXPECT_EQ(ParseLimit("x").status().message(), "strconv.Atoi: parsing \"x\": invalid syntax");
  EXPECT_EQ(ParseLimit("1.5").status().message(), "strconv.Atoi: parsing \"1.5\": invalid syntax");
  EXPECT_EQ(ParseLimit("99999999999999999999").status().message(),
            "strconv.Atoi: parsing \"99999999999999999999\": value out of range");
}

TEST(LabelNameParamTest, UnescapeAndValidate) {
  EXPECT_EQ(*ParseLabelNameParam("job"), "job");
  EXPECT_EQ(*ParseLabelNameParam("U__http_2e_method"), "http.method");
  EXPECT_EQ(*ParseLabelNameParam("U__a__b"), "a_b");
  EXPECT_EQ(*ParseLabelNameParam("U__bad_zz_"), "U__bad_zz_");  // not an escape: kept as is
  EXPECT_EQ(*ParseLabelNameParam("with.dot"), "with.dot");      // UTF-8 names are valid
  EXPECT_EQ(ParseLabelNameParam("").status().message(), "invalid label name: \"\"");
  EXPECT_FALSE(ParseLabelNameParam("\xff").ok());
}

}  // namespace
}  // namespace meridian::web
