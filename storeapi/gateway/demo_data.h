#pragma once
// A realistic, deterministic demo data set written as TSDB blocks into a bucket: node,
// application (counters with resets, a classic histogram) and container metrics of a few
// clusters, scraped by two HA Prometheus replicas (external labels cluster and replica), with
// a 30-minute gap in replica "b", jittered scrape timestamps, in 2h blocks.

#include <cstdint>
#include <string>
#include <vector>

#include "model/status.h"
#include "objstore/bucket.h"

namespace meridian::storeapi::gateway {

struct DemoOptions {
  uint64_t seed = 1;
  // Data ends here (ms, exclusive); 0 = now. Blocks are aligned to block_ms, so the newest
  // one is partial unless the end is aligned. Same seed and end give byte-identical blocks.
  int64_t end_ms = 0;
  int64_t duration_ms = 24 * 3600 * 1000LL;  // rounded up to whole blocks at the start
  int64_t block_ms = 2 * 3600 * 1000LL;
  int64_t scrape_interval_ms = 15000;
  std::vector<std::string> clusters = {"eu-west-1", "us-east-1", "ap-south-1"};
  int nodes_per_cluster = 3;
  std::vector<std::string> replicas = {"a", "b"};  // HA pair per cluster (external label `replica`)
  int64_t gap_ms = 30 * 60 * 1000LL;  // missing from replica b
  std::string work_dir;               // scratch space for writing blocks; default: temp dir
};

struct DemoSummary {
  int blocks = 0;
  uint64_t series = 0;   // summed over blocks
  uint64_t samples = 0;
  uint64_t bytes = 0;    // uploaded
  int64_t min_time = 0;
  int64_t max_time = 0;
};

StatusOr<DemoSummary> GenerateDemoData(objstore::Bucket& bucket, const DemoOptions& opts);

}  // namespace meridian::storeapi::gateway
