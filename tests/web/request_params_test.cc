#include "web/api/request_params.h"

#include <gtest/gtest.h>

#include "web/api/params.h"

namespace meridian::web {
namespace {

Request FormRequest(std::string_view encoded) {
  Request r;
  r.form.AppendUrlEncoded(encoded);
  return r;
}

TEST(MetadataParamsTest, DefaultsToWholeTimeRangeAndNoLimit) {
  MetadataParams p;
  EXPECT_FALSE(ParseMetadataParams(FormRequest(""), MatchErrorForm::kBadData, &p));
  EXPECT_EQ(p.limit, 0);
  EXPECT_EQ(p.start_ms, kMinTimeMs);
  EXPECT_EQ(p.end_ms, kMaxTimeMs);
  EXPECT_TRUE(p.matcher_sets.empty());
}

TEST(MetadataParamsTest, ParsesEveryParameter) {
  MetadataParams p;
  EXPECT_FALSE(ParseMetadataParams(FormRequest("limit=3&start=1&end=2&match[]=up&match[]=x%7Bjob%3D%22a%22%7D"),
                                   MatchErrorForm::kBadData, &p));
  EXPECT_EQ(p.limit, 3);
  EXPECT_EQ(p.start_ms, 1000);
  EXPECT_EQ(p.end_ms, 2000);
  EXPECT_EQ(p.matcher_sets.size(), 2u);
}

// Upstream checks limit before the times, and the times before match[].
TEST(MetadataParamsTest, ReportsTheFirstBadParameterInUpstreamOrder) {
  MetadataParams p;
  auto e = ParseMetadataParams(FormRequest("limit=x&start=x&match[]=%7B"), MatchErrorForm::kBadData, &p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "invalid parameter \"limit\": strconv.Atoi: parsing \"x\": invalid syntax");
  e = ParseMetadataParams(FormRequest("start=x&match[]=%7B"), MatchErrorForm::kBadData, &p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "invalid parameter \"start\": invalid time value for 'start': cannot parse \"x\" to a valid timestamp");
}

TEST(MetadataParamsTest, MatchErrorFormDecidesTheWrapping) {
  const std::string empty_msg = "match[] must contain at least one non-empty matcher";
  MetadataParams p;
  auto e = ParseMetadataParams(FormRequest("match[]=%7Bjob%3D~%22.*%22%7D"), MatchErrorForm::kBadData, &p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, ErrorType::kBadData);
  EXPECT_EQ(e->message, empty_msg);
  MetadataParams q;
  e = ParseMetadataParams(FormRequest("match[]=%7Bjob%3D~%22.*%22%7D"), MatchErrorForm::kInvalidParam, &q);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, ErrorType::kBadData);
  EXPECT_EQ(e->message, "invalid parameter \"match[]\": " + empty_msg);
}

// A syntax error in a later selector wins over an all-empty earlier one, as upstream.
TEST(MetadataParamsTest, SyntaxErrorsWinOverEmptyMatchers) {
  std::vector<Matchers> sets;
  auto msg = ParseMatcherSets({"{job=~\".*\"}", "up{"}, &sets);
  ASSERT_TRUE(msg);
  EXPECT_NE(*msg, "match[] must contain at least one non-empty matcher");
}

TEST(RequestParamsTest, RequiredTimeAndDurationHaveNoDefault) {
  int64_t v = 0;
  auto e = ParseRequiredTimeParam(FormRequest(""), "start", &v);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "invalid parameter \"start\": cannot parse \"\" to a valid timestamp");
  e = ParseDurationParam(FormRequest(""), "step", &v);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "invalid parameter \"step\": cannot parse \"\" to a valid duration");
  EXPECT_FALSE(ParseDurationParam(FormRequest("step=15s"), "step", &v));
  EXPECT_EQ(v, 15000000000);
}

}  // namespace
}  // namespace meridian::web
