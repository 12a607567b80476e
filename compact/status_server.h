#pragma once
// The compactor's HTTP side: /-/healthy, /-/ready (503 until the first iteration started),
// /metrics (Thanos's compactor metric names), /api/v1/blocks (the compactor's view of the
// bucket, as the Thanos bucket UI reads it) and POST /api/v1/blocks/mark (form id, action
// DELETION|NO_COMPACTION|NO_DOWNSAMPLE, detail), refused with --disable-admin-operations.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "compact/bucket_compactor.h"
#include "model/status.h"
#include "objstore/bucket.h"

namespace httplib {
class Server;
}

namespace meridian::compact {

struct CompactorHttpOptions {
  std::string address = "0.0.0.0:10902";
  bool disable_admin_operations = false;
  std::string label;  // --bucket-web-label
};

class CompactorStatusServer {
 public:
  static StatusOr<std::unique_ptr<CompactorStatusServer>> Start(const CompactorHttpOptions& opts,
                                                                std::shared_ptr<objstore::Bucket> bucket,
                                                                BucketCompactor* compactor,
                                                                const std::atomic<bool>* ready);
  ~CompactorStatusServer();
  int port() const { return port_; }

 private:
  CompactorStatusServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// The JSON body of /api/v1/blocks: {"status":"success","data":{"blocks":[<meta.json>...],
// "label":..., "refreshedAt":...}}.
std::string BlocksJson(const std::vector<tsdb::BlockMeta>& blocks, const std::string& label);

}  // namespace meridian::compact
