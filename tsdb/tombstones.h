#pragma once
// The tombstones file of a block: deleted time ranges per series (Prometheus
// tsdb/docs/format/tombstones.md). Series are keyed by their index series reference.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/status.h"

namespace meridian::tsdb {

inline constexpr std::string_view kTombstonesFilename = "tombstones";

// A closed range [mint, maxt] of deleted samples.
struct Interval {
  int64_t mint = 0;
  int64_t maxt = 0;
  bool Contains(int64_t t) const { return t >= mint && t <= maxt; }
  friend bool operator==(const Interval&, const Interval&) = default;
};

// Sorted, non-overlapping intervals; adjacent ranges (a.maxt + 1 == b.mint) are merged.
using Intervals = std::vector<Interval>;
void AddInterval(Intervals* ivs, Interval iv);

class Tombstones {
 public:
  void Add(uint64_t series_ref, Interval iv) { AddInterval(&by_ref_[series_ref], iv); }
  // nullptr when the series has no deletions.
  const Intervals* Get(uint64_t series_ref) const;
  bool empty() const { return by_ref_.empty(); }
  uint64_t Total() const;
  const std::unordered_map<uint64_t, Intervals>& all() const { return by_ref_; }

 private:
  std::unordered_map<uint64_t, Intervals> by_ref_;
};

// Parses a whole tombstones file, verifying magic, version and CRC32C.
StatusOr<Tombstones> DecodeTombstones(std::string_view file);
std::string EncodeTombstones(const Tombstones& t);

// A missing file means no deletions (as in Prometheus).
StatusOr<Tombstones> ReadTombstonesFile(const std::string& block_dir);
Status WriteTombstonesFile(const std::string& block_dir, const Tombstones& t);

}  // namespace meridian::tsdb
