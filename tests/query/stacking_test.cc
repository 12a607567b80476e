// A querier serves its fan-out as a StoreAPI, so a global querier can sit on regional ones:
// querier -> querier -> store must give what querier -> store gives.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

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

int PickPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::unique_ptr<storeapi::GrpcServer> StoreWith(const std::string& region, const std::string& metric) {
  auto db = std::make_shared<storage::MemoryStorage>();
  for (int i = 0; i < 20; ++i) {
    Labels l{{"__name__", metric}, {"pod", "p" + std::to_string(i)}};
    for (int64_t t = 0; t < 1000000; t += 15000) EXPECT_TRUE(db->Append(l, t, i).ok());
  }
  storeapi::QueryableStoreOptions so;
  so.external_labels = Labels{{"region", region}};
  so.min_time = 0;
  so.max_time = 1000000;
  auto server = storeapi::GrpcServer::Start("127.0.0.1:0", std::make_shared<storeapi::QueryableStore>(db, so));
  EXPECT_TRUE(server.ok());
  return std::move(*server);
}

// A querier whose endpoint list names itself (a copy-pasted deployment) used to recurse until
// it ran out of threads. Its own Info now refuses the request it sent: the endpoint is
// unhealthy, and queries are answered from the other endpoints.
TEST(Stacking, SelfListedQuerierAnswersFromItsOtherEndpoints) {
  auto store = StoreWith("eu", "up");
  const int port = PickPort();
  QuerierServiceOptions o;
  o.endpoints.static_addresses = {"127.0.0.1:" + std::to_string(store->port()), "127.0.0.1:" + std::to_string(port)};
  QuerierService q(o);
  auto server = storeapi::GrpcServer::Start("127.0.0.1:" + std::to_string(port), q.proxy());
  ASSERT_TRUE(server.ok());
  q.Start();
  int healthy = 0;
  for (const auto& st : q.Stores()) {
    if (st.healthy) {
      ++healthy;
    } else {
      EXPECT_NE(st.last_error.find("request loop"), std::string::npos) << st.last_error;
    }
  }
  EXPECT_EQ(healthy, 1);
  EXPECT_EQ(Collect(*q.proxy()).labels.size(), 20u);
}

// Two queriers listing each other: a request goes A -> B -> A at most once, and A answers
// with both regions.
TEST(Stacking, QueriersListingEachOtherAnswerWithoutRecursing) {
  auto eu = StoreWith("eu", "up");
  auto us = StoreWith("us", "up");
  const int pa = PickPort(), pb = PickPort();
  QuerierServiceOptions oa, ob;
  oa.endpoints.static_addresses = {"127.0.0.1:" + std::to_string(eu->port()), "127.0.0.1:" + std::to_string(pb)};
  ob.endpoints.static_addresses = {"127.0.0.1:" + std::to_string(us->port()), "127.0.0.1:" + std::to_string(pa)};
  oa.endpoints.refresh_interval = ob.endpoints.refresh_interval = std::chrono::milliseconds(50);
  QuerierService a(oa), b(ob);
  auto sa = storeapi::GrpcServer::Start("127.0.0.1:" + std::to_string(pa), a.proxy());
  auto sb = storeapi::GrpcServer::Start("127.0.0.1:" + std::to_string(pb), b.proxy());
  ASSERT_TRUE(sa.ok() && sb.ok());
  a.Start();
  b.Start();
  // Until each sees the other with the other's region: then B forwards back to A.
  auto sees = [](QuerierService& q, const std::string& region) {
    for (const auto& st : q.Stores()) {
      for (const auto& ls : st.label_sets) {
        if (st.healthy && st.component_type == "query" && ls.Get("region") == region) return true;
      }
    }
    return false;
  };
  for (int i = 0; i < 200 && !(sees(a, "us") && sees(b, "eu")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(sees(a, "us") && sees(b, "eu"));
  auto got = Collect(*a.proxy());
  EXPECT_EQ(got.labels.size(), 40u);
}

}  // namespace
}  // namespace meridian::query
