#pragma once
// Buckets from Thanos's objstore YAML (thanos-io/objstore client/factory.go):
//
//   type: FILESYSTEM | S3          (case-insensitive)
//   config: { provider keys }
//   prefix: "optional/prefix"
//
// Meridian implements the FILESYSTEM and S3 providers; other Thanos types are rejected by name.

#include <memory>
#include <string>

#include "model/status.h"
#include "objstore/bucket.h"

namespace meridian::objstore {

StatusOr<std::unique_ptr<Bucket>> NewBucketFromConfig(const std::string& yaml);

// The content of --objstore.config-file (a path) or --objstore.config (inline YAML), as
// Thanos's PathOrContent flag pair: setting both is an error; neither gives "" (no bucket).
StatusOr<std::string> ResolveObjstoreConfig(const std::string& config_file,
                                            const std::string& config_inline);

}  // namespace meridian::objstore
