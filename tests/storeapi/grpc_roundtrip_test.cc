// A QueryableStore over an in-memory store, served by a real gRPC server on loopback, read
// back through RemoteStore and StoreQueryable: the path a querier takes to a store.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "storage/memory_storage.h"
#include "storage/series_decoder.h"
#include "storeapi/grpc_server.h"
#include "storeapi/queryable_store.h"
#include "storeapi/remote_store.h"
#include "storeapi/wire_adapters.h"
#include "storeapi/request_limits.h"
#include "storeapi/store_queryable.h"
#include "thanos/storepb/rpc.grpc.pb.h"

namespace meridian::storeapi {
namespace {

MatcherPtr M(MatchType t, const std::string& n, const std::string& v) {
  std::string err;
  return Matcher::Make(t, n, v, &err);
}

class GrpcRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_shared<storage::MemoryStorage>();
    for (int i = 0; i < 5; ++i) {
      Labels l{{"__name__", "up"}, {"job", "j" + std::to_string(i % 2)}, {"instance", "i" + std::to_string(i)}};
      for (int t = 0; t < 300; ++t) ASSERT_TRUE(db_->Append(l, t * 15000, i * 1000 + t).ok());
    }
    QueryableStoreOptions opts;
    opts.name = "mem";
    opts.external_labels = Labels{{"region", "eu"}, {"replica", "a"}};
    opts.min_time = 0;
    opts.max_time = 299 * 15000;
    store_ = std::make_shared<QueryableStore>(db_, opts);
    auto server = GrpcServer::Start("127.0.0.1:0", store_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    remote_ = std::make_shared<RemoteStore>("127.0.0.1:" + std::to_string(server_->port()));
  }

  std::vector<storage::Series> SelectAll(StoreQueryableOptions opts, const Matchers& ms, bool labels_only = false) {
    StoreQueryable q(remote_, std::move(opts));
    auto querier = q.NewQuerier(0, 300 * 15000);
    storage::SelectHints hints;
    hints.start_ms = 0;
    hints.end_ms = 300 * 15000;
    hints.labels_only = labels_only;
    auto set = querier->Select(true, hints, ms);
    std::vector<storage::Series> out;
    while (set->Next()) out.push_back(set->At());
    EXPECT_TRUE(set->status().ok()) << set->status().message();
    return out;
  }

  std::shared_ptr<storage::MemoryStorage> db_;
  std::shared_ptr<QueryableStore> store_;
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<RemoteStore> remote_;
};

TEST_F(GrpcRoundTrip, InfoAdvertisesLabelsTypeAndRange) {
  auto info = remote_->Info(CallContext{});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->componenttype(), "store");
  ASSERT_EQ(info->label_sets_size(), 1);
  EXPECT_EQ(info->label_sets(0).labels_size(), 2);
  EXPECT_EQ(info->store().max_time(), 299 * 15000);
  EXPECT_TRUE(info->store().supports_without_replica_labels());
}

TEST_F(GrpcRoundTrip, SeriesCarryExternalLabelsAndExactSamples) {
  auto series = SelectAll({}, {M(MatchType::kEqual, "job", "j1")});
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].labels.Get("region"), "eu");
  EXPECT_EQ(series[0].labels.Get("replica"), "a");
  EXPECT_EQ(series[0].labels.Get("instance"), "i1");
  EXPECT_LT(Compare(series[0].labels, series[1].labels), 0);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  ASSERT_TRUE(storage::DecodeSeries(series[1], 0, 300 * 15000, &ts, &vs).ok());
  ASSERT_EQ(ts.size(), 300u);
  EXPECT_EQ(ts[299], 299 * 15000);
  EXPECT_EQ(vs[10], 3000 + 10);
}

TEST_F(GrpcRoundTrip, ExternalLabelMatchersDecideTheWholeStore) {
  EXPECT_EQ(SelectAll({}, {M(MatchType::kEqual, "region", "us"), M(MatchType::kEqual, "job", "j1")}).size(), 0u);
  EXPECT_EQ(SelectAll({}, {M(MatchType::kRegexp, "region", "e.*"), M(MatchType::kEqual, "job", "j1")}).size(), 2u);
}

