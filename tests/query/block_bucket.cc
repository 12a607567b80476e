#include "tests/query/block_bucket.h"

#include <filesystem>
#include <memory>

#include "objstore/filesystem/filesystem_bucket.h"
#include "storeapi/gateway/block_upload.h"
#include "tsdb/block_writer.h"

namespace meridian::testing {

Status BlockBucket::AddBlock(const Labels& external, const std::vector<SeriesSamples>& series, int64_t min_time,
                             int64_t max_time) {
  const std::string scratch = dir_ + "-scratch";
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  std::filesystem::create_directories(scratch, ec);
  tsdb::BlockWriterOptions o;
  tsdb::ThanosMeta tm;
  tm.labels = external;
  tm.source = "test";
  o.thanos = tm;
  o.min_time = min_time;
  o.max_time = max_time;
  tsdb::BlockWriter w(o);
  for (const auto& s : series) {
    if (Status st = w.AddSeries(s.labels, s.ts, s.vs); !st.ok()) return st.Wrap(s.labels.ToString());
  }
  auto meta = w.Write(scratch);
  if (!meta.ok()) return meta.status();
  auto bucket = objstore::FilesystemBucket::Open(dir_);
  if (!bucket.ok()) return bucket.status();
  const std::string block_dir = scratch + "/" + meta->ulid.ToString();
  Status up = storeapi::gateway::UploadBlock(**bucket, block_dir);
  std::filesystem::remove_all(block_dir, ec);
  return up;
}

std::string BlockBucket::ObjstoreFlag() const {
  return "--objstore.config=type: FILESYSTEM\nconfig:\n  directory: " + dir_ + "\n";
}

}  // namespace meridian::testing
