#include "storeapi/request_limits.h"

#include <string>

namespace meridian::storeapi {

namespace {

Status CheckCounts(size_t matchers, size_t replica_labels) {
  if (matchers > kMaxRequestMatchers) {
    return BadData("request has " + std::to_string(matchers) + " matchers, more than the " +
                   std::to_string(kMaxRequestMatchers) + " a store accepts");
  }
  if (replica_labels > kMaxReplicaLabels) {
    return BadData("request has " + std::to_string(replica_labels) + " without_replica_labels, more than the " +
                   std::to_string(kMaxReplicaLabels) + " a store accepts");
  }
  return Status::Ok();
}

}  // namespace

Status CheckRequestSize(const thanos::SeriesRequest& req) {
  return CheckCounts(static_cast<size_t>(req.matchers_size()), static_cast<size_t>(req.without_replica_labels_size()));
}

Status CheckRequestSize(const thanos::LabelNamesRequest& req) {
  return CheckCounts(static_cast<size_t>(req.matchers_size()), static_cast<size_t>(req.without_replica_labels_size()));
}

Status CheckRequestSize(const thanos::LabelValuesRequest& req) {
  return CheckCounts(static_cast<size_t>(req.matchers_size()), static_cast<size_t>(req.without_replica_labels_size()));
}

}  // namespace meridian::storeapi
