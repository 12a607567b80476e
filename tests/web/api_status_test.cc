// Status, metadata, exemplars, format/parse_query, stores, health and readiness endpoints.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "api_test_fixture.h"

namespace meridian::web {
namespace {

TEST_F(ApiTest, BuildInfoWithoutFeatures) {
  Reply r = Get("/api/v1/status/buildinfo");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{"version":"0.1.0","revision":"abc123","branch":"main",)"
            R"("buildUser":"tester","buildDate":"20240101-00:00:00","goVersion":"clang"}})");
}

TEST_F(ApiTest, Flags) {
  EXPECT_EQ(Get("/api/v1/status/flags").body,
            R"({"status":"success","data":{"http-address":"127.0.0.1:0","query.timeout":"2m"}})");
}

TEST_F(ApiTest, RuntimeInfoShape) {
  Reply r = Get("/api/v1/status/runtimeinfo");
  EXPECT_EQ(r.status, 200);
  std::regex shape(
      R"(\{"status":"success","data":\{"startTime":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z","CWD":"[^"]*",)"
      R"("goroutineCount":[1-9]\d*,"GOMAXPROCS":\d+,"GOGC":"","GODEBUG":""\}\})");
  EXPECT_TRUE(std::regex_match(r.body, shape)) << r.body;
}

TEST_F(ApiTest, MetadataAndExemplarsEmpty) {
  EXPECT_EQ(Get("/api/v1/metadata").body, R"({"status":"success","data":{}})");
  EXPECT_EQ(Get("/api/v1/metadata?metric=up&limit=5").body, R"({"status":"success","data":{}})");
  EXPECT_EQ(Get("/api/v1/query_exemplars?query=up&start=1700000000&end=1700000600").body,
            R"({"status":"success","data":[]})");
  EXPECT_EQ(PostForm("/api/v1/query_exemplars", "query=up&start=1700000000&end=1700000600").body,
            R"({"status":"success","data":[]})");
  Reply r = Get("/api/v1/query_exemplars?query=up&start=10&end=5");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"status":"error","errorType":"bad_data","error":"end timestamp must not be before start timestamp"})");
  EXPECT_EQ(Get("/api/v1/query_exemplars?query=sum(").status, 400);
}

TEST_F(ApiTest, FormatQuery) {
  EXPECT_EQ(Get("/api/v1/format_query?query=sum+by(job)(rate(x%5B5m%5D))").body,
            R"j({"status":"success","data":"sum by (job) (rate(x[5m]))"})j");
  EXPECT_EQ(PostForm("/api/v1/format_query", "query=foo%7Ba%3D%22%3C%3E%22%7D").body,
            R"({"status":"success","data":"foo{a=\"\u003c\u003e\"}"})");
  Reply r = Get("/api/v1/format_query?query=sum(");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"("error":"invalid parameter \"query\": 1:)"), std::string::npos) << r.body;
}

