#pragma once
// Data for the downsampling tests (issue 14): a small fleet of generated series written as a
// raw block and downsampled by the compactor's own code (compact::DownsampleBlock) to 5m and
// 1h blocks, uploaded to a local-directory bucket. The raw samples stay in memory so tests can
// say what a raw read returns.
//
// The fleet, scraped every minute, 7 seconds past the minute:
//   http_requests_total{instance=i0..i3}  counters of Poisson requests at 20-80/s with a daily
//                                         cycle; i1 and i3 restart (reset to 0) every few days
//   queue_depth{instance=i0..i3}          integer gauges (random walks), so sums are exact
//   level{instance=i0..i2}                constant gauges 1, 2, 3
//   pod_up{slot=s0..s2, pod=...}          1 while a pod lives; each slot's pod is replaced
//                                         every 6 hours at an hour boundary (churn)
//   sparse_gauge                          an integer gauge scraped 2 of 5 minutes in odd hours
//   batch_last_success{job=batch}         a gauge that stops for good on day 3 at 02:00

#include <cstdint>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/status.h"

namespace meridian::testing {

inline constexpr int64_t kDsMinute = 60'000;
inline constexpr int64_t kDsHour = 60 * kDsMinute;
inline constexpr int64_t kDsDay = 24 * kDsHour;
// A multiple of 2h (block alignment) and so of every window.
inline constexpr int64_t kDsT0 = 1'699'920'000'000;
inline constexpr int64_t kDsScrapeOffset = 7'000;
// When batch_last_success stops.
inline constexpr int64_t kDsBatchEnd = kDsT0 + 3 * kDsDay + 2 * kDsHour;

struct GeneratedSeries {
  Labels labels;
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

// The fleet over [mint, maxt); the same for the same seed. `counter_scale` multiplies every
// counter (a replica that restarted counts from a different base), `skip_from`/`skip_to`
// leave out a stretch of samples (a replica that was down).
std::vector<GeneratedSeries> GenerateFleet(int64_t mint, int64_t maxt, uint64_t seed, double counter_offset = 0,
                                           int64_t skip_from = 0, int64_t skip_to = 0);

// What WriteResolutions put into the bucket.
struct WrittenBlocks {
  std::string raw;  // ULIDs; empty when not written
  std::string res5m;
  std::string res1h;
};

// Writes `series` over [mint, maxt) as a raw block, downsamples it to 5m and that to 1h with
// the compactor's code, and uploads to the local bucket at `bucket_dir` the 5m and 1h blocks
// and the raw samples from `raw_from` on (a raw block of [raw_from, maxt); raw_from >= maxt
// uploads no raw data, as after raw retention). Blocks carry `external` as Thanos labels.
StatusOr<WrittenBlocks> WriteResolutions(const std::string& bucket_dir, const Labels& external,
                                         const std::vector<GeneratedSeries>& series, int64_t mint, int64_t maxt,
                                         int64_t raw_from);

}  // namespace meridian::testing
