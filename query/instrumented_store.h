#pragma once
// Wraps a Store to count what the querier asks of it and what it sends back: per store and
// method, requests, failures and response bytes (meridian_query_store_* metrics).

#include <map>
#include <memory>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "storeapi/store.h"

namespace meridian::query {

struct StoreMetrics {
  explicit StoreMetrics(prometheus::Registry& registry);
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Counter>& failures;
  prometheus::Family<prometheus::Counter>& bytes;
  prometheus::Family<prometheus::Counter>& series;
};

std::shared_ptr<storeapi::Store> Instrument(std::shared_ptr<storeapi::Store> store,
                                            std::shared_ptr<StoreMetrics> metrics);

}  // namespace meridian::query
