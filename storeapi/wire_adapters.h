#pragma once
// The two places where series change spelling: process types (SelectRequest, storage::Series)
// to StoreAPI wire messages and back. A store native in one spelling serves the other through
// these, so the conversion happens once per process boundary and nowhere else.

#include <memory>

#include "storeapi/store.h"

namespace meridian::storeapi {

// Serves `set` as a Series response stream: each series converted once (aggregate chunks cut
// to `wanted`), `batch_size` > 1 packs SeriesBatch responses, warnings follow the series.
std::unique_ptr<SeriesStream> StreamFromSet(std::unique_ptr<storage::SeriesSet> set, AggregateSet wanted,
                                            int64_t batch_size);

// Reads a Series response stream as a set: batches split, warnings collected, one
// storage::Series per wire series (consecutive equal labels stay separate partitions).
std::unique_ptr<storage::SeriesSet> SetFromStream(std::unique_ptr<SeriesStream> stream);

// Store::Series for a store whose native spelling is Select.
std::unique_ptr<SeriesStream> SeriesViaSelect(Store& store, const thanos::SeriesRequest& req, const CallContext& ctx);
// Store::Select for a store whose native spelling is Series (a gRPC client, the sidecar).
std::unique_ptr<storage::SeriesSet> SelectViaSeries(Store& store, const SelectRequest& req, const CallContext& ctx);

}  // namespace meridian::storeapi
