#pragma once
// Helpers of the store-gateway tests: temp dirs, blocks written into a bucket, and reading a
// Store's Series stream back into samples.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "objstore/bucket.h"
#include "storeapi/convert.h"
#include "storeapi/gateway/block_upload.h"
#include "storeapi/store.h"
#include "tsdb/block_writer.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian {
inline void PrintTo(const Labels& ls, std::ostream* os) { *os << ls.ToString(); }
}  // namespace meridian

namespace meridian::storeapi::gateway::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "meridian-gateway-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline thanos::LabelMatcher LM(thanos::LabelMatcher::Type t, const std::string& name, const std::string& value) {
  thanos::LabelMatcher m;
  m.set_type(t);
  m.set_name(name);
  m.set_value(value);
  return m;
}

using Samples = std::vector<std::pair<int64_t, double>>;

// One series response as the client sees it: labels and decoded samples (chunks merged by
// timestamp), plus how many chunks came.
struct GotSeries {
  Labels labels;
  Samples samples;
  size_t chunks = 0;
};

struct GotStream {
  std::vector<GotSeries> series;
  std::vector<std::string> warnings;
  Status status;
};

inline GotStream Collect(Store& store, const thanos::SeriesRequest& req) {
  GotStream out;
  auto stream = store.Series(req, CallContext{});
  thanos::SeriesResponse r;
  auto take = [&](const thanos::Series& s) {
    GotSeries g;
    g.labels = LabelsFromProto(s.labels());
    std::map<int64_t, double> merged;
    for (const auto& c : s.chunks()) {
      ++g.chunks;
      auto raw = ChunkFromProto(c);
      if (!raw.ok()) {
        out.status = raw.status();
        continue;
      }
      std::vector<int64_t> ts;
      std::vector<double> vs;
      Status st = chunkenc::DecodeXor(raw->bytes(), &ts, &vs);
      if (!st.ok()) out.status = st;
      for (size_t i = 0; i < ts.size(); ++i) merged.emplace(ts[i], vs[i]);
    }
    g.samples.assign(merged.begin(), merged.end());
    out.series.push_back(std::move(g));
  };
  while (stream->Next(&r)) {
    if (r.has_series()) take(r.series());
    if (r.has_batch()) {
      for (const auto& s : r.batch().series()) take(s);
    }
    if (r.result_case() == thanos::SeriesResponse::kWarning) out.warnings.push_back(r.warning());
  }
  if (out.status.ok()) out.status = stream->status();
  return out;
}

// A synthetic series: `n` samples from `start` every `step` ms with value f(i).
struct SeriesSpec {
  Labels labels;
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

// Writes one block with the given external labels into `work_dir` and uploads it.
inline tsdb::BlockMeta WriteAndUpload(objstore::Bucket& bucket, const std::string& work_dir,
                                      const Labels& external, const std::vector<SeriesSpec>& series,
                                      int64_t min_time, int64_t max_time) {
  tsdb::BlockWriterOptions o;
  tsdb::ThanosMeta tm;
  tm.labels = external;
  tm.source = "test";
  o.thanos = tm;
  o.min_time = min_time;
  o.max_time = max_time;
  tsdb::BlockWriter w(o);
  for (const auto& s : series) EXPECT_TRUE(w.AddSeries(s.labels, s.ts, s.vs).ok());
  auto meta = w.Write(work_dir);
  EXPECT_TRUE(meta.ok()) << meta.status().message();
  Status up = UploadBlock(bucket, work_dir + "/" + meta->ulid.ToString());
  EXPECT_TRUE(up.ok()) << up.message();
  return *meta;
}

}  // namespace meridian::storeapi::gateway::testing
