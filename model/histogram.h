#pragma once
// A native histogram sample in float form (Prometheus's histogram.FloatHistogram), kept with
// dense bucket arrays: bucket i of `positive_buckets` has index positive_offset + i. Enough for
// the test language and for storing samples; the engine does not evaluate histograms yet.

#include <cstdint>
#include <vector>

namespace meridian {

enum class CounterResetHint : uint8_t { kUnknown = 0, kReset = 1, kNotReset = 2, kGauge = 3 };

struct FloatHistogram {
  // Exponential schemas are -4..8 (bucket boundaries 2^(2^-schema)); -53 means custom bucket
  // boundaries listed in custom_values (native histograms with custom buckets, NHCB).
  static constexpr int32_t kCustomBucketsSchema = -53;

  int32_t schema = 0;
  double count = 0;
  double sum = 0;
  double zero_threshold = 0;
  double zero_count = 0;
  std::vector<double> custom_values;
  int32_t positive_offset = 0;
  std::vector<double> positive_buckets;
  int32_t negative_offset = 0;
  std::vector<double> negative_buckets;
  CounterResetHint counter_reset_hint = CounterResetHint::kUnknown;

  bool UsesCustomBuckets() const { return schema == kCustomBucketsSchema; }
  friend bool operator==(const FloatHistogram&, const FloatHistogram&) = default;
};

}  // namespace meridian
