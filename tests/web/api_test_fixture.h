#pragma once
// A real API server on 127.0.0.1 (free port) over an in-memory store with small fixed data,
// and helpers to call it with httplib's client.

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <mutex>
#include <string>

#include "storage/memory_storage.h"
#include "web/api/api.h"
#include "web/api/json_writer.h"
#include "web/http_server.h"

namespace meridian::web {

// The in-memory backend with the knobs the querier's real one has: readiness, store
// statuses, and the options each request arrived with (to check parameter handling).
class TestBackend : public StaticQueryableBackend {
 public:
  explicit TestBackend(std::shared_ptr<storage::Queryable> q) : StaticQueryableBackend(std::move(q)) {}
  std::shared_ptr<storage::Queryable> Queryable(const QueryRequestOptions& o) override {
    std::lock_guard<std::mutex> l(mu);
    last_options = o;
    ++calls;
    return StaticQueryableBackend::Queryable(o);
  }
  std::vector<StoreStatus> Stores() override { return stores; }
  bool Ready() override { return ready; }

  std::mutex mu;
  QueryRequestOptions last_options;
  int calls = 0;
  std::vector<StoreStatus> stores;
  std::atomic<bool> ready{true};
};

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
};

class ApiTest : public ::testing::Test {
 protected:
  // 2023-11-14T22:13:20Z; samples every 15 s for 10 minutes from here.
  static constexpr int64_t kBase = 1700000000000;

  void SetUp() override;
  void TearDown() override;
  // Override to change API options before the server starts.
  virtual void Configure(ApiOptions*) {}
  // Restart with the given options (for tests that need special limits).
  void Restart();

  Reply Get(const std::string& target);
  Reply PostForm(const std::string& target, const std::string& body);

  std::shared_ptr<storage::MemoryStorage> storage_;
  std::shared_ptr<storage::Queryable> queryable_;
  std::shared_ptr<TestBackend> backend_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
  ApiOptions options_;
};

// Seconds as the API's time parameters take them.
std::string Sec(int64_t ms);

}  // namespace meridian::web