TEST_F(GrpcRoundTrip, SkipChunksAndWithoutReplicaLabels) {
  StoreQueryableOptions opts;
  opts.without_replica_labels = {"replica"};
  auto series = SelectAll(opts, {M(MatchType::kRegexp, "job", ".+")}, /*labels_only=*/true);
  ASSERT_EQ(series.size(), 5u);
  for (size_t i = 0; i < series.size(); ++i) {
    EXPECT_FALSE(series[i].labels.Has("replica"));
    EXPECT_TRUE(series[i].chunks.empty());
    if (i > 0) {
      EXPECT_LT(Compare(series[i - 1].labels, series[i].labels), 0);
    }
  }
}

TEST_F(GrpcRoundTrip, OverriddenLabelsAreResortedAndMerged) {
  // A series that carries an external label name of its own gets the external value, which
  // can reorder the stream; the store must still stream sorted, with duplicates merged.
  ASSERT_TRUE(db_->Append(Labels{{"__name__", "up"}, {"job", "j1"}, {"instance", "i1"}, {"replica", "zz"}}, 0, 1).ok());
  auto series = SelectAll({}, {M(MatchType::kEqual, "instance", "i1")});
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].labels.Get("replica"), "a");
  EXPECT_GE(series[0].chunks.size(), 2u);
}

TEST_F(GrpcRoundTrip, LimitAndBatchesThroughTheWire) {
  thanos::SeriesRequest req;
  req.set_min_time(0);
  req.set_max_time(300 * 15000);
  auto* m = req.add_matchers();
  m->set_type(thanos::LabelMatcher::RE);
  m->set_name("job");
  m->set_value(".+");
  req.set_response_batch_size(2);
  auto stream = remote_->Series(req, CallContext{});
  thanos::SeriesResponse resp;
  int batches = 0, series = 0;
  while (stream->Next(&resp)) {
    ASSERT_EQ(resp.result_case(), thanos::SeriesResponse::kBatch);
    ++batches;
    series += resp.batch().series_size();
  }
  EXPECT_TRUE(stream->status().ok());
  EXPECT_EQ(series, 5);
  EXPECT_EQ(batches, 3);

  req.set_response_batch_size(0);
  req.set_limit(3);
  stream = remote_->Series(req, CallContext{});
  series = 0;
  while (stream->Next(&resp)) ++series;
  EXPECT_EQ(series, 3);
}

TEST_F(GrpcRoundTrip, LabelNamesAndValuesIncludeExternalLabels) {
  StoreQueryable q(remote_, {});
  auto querier = q.NewQuerier(0, 300 * 15000);
  auto names = querier->LabelNames({});
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "instance", "job", "region", "replica"}));
  auto values = querier->LabelValues("job", {M(MatchType::kEqual, "instance", "i0")});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, std::vector<std::string>{"j0"});
  auto region = querier->LabelValues("region", {});
  ASSERT_TRUE(region.ok());
  EXPECT_EQ(*region, std::vector<std::string>{"eu"});
}

TEST_F(GrpcRoundTrip, InvalidRequestIsAnErrorNotACrash) {
  thanos::SeriesRequest req;
  req.set_min_time(10);
  req.set_max_time(1);
  auto stream = remote_->Series(req, CallContext{});
  thanos::SeriesResponse resp;
  EXPECT_FALSE(stream->Next(&resp));
  EXPECT_EQ(stream->status().code(), StatusCode::kBadData);
}

