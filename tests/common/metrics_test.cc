#include "common/metrics.h"

#include <prometheus/counter.h>

#include <gtest/gtest.h>

namespace meridian {
namespace {

TEST(Metrics, RendersRegisteredFamiliesAndProcessMetrics) {
  auto& family = prometheus::BuildCounter()
                     .Name("meridian_test_events_total")
                     .Help("Events seen by the test.")
                     .Register(MetricsRegistry());
  family.Add({{"kind", "a"}}).Increment(3);
  std::string text = RenderMetrics();
  EXPECT_NE(text.find("# TYPE meridian_test_events_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("meridian_test_events_total{kind=\"a\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_EQ(text.find("process_resident_memory_bytes 0\n"), std::string::npos) << "RSS must be read";
}

}  // namespace
}  // namespace meridian
