#include "query/endpoint_set.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "storage/memory_storage.h"
#include "storeapi/grpc_server.h"
#include "storeapi/queryable_store.h"

namespace meridian::query {
namespace {

std::shared_ptr<storeapi::Store> MemStore(const std::string& region) {
  auto db = std::make_shared<storage::MemoryStorage>();
  EXPECT_TRUE(db->Append(Labels{{"__name__", "up"}}, 1000, 1).ok());
  storeapi::QueryableStoreOptions o;
  o.name = region;
  o.external_labels = Labels{{"region", region}};
  o.min_time = 1000;
  o.max_time = 2000;
  return std::make_shared<storeapi::QueryableStore>(db, o);
}

TEST(EndpointConfig, ParsesThanosFormat) {
  auto specs = ParseEndpointConfig("endpoints:\n  - address: a:1\n  - address: b:2\n    strict: true\n");
  ASSERT_TRUE(specs.ok()) << specs.status().message();
  ASSERT_EQ(specs->size(), 2u);
  EXPECT_EQ((*specs)[1].address, "b:2");
  EXPECT_TRUE((*specs)[1].strict);
  EXPECT_FALSE(ParseEndpointConfig("endpoints: 3").ok());
  EXPECT_FALSE(ParseEndpointConfig("endpoints:\n  - strict: true\n").ok());
  EXPECT_FALSE(ParseEndpointConfig("bogus: 1").ok());
  EXPECT_FALSE(ParseEndpointConfig("endpoints: [").ok());
  EXPECT_TRUE(ParseEndpointConfig("").ok());
}

TEST(EndpointSet, HealthFollowsInfoAndConfigReloads) {
  auto eu = storeapi::GrpcServer::Start("127.0.0.1:0", MemStore("eu"));
  auto us = storeapi::GrpcServer::Start("127.0.0.1:0", MemStore("us"));
  ASSERT_TRUE(eu.ok() && us.ok());
  std::string eu_addr = "127.0.0.1:" + std::to_string((*eu)->port());
  std::string us_addr = "127.0.0.1:" + std::to_string((*us)->port());

  auto dir = std::filesystem::temp_directory_path() / ("meridian-endpoints-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto file = dir / "endpoints.yaml";
  {
    std::ofstream(file) << "endpoints:\n  - address: " << us_addr << "\n";
  }
  EndpointSetOptions opts;
  opts.static_addresses = {eu_addr};
  opts.sd_config_file = file.string();
  opts.info_timeout = std::chrono::milliseconds(2000);
  EndpointSet set(opts);
  ASSERT_TRUE(set.Refresh().ok());
  auto healthy = set.Healthy();
  ASSERT_EQ(healthy.size(), 2u);
  EXPECT_EQ(healthy[0].min_time, 1000);
  EXPECT_EQ(healthy[0].max_time, 2000);
  EXPECT_TRUE(healthy[0].supports_without_replica_labels);

  // A store that stops answering drops out, and comes back when it answers again.
  (*eu)->Shutdown();
  set.Refresh();
  healthy = set.Healthy();
  ASSERT_EQ(healthy.size(), 1u);
  EXPECT_EQ(healthy[0].label_sets[0].Get("region"), "us");
  bool eu_reported = false;
  for (const auto& st : set.Statuses()) {
    if (st.name == eu_addr) {
      EXPECT_FALSE(st.healthy);
      EXPECT_FALSE(st.last_error.empty());
      eu_reported = true;
    }
  }
  EXPECT_TRUE(eu_reported);

  // Emptying the SD file removes its endpoint; the static one stays known (unhealthy).
  {
    std::ofstream(file) << "endpoints: []\n";
  }
  std::filesystem::last_write_time(file, std::filesystem::last_write_time(file) + std::chrono::seconds(5));
  set.Refresh();
  EXPECT_EQ(set.Healthy().size(), 0u);
  EXPECT_EQ(set.Statuses().size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(EndpointSet, LocalStoresNeedNoNetwork) {
  EndpointSet set(EndpointSetOptions{});
  set.AddLocal(MemStore("local"));
  set.Refresh();
  auto healthy = set.Healthy();
  ASSERT_EQ(healthy.size(), 1u);
  EXPECT_EQ(healthy[0].label_sets[0].Get("region"), "local");
}

}  // namespace
}  // namespace meridian::query
