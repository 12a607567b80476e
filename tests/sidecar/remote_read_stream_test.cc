// The remote-read stream against a scripted HTTP endpoint speaking Prometheus's framing:
// the cases a healthy Prometheus rarely produces on demand (a series split across frames,
// a corrupt frame, an error answer, a non-streamed answer) and early stops (limit,
// consumer gone while the producer waits on a full queue). The real server is exercised
// by sidecar_integration_test.

#include <httplib.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "storeapi/convert.h"
#include "storeapi/sidecar/prometheus_store.h"
#include "tsdb/crc32c.h"

namespace meridian::storeapi::sidecar {
namespace {

std::string Uvarint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

std::string Frame(const prometheus::ChunkedReadResponse& msg) {
  std::string body = msg.SerializeAsString();
  uint32_t crc = tsdb::Crc32c(body);
  std::string out = Uvarint(body.size());
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((crc >> shift) & 0xff));
  return out + body;
}

void AddSeries(prometheus::ChunkedReadResponse* r, const std::vector<std::pair<std::string, std::string>>& labels,
               int64_t first_chunk, int chunks, prometheus::Chunk::Encoding type = prometheus::Chunk::XOR) {
  auto* s = r->add_chunked_series();
  for (const auto& [n, v] : labels) {
    auto* l = s->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  for (int i = 0; i < chunks; ++i) {
    auto* c = s->add_chunks();
    c->set_min_time_ms((first_chunk + i) * 1000);
    c->set_max_time_ms((first_chunk + i) * 1000 + 999);
    c->set_type(type);
    c->set_data("chunk" + std::to_string(first_chunk + i));
  }
}

// A fake Prometheus: external labels replica="a", size-only retention (so any time range is
// served), and a scripted remote-read answer.
class ScriptedPrometheus {
 public:
  ScriptedPrometheus() {
    server_.Get("/api/v1/status/config", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"success","data":{"yaml":"global:\n  external_labels:\n    replica: a\n"}})",
                      "application/json");
    });
    server_.Get("/api/v1/status/flags", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"success","data":{"storage.tsdb.retention.time":"0s","storage.tsdb.retention.size":"1GB"}})", "application/json");
    });
    server_.Get("/api/v1/status/tsdb", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"success","data":{"headStats":{"numSeries":0,"minTime":0,"maxTime":0}}})",
                      "application/json");
    });
    server_.Get("/api/v1/labels", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"success","data":["__name__","job"]})", "application/json");
    });
    server_.Post("/api/v1/read", [this](const httplib::Request& req, httplib::Response& res) {
      last_encoding_ = req.get_header_value("Content-Encoding");
      last_version_ = req.get_header_value("X-Prometheus-Remote-Read-Version");
      if (status_ != 200) {
        res.status = status_;
        res.set_content(body_, "application/json");
        return;
      }
      auto body = std::make_shared<std::string>(body_);
      res.set_content_provider(
          body->size(), content_type_,
          [body](size_t offset, size_t length, httplib::DataSink& sink) {
            // Small writes, so the client sees frames cut anywhere.
            size_t n = std::min<size_t>(length, 7000);
            return sink.write(body->data() + offset, n);
          });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ScriptedPrometheus() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void Answer(std::string body, int status = 200,
              std::string content_type = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse") {
    body_ = std::move(body);
    status_ = status;
    content_type_ = std::move(content_type);
  }
  std::string last_encoding_, last_version_;

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string body_;
  int status_ = 200;
  std::string content_type_;
};

struct Read {
  std::vector<thanos::Series> series;
  Status status;
};

class RemoteReadStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = std::make_shared<PrometheusClient>(prom_.url());
    md_ = std::make_shared<PrometheusMetadata>(client_, MetadataOptions{});
    ASSERT_TRUE(md_->Refresh().ok());
  }

  std::unique_ptr<SeriesStream> Open(PrometheusStoreOptions so = {}, int64_t limit = 0) {
    store_ = std::make_unique<PrometheusStore>(client_, md_, so);
    thanos::SeriesRequest req;
    req.set_min_time(0);
    req.set_max_time(1000000);
    req.set_limit(limit);
    auto* m = req.add_matchers();
    m->set_type(thanos::LabelMatcher::EQ);
    m->set_name("job");
    m->set_value("x");
    return store_->Series(req, CallContext{});
  }

  Read ReadAll(PrometheusStoreOptions so = {}, int64_t limit = 0) {
    Read r;
    auto s = Open(so, limit);
    thanos::SeriesResponse resp;
    while (s->Next(&resp)) {
      if (resp.has_series()) r.series.push_back(resp.series());
    }
    r.status = s->status();
    return r;
  }

  ScriptedPrometheus prom_;
  std::shared_ptr<PrometheusClient> client_;
  std::shared_ptr<PrometheusMetadata> md_;
  std::unique_ptr<PrometheusStore> store_;
};