// Thousands of matchers or replica labels are refused at once with a clear error (they made a
// store work for seconds per request), the limits themselves still served.
TEST_F(GrpcRoundTrip, OversizedRequestsAreRefused) {
  auto series_error = [&](const thanos::SeriesRequest& req) {
    auto stream = remote_->Series(req, CallContext{});
    thanos::SeriesResponse resp;
    while (stream->Next(&resp)) {
    }
    return stream->status();
  };
  thanos::SeriesRequest req;
  req.set_min_time(0);
  req.set_max_time(300 * 15000);
  for (size_t i = 0; i < kMaxReplicaLabels; ++i) req.add_without_replica_labels("r" + std::to_string(i));
  auto* m = req.add_matchers();
  m->set_name("__name__");
  m->set_value(".+");
  m->set_type(thanos::LabelMatcher::RE);
  EXPECT_TRUE(series_error(req).ok()) << series_error(req).message();
  for (size_t i = 0; i < 10'000; ++i) req.add_without_replica_labels("x" + std::to_string(i));
  Status s = series_error(req);
  EXPECT_EQ(s.code(), StatusCode::kBadData) << s.message();
  EXPECT_NE(s.message().find("without_replica_labels"), std::string::npos) << s.message();

  req.clear_without_replica_labels();
  for (size_t i = 0; i < 5'000; ++i) *req.add_matchers() = *m;
  s = series_error(req);
  EXPECT_EQ(s.code(), StatusCode::kBadData) << s.message();
  EXPECT_NE(s.message().find("5001 matchers"), std::string::npos) << s.message();

  thanos::LabelNamesRequest names;
  for (size_t i = 0; i < kMaxRequestMatchers + 1; ++i) *names.add_matchers() = *m;
  auto r = remote_->LabelNames(names, CallContext{});
  EXPECT_EQ(r.status().code(), StatusCode::kBadData);
}

TEST_F(GrpcRoundTrip, StoppedServerIsUnavailable) {
  server_->Shutdown();
  CallContext ctx;
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  auto info = remote_->Info(ctx);
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(info.status().code() == StatusCode::kUnavailable || info.status().code() == StatusCode::kTimeout)
      << info.status().message();
}

// A store whose every Series call fails with one fixed Status, to see how it crosses the wire.
class FailingStore : public Store {
 public:
  explicit FailingStore(Status s) : status_(std::move(s)) {}
  std::string Name() const override { return "failing"; }
  StatusOr<thanos::info::InfoResponse> Info(const CallContext&) override { return status_; }
  std::unique_ptr<SeriesStream> Series(const thanos::SeriesRequest&, const CallContext&) override {
    return ErrorStream(status_);
  }
  std::unique_ptr<storage::SeriesSet> Select(const SelectRequest& r, const CallContext& c) override {
    return SelectViaSeries(*this, r, c);
  }
  StatusOr<thanos::LabelNamesResponse> LabelNames(const thanos::LabelNamesRequest&, const CallContext&) override {
    return status_;
  }
  StatusOr<thanos::LabelValuesResponse> LabelValues(const thanos::LabelValuesRequest&,
                                                    const CallContext&) override {
    return status_;
  }

 private:
  Status status_;
};

// Thanos sends its limit errors as gRPC ResourceExhausted: the server must put that code on
// the wire (a Thanos querier sees it, checked with a raw stub, not our client), and
// RemoteStore must read it back as kResourceExhausted rather than the kUnavailable default.
TEST(GrpcStatusMapping, ResourceExhaustedBothWays) {
  const std::string msg = "exceeded series limit: limit 3 violated (got 4)";
  auto server = GrpcServer::Start("127.0.0.1:0", std::make_shared<FailingStore>(ResourceExhaustedError(msg)));
  ASSERT_TRUE(server.ok()) << server.status().message();
  const std::string addr = "127.0.0.1:" + std::to_string((*server)->port());

  auto stub = thanos::Store::NewStub(grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  grpc::ClientContext cc;
  cc.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  thanos::SeriesRequest req;
  req.set_min_time(0);
  req.set_max_time(1000);
  auto reader = stub->Series(&cc, req);
  thanos::SeriesResponse resp;
  while (reader->Read(&resp)) {
  }
  grpc::Status wire = reader->Finish();
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << wire.error_message();
  EXPECT_EQ(wire.error_message(), msg);

  RemoteStore remote(addr);
  auto stream = remote.Series(req, CallContext{});
  EXPECT_FALSE(stream->Next(&resp));
  EXPECT_EQ(stream->status().code(), StatusCode::kResourceExhausted) << stream->status().message();
  EXPECT_NE(stream->status().message().find(msg), std::string::npos) << stream->status().message();
  (*server)->Shutdown();
}

}  // namespace
}  // namespace meridian::storeapi
