// External labels from Prometheus's configuration, flags, and how API parameters are spelled.

#include "storeapi/sidecar/prometheus_config.h"

#include <gtest/gtest.h>

#include "storeapi/sidecar/prometheus_client.h"

namespace meridian::storeapi::sidecar {
namespace {

TEST(ParseExternalLabels, ReadsGlobalExternalLabels) {
  // As /api/v1/status/config returns it: the effective configuration with defaults filled in.
  const char* yaml = R"(global:
  scrape_interval: 15s
  external_labels:
    replica: a
    cluster: "eu-1"
    empty: ""
scrape_configs: []
)";
  auto l = ParseExternalLabels(yaml);
  ASSERT_TRUE(l.ok()) << l.status().message();
  EXPECT_EQ(*l, (Labels{{"cluster", "eu-1"}, {"replica", "a"}}));
}

TEST(ParseExternalLabels, NoneConfigured) {
  for (const char* yaml : {"", "global:\n  scrape_interval: 15s\n", "scrape_configs: []\n"}) {
    auto l = ParseExternalLabels(yaml);
    ASSERT_TRUE(l.ok()) << yaml;
    EXPECT_TRUE(l->empty()) << yaml;
  }
}

TEST(ParseExternalLabels, MalformedIsBadData) {
  for (const char* yaml : {"global: [1, 2", "- a\n- b\n", "global:\n  external_labels: [a, b]\n"}) {
    auto l = ParseExternalLabels(yaml);
    EXPECT_FALSE(l.ok()) << yaml;
    EXPECT_EQ(l.status().code(), StatusCode::kBadData);
  }
}

TEST(Flags, BlockDurationsAndRetention) {
  std::map<std::string, std::string> flags{{"storage.tsdb.min-block-duration", "2h"},
                                           {"storage.tsdb.max-block-duration", "1d12h"},
                                           {"storage.tsdb.retention.time", "0s"},
                                           {"storage.tsdb.retention.size", "0B"}};
  auto d = BlockDurationsFromFlags(flags);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->min_ms, 2 * 3600 * 1000);
  EXPECT_EQ(d->max_ms, 36 * 3600 * 1000);
  // Neither time nor size: Prometheus's default of 15d.
  EXPECT_EQ(RetentionFromFlags(flags), int64_t{15} * 24 * 3600 * 1000);
  flags["storage.tsdb.retention.time"] = "30d";
  EXPECT_EQ(RetentionFromFlags(flags), int64_t{30} * 24 * 3600 * 1000);
  flags["storage.tsdb.retention.time"] = "0s";
  flags["storage.tsdb.retention.size"] = "10GB";
  EXPECT_EQ(RetentionFromFlags(flags), std::nullopt);
  flags.erase("storage.tsdb.max-block-duration");
  EXPECT_EQ(BlockDurationsFromFlags(flags).status().code(), StatusCode::kNotFound);
  flags["storage.tsdb.max-block-duration"] = "two hours";
  EXPECT_EQ(BlockDurationsFromFlags(flags).status().code(), StatusCode::kBadData);
}

TEST(ApiParameters, TimesAndSelectors) {
  EXPECT_EQ(FormatApiTime(1700000000123), "1700000000.123");
  EXPECT_EQ(FormatApiTime(5), "0.005");
  EXPECT_EQ(FormatApiTime(-1), "-0.001");
  EXPECT_EQ(FormatApiTime(-1500), "-1.500");
  std::string err;
  Matchers m{Matcher::Make(MatchType::kEqual, "__name__", "up", &err),
             Matcher::Make(MatchType::kRegexp, "job", "a\"b|c", &err)};
  EXPECT_EQ(SelectorString(m), "{__name__=\"up\", job=~\"a\\\"b|c\"}");
}

}  // namespace
}  // namespace meridian::storeapi::sidecar
