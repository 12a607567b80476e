// Two HA replicas of the same data (one with a 30-minute gap) behind the proxy: with dedup
// one series per pair, no replica label, no gap, counters without false resets; without
// dedup both replicas.

#include "query/querier_queryable.h"

#include <gtest/gtest.h>

#include "query/proxy_store.h"
#include "storage/memory_storage.h"
#include "storeapi/grpc_server.h"
#include "storeapi/queryable_store.h"
#include "storeapi/remote_store.h"

namespace meridian::query {
namespace {

constexpr int64_t kMinute = 60000;
constexpr int64_t kEnd = 180 * kMinute;

struct Replica {
  std::shared_ptr<storage::MemoryStorage> db = std::make_shared<storage::MemoryStorage>();
  std::unique_ptr<storeapi::GrpcServer> server;
  StoreEndpoint endpoint;
};

// A counter scraped every 15 s; replica b restarted once and counts lower; replica a has a gap.
Replica MakeReplica(const std::string& name, int64_t offset, double base, int64_t gap_from, int64_t gap_to) {
  Replica r;
  for (const char* inst : {"i1", "i2"}) {
    Labels l{{"__name__", "requests_total"}, {"instance", inst}};
    for (int64_t t = offset; t <= kEnd; t += 15000) {
      if (t >= gap_from && t < gap_to) continue;
      EXPECT_TRUE(r.db->Append(l, t, base + t / 1000.0).ok());
    }
  }
  storeapi::QueryableStoreOptions o;
  o.name = name;
  o.external_labels = Labels{{"cluster", "eu"}, {"replica", name}};
  o.min_time = 0;
  o.max_time = kEnd;
  auto server = storeapi::GrpcServer::Start("127.0.0.1:0", std::make_shared<storeapi::QueryableStore>(r.db, o));
  EXPECT_TRUE(server.ok());
  r.server = std::move(*server);
  r.endpoint.store = std::make_shared<storeapi::RemoteStore>("127.0.0.1:" + std::to_string(r.server->port()));
  r.endpoint.label_sets = {o.external_labels};
  r.endpoint.min_time = 0;
  r.endpoint.max_time = kEnd;
  r.endpoint.supports_without_replica_labels = true;
  return r;
}

struct Decoded {
  Labels labels;
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

std::vector<Decoded> Query(QuerierQueryable& q, const std::string& func) {
  auto querier = q.NewQuerier(0, kEnd);
  storage::SelectHints hints;
  hints.start_ms = 0;
  hints.end_ms = kEnd;
  hints.func = func;
  std::string err;
  auto set = querier->Select(true, hints, {Matcher::Make(MatchType::kEqual, "__name__", "requests_total", &err)});
  std::vector<Decoded> out;
  while (set->Next()) {
    Decoded d;
    d.labels = set->At().labels;
    EXPECT_TRUE(set->DecodeCurrent(0, kEnd, &d.ts, &d.vs).ok());
    out.push_back(std::move(d));
  }
  EXPECT_TRUE(set->status().ok()) << set->status().message();
  return out;
}

TEST(QuerierQueryable, DeduplicatesHaReplicas) {
  auto a = MakeReplica("a", 0, 1000, 60 * kMinute, 90 * kMinute);
  auto b = MakeReplica("b", 3000, 0, 0, 0);
  auto proxy = std::make_shared<ProxyStore>(
      [&] { return std::vector<StoreEndpoint>{a.endpoint, b.endpoint}; }, ProxyStoreOptions{});

  QuerierOptions opts;
  opts.replica_labels = {"replica"};
  QuerierQueryable dedup(proxy, opts);
  auto series = Query(dedup, "rate");
  ASSERT_EQ(series.size(), 2u);
  for (const auto& s : series) {
    EXPECT_FALSE(s.labels.Has("replica")) << s.labels.ToString();
    EXPECT_EQ(s.labels.Get("cluster"), "eu");
    int64_t max_step = 0;
    for (size_t i = 1; i < s.ts.size(); ++i) {
      max_step = std::max(max_step, s.ts[i] - s.ts[i - 1]);
      ASSERT_GE(s.vs[i], s.vs[i - 1]) << "false counter reset at " << s.ts[i];
    }
    EXPECT_LE(max_step, 2 * 15000 + 3000) << "gap not filled";
    EXPECT_GT(s.ts.size(), static_cast<size_t>(kEnd / 15000) - 5);
    EXPECT_LT(s.ts.size(), static_cast<size_t>(kEnd / 15000) + 10);
  }

  opts.deduplicate = false;
  QuerierQueryable raw(proxy, opts);
  auto both = Query(raw, "rate");
  ASSERT_EQ(both.size(), 4u);
  EXPECT_EQ(both[0].labels.Get("replica"), "a");
  EXPECT_EQ(both[1].labels.Get("replica"), "b");
}

}  // namespace
}  // namespace meridian::query