TEST_F(ApiTest, ParseQueryAst) {
  EXPECT_EQ(
      Get("/api/v1/parse_query?query=sum+by(job)(rate(x%7Ba%3D%22b%22%7D%5B5m%5D+offset+1m))").body,
      R"({"status":"success","data":{"expr":{"args":[{"anchored":false,"matchers":[)"
      R"({"name":"a","type":"=","value":"b"},{"name":"__name__","type":"=","value":"x"}],)"
      R"("name":"x","offset":60000,"range":300000,"smoothed":false,"startOrEnd":null,"timestamp":null,)"
      R"("type":"matrixSelector"}],"func":{"argTypes":["matrix"],"name":"rate","returnType":"vector",)"
      R"("variadic":0},"type":"call"},"grouping":["job"],"op":"sum","param":null,"type":"aggregation",)"
      R"("without":false}})");
  // As upstream's grammar, a sign on a number literal folds into it.
  EXPECT_EQ(Get("/api/v1/parse_query?query=-1.5e-7").body,
            R"({"status":"success","data":{"type":"numberLiteral","val":"-0.00000015"}})");
  EXPECT_EQ(Get("/api/v1/parse_query?query=1e21").body,
            R"({"status":"success","data":{"type":"numberLiteral","val":"1000000000000000000000"}})");
  EXPECT_EQ(Get("/api/v1/parse_query?query=-x").body,
            R"({"status":"success","data":{"expr":{"anchored":false,"matchers":[)"
            R"({"name":"__name__","type":"=","value":"x"}],"name":"x","offset":0,"smoothed":false,)"
            R"("startOrEnd":null,"timestamp":null,"type":"vectorSelector"},"op":"-","type":"unaryExpr"}})");
  EXPECT_EQ(Get("/api/v1/parse_query?query=a+%2B+on(x)+group_left(y)+b").body,
            R"({"status":"success","data":{"bool":false,"lhs":{"anchored":false,"matchers":[)"
            R"({"name":"__name__","type":"=","value":"a"}],"name":"a","offset":0,"smoothed":false,)"
            R"("startOrEnd":null,"timestamp":null,"type":"vectorSelector"},"matching":{"card":"many-to-one",)"
            R"("fillValues":{"lhs":null,"rhs":null},"include":["y"],"labels":["x"],"on":true},"op":"+",)"
            R"("rhs":{"anchored":false,"matchers":[{"name":"__name__","type":"=","value":"b"}],"name":"b",)"
            R"("offset":0,"smoothed":false,"startOrEnd":null,"timestamp":null,"type":"vectorSelector"},)"
            R"("type":"binaryExpr"}})");
  EXPECT_EQ(Get("/api/v1/parse_query?query=(%22s%22)").body,
            R"({"status":"success","data":{"expr":{"type":"stringLiteral","val":"s"},"type":"parenExpr"}})");
  EXPECT_EQ(Get("/api/v1/parse_query?query=rate(x%5B5m%5D)%5B1h:1m%5D+%40+end()").body,
            R"({"status":"success","data":{"alignEvalTime":false,"expr":{"args":[{"anchored":false,)"
            R"("matchers":[{"name":"__name__","type":"=","value":"x"}],"name":"x","offset":0,"range":300000,)"
            R"("smoothed":false,"startOrEnd":null,"timestamp":null,"type":"matrixSelector"}],)"
            R"("func":{"argTypes":["matrix"],"name":"rate","returnType":"vector","variadic":0},"type":"call"},)"
            R"("offset":0,"range":3600000,"startOrEnd":"end","step":60000,"timestamp":null,"type":"subquery"}})");
  EXPECT_EQ(Get("/api/v1/parse_query?query=x").status, 200);
  EXPECT_EQ(Get("/api/v1/parse_query?query=x%7B").status, 400);
}

TEST_F(ApiTest, StoresGroupedByComponentType) {
  EXPECT_EQ(Get("/api/v1/stores").body, R"({"status":"success","data":{}})");
  StoreStatus a;
  a.name = "10.0.0.1:10901";
  a.component_type = "sidecar";
  a.last_check = std::chrono::system_clock::time_point(std::chrono::milliseconds(kBase + 1500));
  a.label_sets = {Labels{{"cluster", "eu"}, {"replica", "0"}}};
  a.min_time = kBase;
  a.max_time = kBase + 600000;
  StoreStatus b;
  b.name = "10.0.0.2:10901";
  b.component_type = "store";
  b.last_check = std::chrono::system_clock::time_point(std::chrono::milliseconds(kBase));
  b.last_error = "rpc error: connection refused";
  b.min_time = -9223372036854775807LL - 1;
  b.max_time = 9223372036854775807LL;
  StoreStatus unknown;
  unknown.name = "10.0.0.3:10901";
  backend_->stores = {b, a, unknown};
  EXPECT_EQ(Get("/api/v1/stores").body,
            R"({"status":"success","data":{"sidecar":[{"name":"10.0.0.1:10901",)"
            R"("lastCheck":"2023-11-14T22:13:21.5Z","lastError":null,"labelSets":[{"cluster":"eu","replica":"0"}],)"
            R"("minTime":1700000000000,"maxTime":1700000600000}],"store":[{"name":"10.0.0.2:10901",)"
            R"("lastCheck":"2023-11-14T22:13:20Z","lastError":"rpc error: connection refused","labelSets":[],)"
            R"("minTime":-9223372036854775808,"maxTime":9223372036854775807}]}})");
}

TEST_F(ApiTest, HealthAndReadiness) {
  Reply r = Get("/-/healthy");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "OK");
  EXPECT_EQ(Get("/-/ready").status, 200);
  backend_->ready = false;
  r = Get("/-/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Get("/-/healthy").status, 200);
  backend_->ready = true;
  EXPECT_EQ(Get("/-/ready").status, 200);
}

