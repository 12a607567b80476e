#pragma once
// Helpers shared by the tsdb tests: matcher construction, temp dirs, decoding selections.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "model/matcher.h"
#include "storage/storage.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian {
// Readable gtest failure output for label sets.
inline void PrintTo(const Labels& ls, std::ostream* os) { *os << ls.ToString(); }
}  // namespace meridian

namespace meridian::tsdb::testing {

inline MatcherPtr M(MatchType t, std::string name, std::string value) {
  std::string err;
  auto m = Matcher::Make(t, std::move(name), std::move(value), &err);
  EXPECT_NE(m, nullptr) << err;
  return m;
}

// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = (std::filesystem::temp_directory_path() /
             ("meridian-tsdb-" + std::to_string(rd()) + std::to_string(rd())))
                .string();
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct DecodedSeries {
  Labels labels;
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

// Drains a series set, decoding every XOR chunk (chunks must not overlap).
inline std::vector<DecodedSeries> Drain(storage::SeriesSet& set) {
  std::vector<DecodedSeries> out;
  while (set.Next()) {
    DecodedSeries d{set.At().labels, {}, {}};
    for (const auto& c : set.At().chunks) {
      EXPECT_EQ(c.encoding, storage::ChunkEncoding::kXOR);
      Status s = chunkenc::DecodeXor(c.bytes(), &d.ts, &d.vs);
      EXPECT_TRUE(s.ok()) << s.message();
    }
    out.push_back(std::move(d));
  }
  EXPECT_TRUE(set.status().ok()) << set.status().message();
  return out;
}

}  // namespace meridian::tsdb::testing
