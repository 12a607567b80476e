// A querier serves its fan-out as a StoreAPI, so a global querier can sit on regional ones:
// querier -> querier -> store must give what querier -> store gives.

#include <gtest/gtest.h>

#include "query/querier_service.h"
#include "storage/memory_storage.h"
#include "storeapi/convert.h"
#include "storeapi/grpc_server.h"
#include "storeapi/queryable_store.h"
#include "storeapi/remote_store.h"

namespace meridian::query {
namespace {

struct Collected {
  std::vector<std::string> labels;
  std::vector<std::string> chunks;
};

Collected Collect(storeapi::Store& s) {
  thanos::SeriesRequest req;
  req.set_min_time(0);
  req.set_max_time(1000000);
  auto* m = req.add_matchers();
  m->set_type(thanos::LabelMatcher::RE);
  m->set_name("__name__");
  m->set_value(".+");
  auto stream = s.Series(req, storeapi::CallContext{});
  thanos::SeriesResponse r;
  Collected c;
  while (stream->Next(&r)) {
    if (!r.has_series()) continue;
    c.labels.push_back(storeapi::LabelsFromProto(r.series().labels()).ToString());
    for (const auto& ch : r.series().chunks()) c.chunks.push_back(ch.raw().data());
  }
  EXPECT_TRUE(stream->status().ok()) << stream->status().message();
  return c;
}

TEST(Stacking, QuerierOverQuerierMatchesTheDirectPath) {
  auto db = std::make_shared<storage::MemoryStorage>();
  for (int i = 0; i < 50; ++i) {
    Labels l{{"__name__", i % 2 ? "up" : "down"}, {"pod", "p" + std::to_string(i)}};
    for (int64_t t = 0; t < 1000000; t += 15000) ASSERT_TRUE(db->Append(l, t, i + t / 1000.0).ok());
  }
  storeapi::QueryableStoreOptions so;
  so.external_labels = Labels{{"region", "eu"}};
  so.min_time = 0;
  so.max_time = 1000000;
  auto store_server = storeapi::GrpcServer::Start("127.0.0.1:0", std::make_shared<storeapi::QueryableStore>(db, so));
  ASSERT_TRUE(store_server.ok());

  QuerierServiceOptions regional_opts;
  regional_opts.endpoints.static_addresses = {"127.0.0.1:" + std::to_string((*store_server)->port())};
  QuerierService regional(regional_opts);
  regional.Start();
  auto regional_server = storeapi::GrpcServer::Start("127.0.0.1:0", regional.proxy());
  ASSERT_TRUE(regional_server.ok());

  QuerierServiceOptions global_opts;
  global_opts.endpoints.static_addresses = {"127.0.0.1:" + std::to_string((*regional_server)->port())};
  QuerierService global(global_opts);
  global.Start();

  // The global querier sees the regional one as a "query" component with the store's labels.
  auto statuses = global.Stores();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_TRUE(statuses[0].healthy) << statuses[0].last_error;
  EXPECT_EQ(statuses[0].component_type, "query");
  ASSERT_EQ(statuses[0].label_sets.size(), 1u);
  EXPECT_EQ(statuses[0].label_sets[0].Get("region"), "eu");

  auto direct = Collect(*regional.proxy());
  auto stacked = Collect(*global.proxy());
  ASSERT_EQ(direct.labels.size(), 50u);
  EXPECT_EQ(stacked.labels, direct.labels);
  EXPECT_EQ(stacked.chunks, direct.chunks);
}

}  // namespace
}  // namespace meridian::query
