// The proxy over real stores: in-memory stores wrapped as StoreAPI stores, one of them
// behind a real gRPC server, plus stores that fail or hang the way broken endpoints do.

#include "query/proxy_store.h"
#include "storeapi/wire_adapters.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "query/querier_queryable.h"
#include "storage/memory_storage.h"
#include "storeapi/grpc_server.h"
#include "storeapi/queryable_store.h"
#include "storeapi/remote_store.h"

namespace meridian::query {
namespace {

using storeapi::CallContext;

// Counts the Series calls a store receives (the acceptance check "a query reaches only the
// stores that can hold its data" reads these).
class CountingStore : public storeapi::Store {
 public:
  explicit CountingStore(std::shared_ptr<storeapi::Store> inner) : inner_(std::move(inner)) {}
  std::string Name() const override { return inner_->Name(); }
  StatusOr<thanos::info::InfoResponse> Info(const CallContext& c) override { return inner_->Info(c); }
  std::unique_ptr<storeapi::SeriesStream> Series(const thanos::SeriesRequest& r, const CallContext& c) override {
    ++series_calls;
    return inner_->Series(r, c);
  }
  std::unique_ptr<storage::SeriesSet> Select(const storeapi::SelectRequest& r, const CallContext& c) override {
    ++series_calls;
    return inner_->Select(r, c);
  }
  StatusOr<thanos::LabelNamesResponse> LabelNames(const thanos::LabelNamesRequest& r, const CallContext& c) override {
    return inner_->LabelNames(r, c);
  }
  StatusOr<thanos::LabelValuesResponse> LabelValues(const thanos::LabelValuesRequest& r,
                                                    const CallContext& c) override {
    return inner_->LabelValues(r, c);
  }
  std::atomic<int> series_calls{0};