TEST_F(RemoteReadStreamTest, JoinsASeriesSplitAcrossFramesAndMapsChunkTypes) {
  prometheus::ChunkedReadResponse f1, f2, f3;
  AddSeries(&f1, {{"__name__", "a"}, {"job", "x"}}, 0, 3);
  AddSeries(&f2, {{"__name__", "a"}, {"job", "x"}}, 3, 2);  // continues the same series
  AddSeries(&f2, {{"__name__", "b"}, {"job", "x"}}, 0, 1, prometheus::Chunk::HISTOGRAM);
  AddSeries(&f3, {{"__name__", "c"}, {"job", "x"}}, 0, 1, prometheus::Chunk::FLOAT_HISTOGRAM);
  prom_.Answer(Frame(f1) + Frame(f2) + Frame(f3));
  Read r = ReadAll();
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(prom_.last_encoding_, "snappy");
  EXPECT_EQ(prom_.last_version_, "0.1.0");
  ASSERT_EQ(r.series.size(), 3u);
  EXPECT_EQ(LabelsFromProto(r.series[0].labels()), (Labels{{"__name__", "a"}, {"job", "x"}, {"replica", "a"}}));
  ASSERT_EQ(r.series[0].chunks_size(), 5);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(r.series[0].chunks(i).min_time(), i * 1000);
    EXPECT_EQ(r.series[0].chunks(i).raw().data(), "chunk" + std::to_string(i));
    EXPECT_EQ(r.series[0].chunks(i).raw().type(), thanos::Chunk::XOR);
  }
  EXPECT_EQ(r.series[1].chunks(0).raw().type(), thanos::Chunk::HISTOGRAM);
  EXPECT_EQ(r.series[2].chunks(0).raw().type(), thanos::Chunk::FLOAT_HISTOGRAM);
}

TEST_F(RemoteReadStreamTest, CorruptFrameFailsTheStream) {
  prometheus::ChunkedReadResponse f1, f2;
  AddSeries(&f1, {{"__name__", "a"}, {"job", "x"}}, 0, 1);
  AddSeries(&f2, {{"__name__", "b"}, {"job", "x"}}, 0, 1);
  std::string bad = Frame(f2);
  bad[bad.size() - 2] ^= 0x40;
  prom_.Answer(Frame(f1) + bad);
  Read r = ReadAll();
  EXPECT_EQ(r.status.code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status.message().find("checksum mismatch"), std::string::npos) << r.status.message();
}

TEST_F(RemoteReadStreamTest, UnknownChunkEncodingFailsTheStream) {
  prometheus::ChunkedReadResponse f;
  AddSeries(&f, {{"__name__", "a"}, {"job", "x"}}, 0, 1, prometheus::Chunk::UNKNOWN);
  prom_.Answer(Frame(f));
  Read r = ReadAll();
  EXPECT_EQ(r.status.code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status.message().find("unrecognized Prometheus chunk encoding 0"), std::string::npos);
}

TEST_F(RemoteReadStreamTest, ErrorAnswersKeepPrometheusMessage) {
  prom_.Answer(R"({"status":"error","errorType":"bad_data","error":"invalid matcher"})", 400);
  Read r = ReadAll();
  EXPECT_EQ(r.status.code(), StatusCode::kBadData);
  EXPECT_NE(r.status.message().find("invalid matcher"), std::string::npos) << r.status.message();
  EXPECT_TRUE(md_->Ready());  // Prometheus answered: still ready

  prom_.Answer("not streamed", 200, "application/x-protobuf");
  r = ReadAll();
  EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status.message().find("instead of streamed chunks"), std::string::npos) << r.status.message();
}

std::string ManySeries(int n) {
  std::string body;
  for (int i = 0; i < n; ++i) {
    prometheus::ChunkedReadResponse f;
    char name[32];
    std::snprintf(name, sizeof(name), "s%06d", i);
    AddSeries(&f, {{"__name__", name}, {"job", "x"}}, 0, 4);
    body += Frame(f);
  }
  return body;
}

TEST_F(RemoteReadStreamTest, LimitAndAbandonedStreamsStopTheProducer) {
  prom_.Answer(ManySeries(20000));
  Read r = ReadAll({}, /*limit=*/5);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.series.size(), 5u);

  // The consumer reads one series and goes away while the producer waits on a full queue.
  PrometheusStoreOptions small;
  small.queue_capacity = 2;
  small.reorder_window = 2;
  auto t0 = std::chrono::steady_clock::now();
  {
    auto s = Open(small);
    thanos::SeriesResponse resp;
    ASSERT_TRUE(s->Next(&resp));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));

  // Cancel() from another thread ends a blocked Next.
  {
    auto s = Open(small);
    thanos::SeriesResponse resp;
    ASSERT_TRUE(s->Next(&resp));
    s->Cancel();
    while (s->Next(&resp)) {
    }
    EXPECT_EQ(s->status().code(), StatusCode::kCanceled);
  }

  // Read whole, the same answer streams completely.
  r = ReadAll(small);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.series.size(), 20000u);
}

TEST_F(RemoteReadStreamTest, UnreachablePrometheusMakesTheSidecarNotReady) {
  prom_.Answer("");
  auto client = std::make_shared<PrometheusClient>("http://127.0.0.1:1");
  PrometheusStore store(client, md_);
  thanos::SeriesRequest req;
  req.set_max_time(1000);
  auto* m = req.add_matchers();
  m->set_name("job");
  m->set_value("x");
  auto s = store.Series(req, CallContext{});
  thanos::SeriesResponse resp;
  while (s->Next(&resp)) {
  }
  EXPECT_EQ(s->status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(md_->Ready());
  EXPECT_FALSE(store.Info(CallContext{}).ok());
  // The next good refresh makes it ready again.
  ASSERT_TRUE(md_->Refresh().ok());
  EXPECT_TRUE(md_->Ready());
}

}  // namespace
}  // namespace meridian::storeapi::sidecar
