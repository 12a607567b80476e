// /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values.

#include "api_test_fixture.h"
#include "model/strings.h"

namespace meridian::web {
namespace {

std::string Err(const char* type, const std::string& msg) {
  return std::string(R"({"status":"error","errorType":")") + type + R"(","error":)" + GoJsonQuote(msg) + "}";
}

constexpr char kUpSeries[] =
    R"({"status":"success","data":[{"__name__":"up","instance":"a:9090","job":"node"},)"
    R"({"__name__":"up","instance":"b:9090","job":"node"}]})";

TEST_F(ApiTest, SeriesByMatch) {
  Reply r = Get("/api/v1/series?match[]=up");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kUpSeries);
  EXPECT_EQ(PostForm("/api/v1/series", "match%5B%5D=up").body, kUpSeries);
  EXPECT_EQ(Get("/api/v1/series?match[]=up&start=1700000000&end=1700000600").body, kUpSeries);
}

TEST_F(ApiTest, SeriesSeveralMatchersMergedSortedUnique) {
  Reply r = PostForm("/api/v1/series?match[]=http_requests_total%7Bcode%3D%22500%22%7D",
                     "match[]=up%7Binstance%3D%22a:9090%22%7D&match[]=up");
  EXPECT_EQ(r.body,
            R"({"status":"success","data":[{"__name__":"http_requests_total","code":"500","job":"api"},)"
            R"({"__name__":"up","instance":"a:9090","job":"node"},)"
            R"({"__name__":"up","instance":"b:9090","job":"node"}]})");
}

TEST_F(ApiTest, SeriesLimit) {
  EXPECT_EQ(Get("/api/v1/series?match[]=up&limit=1").body,
            R"({"status":"success","data":[{"__name__":"up","instance":"a:9090","job":"node"}],)"
            R"("warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/series?match[]=up&limit=2").body, kUpSeries);
  EXPECT_EQ(Get("/api/v1/series?match[]=up&match[]=http_requests_total&limit=3").body,
            R"({"status":"success","data":[{"__name__":"http_requests_total","code":"200","job":"api"},)"
            R"({"__name__":"http_requests_total","code":"500","job":"api"},)"
            R"({"__name__":"up","instance":"a:9090","job":"node"}],)"
            R"("warnings":["results truncated due to limit"]})");
}

TEST_F(ApiTest, SeriesEmptyIsEmptyList) {
  EXPECT_EQ(Get("/api/v1/series?match[]=nonexistent").body, R"({"status":"success","data":[]})");
  // Outside the data's time range.
  EXPECT_EQ(Get("/api/v1/series?match[]=up&start=1600000000&end=1600000100").body,
            R"({"status":"success","data":[]})");
}

TEST_F(ApiTest, SeriesReadsLabelsOnly) {
  // The backend sees a labels-only read: a store that returned chunks would still be answered
  // from labels, and no engine runs (no lookback: a range ending before the data is empty).
  EXPECT_EQ(Get("/api/v1/series?match[]=up&start=1700000600&end=1700000600").body, kUpSeries);
}

TEST_F(ApiTest, SeriesErrors) {
  Reply r = Get("/api/v1/series");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Err("bad_data", "no match[] parameter provided"));
  EXPECT_EQ(Get("/api/v1/series?match[]=up&start=x").body,
            Err("bad_data", "invalid parameter \"start\": invalid time value for 'start': cannot parse \"x\" to "
                            "a valid timestamp"));
  EXPECT_EQ(Get("/api/v1/series?match[]=up&end=x").body,
            Err("bad_data", "invalid parameter \"end\": invalid time value for 'end': cannot parse \"x\" to "
                            "a valid timestamp"));
  EXPECT_EQ(Get("/api/v1/series?match[]=up&limit=x").body,
            Err("bad_data", "invalid parameter \"limit\": strconv.Atoi: parsing \"x\": invalid syntax"));
  std::string parse_err;
  promql::ParseMetricSelector("up{", &parse_err);
  ASSERT_FALSE(parse_err.empty());
  EXPECT_EQ(Get("/api/v1/series?match[]=up%7B").body,
            Err("bad_data", "invalid parameter \"match[]\": " + parse_err));
  r = Get("/api/v1/series?match[]=%7Bjob%3D~%22.*%22%7D");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("non-empty matcher"), std::string::npos) << r.body;
}

TEST_F(ApiTest, LabelNames) {
  constexpr char kAll[] = R"({"status":"success","data":["__name__","code","instance","job"]})";
  EXPECT_EQ(Get("/api/v1/labels").body, kAll);
  EXPECT_EQ(PostForm("/api/v1/labels", "").body, kAll);
  EXPECT_EQ(Get("/api/v1/labels?match[]=up").body,
            R"({"status":"success","data":["__name__","instance","job"]})");
  EXPECT_EQ(Get("/api/v1/labels?match[]=up&match[]=http_requests_total").body, kAll);
  EXPECT_EQ(Get("/api/v1/labels?start=1600000000&end=1600000100").body, R"({"status":"success","data":[]})");
  EXPECT_EQ(Get("/api/v1/labels?match[]=nonexistent").body, R"({"status":"success","data":[]})");
  EXPECT_EQ(Get("/api/v1/labels?limit=2").body,
            R"({"status":"success","data":["__name__","code"],"warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/labels?start=x").body,
            Err("bad_data", "invalid parameter \"start\": invalid time value for 'start': cannot parse \"x\" to "
                            "a valid timestamp"));
}

TEST_F(ApiTest, LabelValues) {
  EXPECT_EQ(Get("/api/v1/label/job/values").body, R"({"status":"success","data":["api","node"]})");
  EXPECT_EQ(Get("/api/v1/label/__name__/values").body,
            R"({"status":"success","data":["http_requests_total","up"]})");
  EXPECT_EQ(Get("/api/v1/label/instance/values?match[]=up%7Bjob%3D%22node%22%7D&start=1700000000&end=1700000600")
                .body,
            R"({"status":"success","data":["a:9090","b:9090"]})");
  EXPECT_EQ(Get("/api/v1/label/code/values?match[]=up").body, R"({"status":"success","data":[]})");
  EXPECT_EQ(Get("/api/v1/label/nonexistent/values").body, R"({"status":"success","data":[]})");
  EXPECT_EQ(Get("/api/v1/label/job/values?limit=1").body,
            R"({"status":"success","data":["api"],"warnings":["results truncated due to limit"]})");
  // A UTF-8 escaped name resolves to the plain one.
  EXPECT_EQ(Get("/api/v1/label/U__job/values").body, R"({"status":"success","data":["api","node"]})");
  Reply r = Get("/api/v1/label/%FF/values");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Err("bad_data", "invalid label name: " + GoQuote("\xff")));
}

}  // namespace
}  // namespace meridian::web
