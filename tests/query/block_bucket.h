#pragma once
// A local-directory bucket filled with TSDB blocks written by the project's block writer,
// for the querier's integration tests: each test states exactly which samples, external
// labels and time ranges a `meridian store` over the bucket serves.

#include <cstdint>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/status.h"

namespace meridian::testing {

struct SeriesSamples {
  Labels labels;
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

class BlockBucket {
 public:
  // `dir` is created if missing; blocks are written to `dir`-scratch first, then uploaded.
  explicit BlockBucket(std::string dir) : dir_(std::move(dir)) {}

  // One block of `series` (samples outside [min_time, max_time) are the caller's mistake)
  // carrying `external` as its Thanos labels.
  Status AddBlock(const Labels& external, const std::vector<SeriesSamples>& series, int64_t min_time,
                  int64_t max_time);

  const std::string& dir() const { return dir_; }
  // The flag that points `meridian store` or `meridian query` at this bucket.
  std::string ObjstoreFlag() const;

 private:
  std::string dir_;
};

}  // namespace meridian::testing