 private:
  std::shared_ptr<storeapi::Store> inner_;
};

// A store that accepts the call and then never sends anything until cancelled, like an
// endpoint stuck on a slow disk.
class HangingStore : public storeapi::Store {
 public:
  class Stream : public storeapi::SeriesStream {
   public:
    bool Next(thanos::SeriesResponse*) override {
      while (!cancelled_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return false;
    }
    Status status() const override { return Status(StatusCode::kCanceled, "cancelled"); }
    void Cancel() override { cancelled_ = true; }

   private:
    std::atomic<bool> cancelled_{false};
  };
  std::string Name() const override { return "hanging"; }
  StatusOr<thanos::info::InfoResponse> Info(const CallContext&) override { return thanos::info::InfoResponse(); }
  std::unique_ptr<storeapi::SeriesStream> Series(const thanos::SeriesRequest&, const CallContext&) override {
    return std::make_unique<Stream>();
  }
  std::unique_ptr<storage::SeriesSet> Select(const storeapi::SelectRequest& r, const CallContext& c) override {
    return storeapi::SelectViaSeries(*this, r, c);
  }
  StatusOr<thanos::LabelNamesResponse> LabelNames(const thanos::LabelNamesRequest&, const CallContext&) override {
    return thanos::LabelNamesResponse();
  }
  StatusOr<thanos::LabelValuesResponse> LabelValues(const thanos::LabelValuesRequest&, const CallContext&) override {
    return thanos::LabelValuesResponse();
  }
};

struct Fixture {
  std::shared_ptr<storage::MemoryStorage> db = std::make_shared<storage::MemoryStorage>();
  std::shared_ptr<CountingStore> store;
  StoreEndpoint endpoint;
};

Fixture MakeStore(const std::string& name, Labels ext, int64_t mint, int64_t maxt,
                  const std::vector<std::string>& instances, bool supports_without_replica = true) {
  Fixture f;
  for (const auto& inst : instances) {
    Labels l{{"__name__", "up"}, {"instance", inst}};
    for (int64_t t = mint; t <= maxt; t += 15000) EXPECT_TRUE(f.db->Append(l, t, static_cast<double>(t)).ok());
  }
  storeapi::QueryableStoreOptions o;
  o.name = name;
  o.external_labels = ext;
  o.min_time = mint;
  o.max_time = maxt;
  f.store = std::make_shared<CountingStore>(std::make_shared<storeapi::QueryableStore>(f.db, o));
  f.endpoint.store = f.store;
  f.endpoint.label_sets = {ext};
  f.endpoint.min_time = mint;
  f.endpoint.max_time = maxt;
  f.endpoint.supports_without_replica_labels = supports_without_replica;
  return f;
}

thanos::SeriesRequest Request(int64_t mint, int64_t maxt, const std::string& name, const std::string& value,
                              thanos::LabelMatcher::Type type = thanos::LabelMatcher::EQ) {
  thanos::SeriesRequest req;
  req.set_min_time(mint);
  req.set_max_time(maxt);
  auto* m = req.add_matchers();
  m->set_type(type);
  m->set_name(name);
  m->set_value(value);
  return req;
}

struct Collected {
  std::vector<thanos::Series> series;
  std::vector<std::string> warnings;
  Status status;
};

Collected Collect(storeapi::Store& s, const thanos::SeriesRequest& req) {
  Collected c;
  auto stream = s.Series(req, CallContext{});
  thanos::SeriesResponse r;
  while (stream->Next(&r)) {
    if (r.has_series()) c.series.push_back(r.series());
    if (r.result_case() == thanos::SeriesResponse::kWarning) c.warnings.push_back(r.warning());
  }
  c.status = stream->status();
  return c;
}

ProxyStore MakeProxy(std::vector<StoreEndpoint> endpoints, std::chrono::milliseconds timeout = {},
                     int64_t series_limit = 0) {
  ProxyStoreOptions o;
  o.response_timeout = timeout;
  o.series_limit = series_limit;
  return ProxyStore([endpoints] { return endpoints; }, o);
}

TEST(ProxyStore, MergesSortedStreamsWithPartitionsOfTheSameSeriesAdjacent) {
  auto old_half = MakeStore("old", Labels{{"region", "eu"}}, 0, 3600000, {"a", "c"});
  auto new_half = MakeStore("new", Labels{{"region", "eu"}}, 3600000 + 15000, 7200000, {"b", "c"});
  auto proxy = MakeProxy({old_half.endpoint, new_half.endpoint});
  auto got = Collect(proxy, Request(0, 7200000, "__name__", "up"));
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  std::vector<std::string> instances;
  for (const auto& s : got.series) {
    for (const auto& l : s.labels()) {
      if (l.name() == "instance") instances.push_back(l.value());
    }
  }
  // "c" comes from both stores: one partition each, adjacent, in store order, so the
  // querier can merge them (or deduplicate them as replicas).
  EXPECT_EQ(instances, (std::vector<std::string>{"a", "b", "c", "c"}));
  EXPECT_EQ(got.series[2].chunks(0).min_time(), 0);
  EXPECT_EQ(got.series[3].chunks(got.series[3].chunks_size() - 1).max_time(), 7200000);
}

TEST(ProxyStore, AsksOnlyStoresThatCanHoldTheData) {
  auto a = MakeStore("a", Labels{{"region", "eu"}}, 0, 1000000, {"x"});
  auto b = MakeStore("b", Labels{{"region", "eu"}}, 2000000, 3000000, {"x"});
  auto c = MakeStore("c", Labels{{"region", "us"}}, 0, 3000000, {"x"});
  auto proxy = MakeProxy({a.endpoint, b.endpoint, c.endpoint});
  auto req = Request(2000000, 2500000, "region", "eu");
  auto got = Collect(proxy, req);
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(a.store->series_calls, 0);
  EXPECT_EQ(b.store->series_calls, 1);
  EXPECT_EQ(c.store->series_calls, 0);
  EXPECT_EQ(got.series.size(), 1u);

  auto none = Collect(proxy, Request(0, 100, "region", "asia"));
  ASSERT_EQ(none.warnings.size(), 1u);
  EXPECT_EQ(none.warnings[0], kNoStoresMatched);
}

TEST(ProxyStore, FailingStoreIsAWarningOrAnError) {
  auto good = MakeStore("good", Labels{{"region", "eu"}}, 0, 100000, {"x"});
  StoreEndpoint dead;
  // Nothing listens there: the call fails the way a crashed endpoint's does.
  dead.store = std::make_shared<storeapi::RemoteStore>("127.0.0.1:1");
  auto proxy = MakeProxy({good.endpoint, dead});
  auto req = Request(0, 100000, "__name__", "up");
  auto warn = Collect(proxy, req);
  ASSERT_TRUE(warn.status.ok()) << warn.status.message();
  EXPECT_EQ(warn.series.size(), 1u);
  ASSERT_EQ(warn.warnings.size(), 1u);
  EXPECT_NE(warn.warnings[0].find("127.0.0.1:1"), std::string::npos) << warn.warnings[0];

  req.set_partial_response_strategy(thanos::ABORT);
  auto abort = Collect(proxy, req);
  EXPECT_EQ(abort.status.code(), StatusCode::kUnavailable);  // unreachable: worth retrying
  EXPECT_NE(abort.status.message().find("127.0.0.1:1"), std::string::npos);
}

// A store that answers every Series call with an error of its own, like a store-gateway over
// its --store.limits.request-series.
class RefusingStore : public HangingStore {
 public:
  std::string Name() const override { return "refusing"; }
  std::unique_ptr<storeapi::SeriesStream> Series(const thanos::SeriesRequest&, const CallContext&) override {
    return storeapi::ErrorStream(ExecutionError("exceeded series limit: limit 1 violated (got 2)"));
  }
};

TEST(ProxyStore, StoreRefusalIsAnExecutionErrorNotUnavailable) {
  auto good = MakeStore("good", Labels{{"region", "eu"}}, 0, 100000, {"x"});
  auto server = storeapi::GrpcServer::Start("127.0.0.1:0", std::make_shared<RefusingStore>());
  ASSERT_TRUE(server.ok());
  StoreEndpoint refusing;
  refusing.store = std::make_shared<storeapi::RemoteStore>("127.0.0.1:" + std::to_string((*server)->port()));
  auto proxy = MakeProxy({good.endpoint, refusing});
  auto req = Request(0, 100000, "__name__", "up");
  auto warn = Collect(proxy, req);
  ASSERT_TRUE(warn.status.ok()) << warn.status.message();
  ASSERT_EQ(warn.warnings.size(), 1u);
  EXPECT_NE(warn.warnings[0].find("exceeded series limit"), std::string::npos) << warn.warnings[0];
  req.set_partial_response_strategy(thanos::ABORT);
  auto abort = Collect(proxy, req);
  EXPECT_EQ(abort.status.code(), StatusCode::kExecution) << abort.status.message();
  EXPECT_NE(abort.status.message().find("exceeded series limit: limit 1 violated (got 2)"), std::string::npos)
      << abort.status.message();
}

TEST(ProxyStore, HangingStoreIsCutOffAtTheResponseTimeout) {
  auto good = MakeStore("good", Labels{{"region", "eu"}}, 0, 100000, {"x"});
  StoreEndpoint hang;
  hang.store = std::make_shared<HangingStore>();
  auto proxy = MakeProxy({good.endpoint, hang}, std::chrono::milliseconds(200));
  auto start = std::chrono::steady_clock::now();
  auto got = Collect(proxy, Request(0, 100000, "__name__", "up"));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.series.size(), 1u);
  ASSERT_EQ(got.warnings.size(), 1u);
  EXPECT_NE(got.warnings[0].find("hanging"), std::string::npos);
  // Bounded by the timeout, not by the store (a generous bound: this is not a timing test).
  EXPECT_LT(took, std::chrono::seconds(20));
}

TEST(ProxyStore, StripsReplicaLabelsForStoresThatCannot) {
  auto r1 = MakeStore("r1", Labels{{"replica", "a"}}, 0, 100000, {"x", "y"}, /*supports=*/false);
  auto r2 = MakeStore("r2", Labels{{"replica", "b"}}, 0, 100000, {"x"}, /*supports=*/true);
  auto proxy = MakeProxy({r1.endpoint, r2.endpoint});
  auto req = Request(0, 100000, "__name__", "up");
  req.add_without_replica_labels("replica");
  auto got = Collect(proxy, req);
  ASSERT_TRUE(got.status.ok());
  // x from both replicas has equal labels now: two adjacent partitions, then y.
  ASSERT_EQ(got.series.size(), 3u);
  std::vector<std::string> instances;
  for (const auto& s : got.series) {
    for (const auto& l : s.labels()) {
      EXPECT_NE(l.name(), "replica");
      if (l.name() == "instance") instances.push_back(l.value());
    }
  }
  EXPECT_EQ(instances, (std::vector<std::string>{"x", "x", "y"}));
}

TEST(ProxyStore, OverGrpcAndLimit) {
  auto f = MakeStore("remote", Labels{{"region", "eu"}}, 0, 100000, {"a", "b", "c"});
  auto server = storeapi::GrpcServer::Start("127.0.0.1:0", f.store);
  ASSERT_TRUE(server.ok());
  StoreEndpoint e = f.endpoint;
  e.store = std::make_shared<storeapi::RemoteStore>("127.0.0.1:" + std::to_string((*server)->port()));
  auto proxy = MakeProxy({e});
  auto req = Request(0, 100000, "__name__", "up");
  req.set_limit(2);
  auto got = Collect(proxy, req);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 2u);
}

// --store.limits.request-series counts distinct label sets: the partitions of one series from
// several stores (or replicas) are one series, as they are after the querier merges them.
TEST(ProxyStore, SeriesLimitCountsDistinctSeriesAndFailsTheCall) {
  auto old_half = MakeStore("old", Labels{{"region", "eu"}}, 0, 3600000, {"a", "b", "c"});
  auto new_half = MakeStore("new", Labels{{"region", "eu"}}, 3600000 + 15000, 7200000, {"c", "d"});
  const auto req = Request(0, 7200000, "__name__", "up");

  // a, b, c (twice), d: 4 distinct series. At the limit the call succeeds with everything.
  auto at = MakeProxy({old_half.endpoint, new_half.endpoint}, {}, 4);
  auto got = Collect(at, req);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 5u);

