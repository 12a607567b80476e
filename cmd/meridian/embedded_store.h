#pragma once
// The bucket store a querier serves in-process when given --objstore.config[-file]: the
// store-gateway's code without gRPC in between.

#include <memory>
#include <string>

#include "model/status.h"
#include "storeapi/store.h"

namespace meridian::cli {

class EmbeddedStore {
 public:
  virtual ~EmbeddedStore() = default;
  virtual std::shared_ptr<storeapi::Store> store() = 0;
};

// Opens the bucket, syncs its blocks once and keeps syncing in the background.
StatusOr<std::shared_ptr<EmbeddedStore>> StartEmbeddedStore(const std::string& config_file,
                                                            const std::string& config_yaml,
                                                            const std::string& data_dir);

}  // namespace meridian::cli