TEST_F(ApiTest, MetricsHookAndUnknownPaths) {
  // The querier mounts its own handlers next to the API, e.g. /metrics.
  server_->Stop();
  server_ = std::make_unique<HttpServer>(HttpServerOptions{"127.0.0.1", 0, 4});
  api_->Register(server_.get());
  server_->Handle("GET", "/metrics", [](const Request&, Response* resp) {
    resp->content_type = "text/plain; version=0.0.4";
    resp->body = "meridian_up 1\n";
  });
  ASSERT_TRUE(server_->Start().ok());
  client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  client_->set_url_encode(false);
  Reply r = Get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "meridian_up 1\n");
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
  r = Get("/api/v1/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "404 page not found\n");
  EXPECT_EQ(Get("/api/v1/query?query=1&time=1").status, 200);
  // A known path asked with a method it does not serve: 405, as Prometheus's router.
  auto del = client_->Delete("/api/v1/query?query=1");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  EXPECT_EQ(del->body, "Method Not Allowed\n");
  EXPECT_NE(del->get_header_value("Allow").find("GET"), std::string::npos);
  auto put = client_->Put("/api/v1/query", "", "text/plain");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
}

// Requests past the server's own limits get Prometheus-style JSON errors, not empty bodies.
TEST_F(ApiTest, RequestsPastTheLimitsGetJsonErrors) {
  std::string long_query(9000, ' ');
  long_query.insert(0, "1");
  Reply r = Get("/api/v1/query?time=1&query=" + long_query);
  EXPECT_EQ(r.status, 414);
  EXPECT_NE(r.body.find(R"("errorType":"bad_data")"), std::string::npos) << r.body;
}

// Grafana POSTs long queries: a 1 MB form body is answered (Debian's cpp-httplib alone stops
// form bodies at 8 KiB).
TEST_F(ApiTest, MegabytePostQueryIsAnswered) {
  const std::string body = "time=1&query=1%20%23" + std::string(1 << 20, 'x');  // "1 #xxx...": a comment
  Reply r = PostForm("/api/v1/query", body);
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_NE(r.body.find(R"("result":[1,"1"])"), std::string::npos) << r.body.substr(0, 300);
  // Past the server's body limit (16 MiB): a JSON error.
  r = PostForm("/api/v1/query", "time=1&query=1%20%23" + std::string(17 << 20, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find(R"("errorType":"bad_data")"), std::string::npos) << r.body.substr(0, 300);
}

TEST_F(ApiTest, CorsPreflightAndHeaders) {
  httplib::Headers h = {{"Origin", "http://grafana:3000"}};
  auto res = client_->Get("/api/v1/query?query=1&time=1", h);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
  auto pre = client_->Options("/api/v1/query_range", h);
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->status, 204);
  EXPECT_EQ(pre->get_header_value("Access-Control-Allow-Methods"), "GET, POST, OPTIONS");
}

// A kept-alive connection's answers go out at once: with Nagle's algorithm on, each answer
// after the first waited for the client's delayed ACK (40-50 ms a request, measured). Checked on
// the server's accepted socket, found among this process's descriptors.
TEST_F(ApiTest, AcceptedConnectionsSendWithoutNagleDelay) {
  client_->set_keep_alive(true);
  ASSERT_EQ(Get("/api/v1/query?query=1&time=1").status, 200);
  int accepted = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    const int fd = std::atoi(entry.path().filename().c_str());
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 || addr.sin_family != AF_INET) continue;
    int listening = 0;
    socklen_t optlen = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) != 0 || listening != 0) continue;
    if (ntohs(addr.sin_port) != server_->port()) continue;  // the client's end has an ephemeral port
    ++accepted;
    int nodelay = 0;
    optlen = sizeof(nodelay);
    ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &optlen), 0);
    EXPECT_NE(nodelay, 0) << "accepted socket " << fd << " has Nagle's algorithm on";
  }
  EXPECT_GE(accepted, 1);
  client_->stop();  // the server's worker would otherwise wait out the keep-alive timeout
}

TEST_F(ApiTest, BindConflictIsAnError) {
  HttpServer other(HttpServerOptions{"127.0.0.1", server_->port(), 2});
  Status s = other.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot bind"), std::string::npos);
}

}  // namespace
}  // namespace meridian::web
