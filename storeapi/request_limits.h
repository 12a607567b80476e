#pragma once
// Bounds on the size of a StoreAPI request, checked where requests arrive over gRPC. A querier
// sends a handful of matchers and replica labels; a request with thousands is hostile or broken,
// and the per-series work it asks for (stripping each replica label, testing each matcher)
// would grow with its size times the series read. Refused with a clear error instead.

#include <cstddef>

#include "model/status.h"
#include "thanos/storepb/rpc.pb.h"

namespace meridian::storeapi {

inline constexpr size_t kMaxRequestMatchers = 1024;
inline constexpr size_t kMaxReplicaLabels = 256;

Status CheckRequestSize(const thanos::SeriesRequest& req);
Status CheckRequestSize(const thanos::LabelNamesRequest& req);
Status CheckRequestSize(const thanos::LabelValuesRequest& req);

}  // namespace meridian::storeapi
