#pragma once
// Uploads the blocks Prometheus completes to object storage, once each (Thanos's
// pkg/shipper). Only blocks of compaction level 1 are shipped, as Thanos does by default:
// with Prometheus's local compaction disabled these are all its blocks, and the bucket's
// compactor builds the larger ones. Each block's files go first and meta.json, extended with
// the Thanos section (external labels, source, resolution, file list), last: a reader that
// sees meta.json sees a complete block. What was shipped is remembered in
// <tsdb path>/thanos.shipper.json so a restart does not upload again.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/status.h"
#include "objstore/bucket.h"

namespace meridian::storeapi::sidecar {

inline constexpr const char* kShipperStateFile = "thanos.shipper.json";

// Thanos's shipper meta file: {"version": 1, "uploaded": ["<ULID>", ...]}.
struct ShipperState {
  int version = 1;
  std::vector<std::string> uploaded;
};
StatusOr<ShipperState> ParseShipperState(std::string_view json);
std::string SerializeShipperState(const ShipperState& state);
// A missing file gives an empty state.
StatusOr<ShipperState> ReadShipperState(const std::string& tsdb_path);
// Through a temporary file and rename.
Status WriteShipperState(const std::string& tsdb_path, const ShipperState& state);

struct ShipperOptions {
  std::string tsdb_path;
  // The external labels now (they may change while the sidecar runs).
  std::function<Labels()> labels;
  std::string source = "sidecar";
  bool upload_compacted = false;  // also ship blocks of level > 1
};

struct SyncResult {
  int uploaded = 0;
  int failed = 0;
};

class Shipper {
 public:
  Shipper(std::shared_ptr<objstore::Bucket> bucket, ShipperOptions opts);

  // One pass over the data directory (calls are serialized). Errors of single blocks are counted and logged and
  // the others still go; the returned status is the first error, if any.
  StatusOr<SyncResult> Sync();

 private:
  Status UploadBlock(const std::string& block_dir, const std::string& ulid, const Labels& labels);

  std::shared_ptr<objstore::Bucket> bucket_;
  ShipperOptions opts_;
  std::mutex sync_mu_;  // one pass at a time: passes share the state file
};

}  // namespace meridian::storeapi::sidecar
