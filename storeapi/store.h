#pragma once
// The StoreAPI seam inside Meridian. Every data source a querier can fan out to — the
// store-gateway over a bucket, the sidecar over Prometheus, another querier, a remote
// endpoint over gRPC — is a Store.
//
// Series data has two spellings. Inside one process stores are asked with a SelectRequest and
// answer with a storage::SeriesSet: labels built once, chunk bytes shared, never copied into
// wire messages (Select). At a process boundary the StoreAPI messages are used (Series): the
// gRPC server serves them and a remote store speaks them. Each store implements the spelling
// it has natively and derives the other with the adapters in wire_adapters.h.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "storage/storage.h"
#include "storeapi/select_request.h"
#include "thanos/infopb/rpc.pb.h"
#include "thanos/storepb/rpc.pb.h"

namespace meridian::storeapi {

// Deadline and cancellation of one call, shared by whoever serves it.
struct CallContext {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Set by the caller (client gone, query cancelled); servers check it between series.
  std::shared_ptr<const std::atomic<bool>> cancelled;
  // The queriers this request already passed through (their instance ids), carried in gRPC
  // metadata: a querier finding itself here is part of a loop of stacked queriers (or lists
  // itself as an endpoint) and refuses, instead of recursing until it runs out of threads.
  std::vector<std::string> via;

  bool Done() const {
    return (cancelled && cancelled->load(std::memory_order_relaxed)) ||
           std::chrono::steady_clock::now() >= deadline;
  }
};

// A pull stream of Series responses: whole series sorted by labels, interleaved with
// warnings and hints as the store produces them.
class SeriesStream {
 public:
  virtual ~SeriesStream() = default;
  // Fills *out with the next response; false at the end of the stream or on error.
  virtual bool Next(thanos::SeriesResponse* out) = 0;
  // Why the stream ended: OK at a normal end.
  virtual Status status() const = 0;
  // Asks the producer to stop early; safe to call from another thread while Next() blocks.
  // Next() then returns false soon, with a canceled status.
  virtual void Cancel() {}
};

// The gRPC metadata key carrying CallContext::via, one value per querier.
inline constexpr std::string_view kViaMetadataKey = "meridian-via";

class Store {
 public:
  virtual ~Store() = default;

  // For logs, warnings and /api/v1/stores: an address or a description of the source.
  virtual std::string Name() const = 0;

  virtual StatusOr<thanos::info::InfoResponse> Info(const CallContext& ctx) = 0;
  virtual std::unique_ptr<SeriesStream> Series(const thanos::SeriesRequest& req,
                                               const CallContext& ctx) = 0;
  // The same request in process types. Series come sorted by labels; consecutive series with
  // equal labels are partitions of one series from different sources (HA replicas, stores),
  // which readers merge or deduplicate. Warnings are complete when the set ends.
  virtual std::unique_ptr<storage::SeriesSet> Select(const SelectRequest& req, const CallContext& ctx) = 0;
  virtual StatusOr<thanos::LabelNamesResponse> LabelNames(const thanos::LabelNamesRequest& req,
                                                          const CallContext& ctx) = 0;
  virtual StatusOr<thanos::LabelValuesResponse> LabelValues(const thanos::LabelValuesRequest& req,
                                                            const CallContext& ctx) = 0;
};

// A stream that only reports an error (e.g. a request that failed validation).
std::unique_ptr<SeriesStream> ErrorStream(Status status);

}  // namespace meridian::storeapi