  // One below: the call fails with Thanos's limiter error, even though partial responses are
  // allowed (a limit is not a store failure to warn about).
  auto below = MakeProxy({old_half.endpoint, new_half.endpoint}, {}, 3);
  ASSERT_NE(req.partial_response_strategy(), thanos::ABORT);
  got = Collect(below, req);
  EXPECT_EQ(got.status.code(), StatusCode::kExecution);
  EXPECT_EQ(got.status.message(), "failed to send series: limit 3 violated (got 4)");
  EXPECT_EQ(got.series.size(), 4u);  // a, b, c, c went out before d was refused

  // The request's own limit truncates first: asking for 2 series is within a limit of 3.
  auto truncated_req = req;
  truncated_req.set_limit(2);
  got = Collect(below, truncated_req);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 2u);

  // 0 is no limit.
  auto unlimited = MakeProxy({old_half.endpoint, new_half.endpoint}, {}, 0);
  got = Collect(unlimited, req);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 5u);
}

// Through the engine's read path (QuerierQueryable over a remote store, dedup on): a selector
// over too many series ends the Select with the limit error, which the API reports as
// Prometheus does an execution error (422).
TEST(ProxyStore, SeriesLimitFailsASelectThroughTheQuerier) {
  auto f = MakeStore("remote", Labels{{"replica", "r1"}}, 0, 100000, {"a", "b", "c"});
  auto server = storeapi::GrpcServer::Start("127.0.0.1:0", f.store);
  ASSERT_TRUE(server.ok());
  StoreEndpoint e = f.endpoint;
  e.store = std::make_shared<storeapi::RemoteStore>("127.0.0.1:" + std::to_string((*server)->port()));
  for (int64_t limit : {2, 3}) {
    auto proxy = std::make_shared<ProxyStore>(MakeProxy({e}, {}, limit));
    QuerierOptions qo;
    qo.replica_labels = {"replica"};
    QuerierQueryable queryable(proxy, qo);
    auto querier = queryable.NewQuerier(0, 100000);
    storage::SelectHints hints;
    hints.start_ms = 0;
    hints.end_ms = 100000;
    std::string err;
    Matchers ms{Matcher::Make(MatchType::kEqual, "__name__", "up", &err)};
    auto set = querier->Select(true, hints, ms);
    size_t n = 0;
    while (set->Next()) ++n;
    if (limit == 2) {
      EXPECT_EQ(set->status().code(), StatusCode::kExecution);
      EXPECT_EQ(set->status().message(), "failed to send series: limit 2 violated (got 3)");
      EXPECT_LE(n, 2u);
    } else {
      EXPECT_TRUE(set->status().ok()) << set->status().message();
      EXPECT_EQ(n, 3u);
    }
  }
}

TEST(ProxyStore, LabelNamesAndValuesAreUnions) {
  auto a = MakeStore("a", Labels{{"region", "eu"}}, 0, 100000, {"x"});
  auto b = MakeStore("b", Labels{{"region", "us"}}, 0, 100000, {"y"});
  auto proxy = MakeProxy({a.endpoint, b.endpoint});
  thanos::LabelValuesRequest req;
  req.set_label("region");
  req.set_start(0);
  req.set_end(100000);
  auto values = proxy.LabelValues(req, CallContext{});
  ASSERT_TRUE(values.ok());
  ASSERT_EQ(values->values_size(), 2);
  EXPECT_EQ(values->values(0), "eu");
  EXPECT_EQ(values->values(1), "us");
  thanos::LabelNamesRequest nreq;
  nreq.set_start(0);
  nreq.set_end(100000);
  auto names = proxy.LabelNames(nreq, CallContext{});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->names_size(), 3);  // __name__, instance, region

  auto info = proxy.Info(CallContext{});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->componenttype(), "query");
  EXPECT_EQ(info->label_sets_size(), 2);
}

}  // namespace
}  // namespace meridian::query
