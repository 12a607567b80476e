#include "api_test_fixture.h"

namespace meridian::web {

std::string Sec(int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000);
  return std::to_string(static_cast<double>(ms) / 1000.0);
}

void ApiTest::SetUp() {
  storage_ = std::make_shared<storage::MemoryStorage>();
  for (int i = 0; i <= 40; ++i) {
    int64_t t = kBase + i * 15000;
    ASSERT_TRUE(storage_->Append({{"__name__", "up"}, {"instance", "a:9090"}, {"job", "node"}}, t, 1).ok());
    ASSERT_TRUE(storage_->Append({{"__name__", "up"}, {"instance", "b:9090"}, {"job", "node"}}, t, 0).ok());
    ASSERT_TRUE(storage_
                    ->Append({{"__name__", "http_requests_total"}, {"code", "200"}, {"job", "api"}}, t,
                             10.0 * i)
                    .ok());
    ASSERT_TRUE(
        storage_->Append({{"__name__", "http_requests_total"}, {"code", "500"}, {"job", "api"}}, t, 1.0 * i)
            .ok());
  }
  queryable_ = storage_;
  Restart();
}

void ApiTest::Restart() {
  if (server_) server_->Stop();
  server_.reset();
  api_.reset();
  backend_ = std::make_shared<TestBackend>(queryable_);
  options_ = ApiOptions{};
  options_.now_ms = [] { return kBase + 60000; };
  options_.build_info = {"0.1.0", "abc123", "main", "tester", "20240101-00:00:00", "clang"};
  options_.flags = {{"query.timeout", "2m"}, {"http-address", "127.0.0.1:0"}};
  Configure(&options_);
  api_ = std::make_unique<Api>(backend_, options_);
  HttpServerOptions hopts;
  hopts.host = "127.0.0.1";
  hopts.port = 0;
  hopts.threads = 8;
  server_ = std::make_unique<HttpServer>(hopts);
  api_->Register(server_.get());
  ASSERT_TRUE(server_->Start().ok());
  client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  client_->set_read_timeout(30, 0);
  // Targets are sent as written (already encoded), so '+' stays a form-encoded space.
  client_->set_url_encode(false);
}

void ApiTest::TearDown() {
  if (server_) server_->Stop();
}

Reply ApiTest::Get(const std::string& target) {
  auto res = client_->Get(target.c_str());
  if (!res) return {-1, "transport error: " + httplib::to_string(res.error()), ""};
  return {res->status, res->body, res->get_header_value("Content-Type")};
}

Reply ApiTest::PostForm(const std::string& target, const std::string& body) {
  auto res = client_->Post(target.c_str(), body, "application/x-www-form-urlencoded");
  if (!res) return {-1, "transport error: " + httplib::to_string(res.error()), ""};
  return {res->status, res->body, res->get_header_value("Content-Type")};
}

}  // namespace meridian::web
