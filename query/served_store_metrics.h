#pragma once
// Counts the StoreAPI calls a process serves, under the names grpc-go's Prometheus server
// interceptor gives them (grpc_server_started_total, grpc_server_handled_total,
// grpc_server_msg_sent_total, labelled grpc_service, grpc_method, grpc_type and, once
// handled, grpc_code), so dashboards and alerts written for Thanos components work unchanged.
// Store-gateways and queriers wrap what they serve on their gRPC port in it.

#include <memory>

#include "storeapi/store.h"

namespace meridian::query {

// `store` as served, counted in the process-wide metrics registry.
std::shared_ptr<storeapi::Store> CountServedCalls(std::shared_ptr<storeapi::Store> store);

}  // namespace meridian::query
