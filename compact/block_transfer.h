#pragma once
// Moving whole blocks between a bucket and the local disk, and deleting them, in the orders
// that keep every reader safe: a block is complete once its meta.json exists, so uploads
// (storeapi/gateway/block_upload.h) send meta.json last and deletion removes it first.

#include <string>

#include "model/status.h"
#include "objstore/bucket.h"
#include "tsdb/ulid.h"

namespace meridian::compact {

// Copies every object of block `id` to "<dir>/<ULID>/..." (replacing what is there), reading
// large objects in ranges so memory stays bounded by one range.
Status DownloadBlock(objstore::Bucket& bucket, const tsdb::Ulid& id, const std::string& dir);

// Thanos's block.Delete: meta.json first (the block stops being a block), then every other
// object, then the deletion mark last, so an interrupted deletion is finished by the next run
// (a directory with a deletion mark and no meta.json is still known as marked).
Status DeleteBlock(objstore::Bucket& bucket, const tsdb::Ulid& id);

}  // namespace meridian::compact
