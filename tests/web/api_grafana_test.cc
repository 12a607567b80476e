// The calls Grafana's Prometheus data source makes, answered in the shapes it parses: data
// never null where a list is due, resultType before result, POST form bodies accepted.

#include <rapidjson/document.h>

#include "api_test_fixture.h"

namespace meridian::web {
namespace {

rapidjson::Document ParseJson(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

// Grafana sends every query with these; "+" in the query arrives percent-encoded.
TEST_F(ApiTest, GrafanaHealthCheckIsPostedInstantQuery) {
  Reply r = PostForm("/api/v1/query", "query=1%2B1&time=1700000060");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"scalar","result":[1700000060,"2"]}})");
  // Older Grafana versions use GET.
  EXPECT_EQ(Get("/api/v1/query?query=1%2B1&time=1700000060").body, r.body);
}

TEST_F(ApiTest, GrafanaRangeQueryByPost) {
  Reply r = PostForm("/api/v1/query_range",
                     "query=rate(http_requests_total%7Bjob%3D%22api%22%7D%5B1m%5D)&start=1700000060"
                     "&end=1700000300&step=15&timeout=30s");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.body.rfind(R"({"status":"success","data":{"resultType":"matrix","result":[)", 0), 0u) << r.body;
  rapidjson::Document d = ParseJson(r.body);
  const auto& result = d["data"]["result"];
  ASSERT_TRUE(result.IsArray());
  ASSERT_EQ(result.Size(), 2u);
  for (const auto& series : result.GetArray()) {
    ASSERT_TRUE(series["metric"].IsObject());
    EXPECT_FALSE(series["metric"].HasMember("__name__"));  // rate drops the name
    const auto& values = series["values"];
    ASSERT_TRUE(values.IsArray());
    EXPECT_EQ(values.Size(), 17u);  // (300-60)/15 + 1 steps
    for (const auto& p : values.GetArray()) {
      ASSERT_TRUE(p.IsArray());
      ASSERT_EQ(p.Size(), 2u);
      EXPECT_TRUE(p[0].IsNumber());
      EXPECT_TRUE(p[1].IsString());
    }
  }
  EXPECT_STREQ(result[0]["metric"]["code"].GetString(), "200");
  // 10 per 15 s is 0.666.../s.
  EXPECT_NEAR(std::stod(result[0]["values"][5][1].GetString()), 10.0 / 15.0, 1e-9);
}

TEST_F(ApiTest, GrafanaLabelsAndValuesWithMatchAndRange) {
  Reply r = Get("/api/v1/labels?start=1700000000&end=1700000600&match[]=up");
  EXPECT_EQ(r.body, R"({"status":"success","data":["__name__","instance","job"]})");
  r = Get("/api/v1/label/__name__/values?start=1700000000&end=1700000600");
  EXPECT_EQ(r.body, R"({"status":"success","data":["http_requests_total","up"]})");
  r = Get("/api/v1/label/job/values?start=1700000000&end=1700000600&match[]=%7B__name__%3D%22up%22%7D");
  EXPECT_EQ(r.body, R"({"status":"success","data":["node"]})");
  // Newer Grafana posts the labels lookup.
  r = PostForm("/api/v1/labels", "start=1700000000&end=1700000600&match%5B%5D=http_requests_total");
  EXPECT_EQ(r.body, R"({"status":"success","data":["__name__","code","job"]})");
  // Nothing in range: an empty list, never null.
  r = Get("/api/v1/label/job/values?start=1500000000&end=1500000600");
  EXPECT_EQ(r.body, R"({"status":"success","data":[]})");
}

TEST_F(ApiTest, GrafanaSeriesWithLimit) {
  Reply r = Get(
      "/api/v1/series?match%5B%5D=%7B__name__%3D~%22up%7Chttp_requests_total%22%7D&start=1700000000"
      "&end=1700000600&limit=40000");
  rapidjson::Document d = ParseJson(r.body);
  ASSERT_TRUE(d["data"].IsArray());
  EXPECT_EQ(d["data"].Size(), 4u);
  EXPECT_FALSE(d.HasMember("warnings"));
  r = Get("/api/v1/series?match%5B%5D=nonexistent&start=1700000000&end=1700000600&limit=40000");
  EXPECT_EQ(r.body, R"({"status":"success","data":[]})");
}

TEST_F(ApiTest, GrafanaMetadataExemplarsBuildinfo) {
  EXPECT_EQ(Get("/api/v1/metadata?limit=10000").body, R"({"status":"success","data":{}})");
  EXPECT_EQ(Get("/api/v1/query_exemplars?query=up&start=1700000000&end=1700000600").body,
            R"({"status":"success","data":[]})");
  rapidjson::Document d = ParseJson(Get("/api/v1/status/buildinfo").body);
  ASSERT_TRUE(d["data"].IsObject());
  EXPECT_TRUE(d["data"]["version"].IsString());
  // A non-empty features map makes Grafana treat the server as Mimir.
  EXPECT_FALSE(d["data"].HasMember("features"));
}

TEST_F(ApiTest, GzipWhenAccepted) {
  httplib::Headers h = {{"Accept-Encoding", "gzip"}};
  auto res = client_->Get("/api/v1/series?match[]=up", h);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  // httplib's client inflates transparently; the payload must still be the exact JSON.
  EXPECT_EQ(res->body,
            R"({"status":"success","data":[{"__name__":"up","instance":"a:9090","job":"node"},)"
            R"({"__name__":"up","instance":"b:9090","job":"node"}]})");
}

}  // namespace
}  // namespace meridian::web
