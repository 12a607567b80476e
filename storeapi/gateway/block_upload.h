#pragma once
// Uploads a local block directory to a bucket the way Thanos's shipper does: chunks/ and
// index first and meta.json last, so a reader never sees a meta.json whose files are not all
// there yet. Tombstones stay behind, as in Thanos (deletions are applied by rewriting blocks).

#include <string>

#include "model/status.h"
#include "objstore/bucket.h"

namespace meridian::storeapi::gateway {

// `block_dir` is ".../<ULID>"; objects are named "<prefix><ULID>/<relative path>".
Status UploadBlock(objstore::Bucket& bucket, const std::string& block_dir,
                   const std::string& prefix = "");

}  // namespace meridian::storeapi::gateway
