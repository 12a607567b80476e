#include "compact/blocks_cleaner.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "compact/block_transfer.h"

namespace meridian::compact {

CleanResult DeleteMarkedBlocks(objstore::Bucket& bucket, const SyncState& state, int64_t delete_delay_ms,
                               int64_t now_ms) {
  CleanResult r;
  for (const auto& [id, mark] : state.deletion_marks) {
    if (now_ms - mark.time_s * 1000 <= delete_delay_ms && delete_delay_ms > 0) continue;
    if (Status s = DeleteBlock(bucket, id); !s.ok()) {
      ++r.failures;
      if (r.first_error.ok()) r.first_error = s;
      spdlog::warn("compact: deleting marked block {} failed: {}", id.ToString(), s.message());
      continue;
    }
    spdlog::info("compact: deleted block {} marked for deletion ({})", id.ToString(), mark.details);
    r.deleted.push_back(id);
  }
  return r;
}

CleanResult CleanAbortedPartialUploads(objstore::Bucket& bucket, const SyncState& state, int64_t now_ms) {
  CleanResult r;
  for (const auto& p : state.partial) {
    if (p.deletion_marked) continue;  // the deleter owns it
    if (now_ms - static_cast<int64_t>(p.id.time_ms()) <= kPartialUploadThresholdMs) continue;
    int64_t newest = 0;
    const std::string prefix = p.id.ToString() + "/";
    Status listed = bucket.Iter(prefix, [&](const std::string& obj) {
      auto attrs = bucket.Attributes(obj);
      if (attrs.ok()) newest = std::max(newest, attrs->last_modified_ms);
      return Status::Ok();
    }, objstore::IterOptions{.recursive = true});
    if (!listed.ok()) {
      ++r.failures;
      if (r.first_error.ok()) r.first_error = listed;
      continue;
    }
    // Still being written (or the provider does not say): leave it.
    if (newest == 0 || now_ms - newest <= kPartialUploadThresholdMs) continue;
    if (Status s = DeleteBlock(bucket, p.id); !s.ok()) {
      ++r.failures;
      if (r.first_error.ok()) r.first_error = s;
      continue;
    }
    spdlog::info("compact: deleted aborted partial upload {} ({})", p.id.ToString(), p.reason);
    r.deleted.push_back(p.id);
  }
  return r;
}

}  // namespace meridian::compact
