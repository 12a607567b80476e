#pragma once
// A Series stream fed by one streamed remote read. A producer thread runs the HTTP request;
// as bytes arrive, frames are parsed, each ChunkedSeries becomes a StoreAPI Series (external
// labels attached, replica labels dropped, chunk types mapped) and goes into a bounded
// queue the gRPC writer drains. A full queue blocks the producer, so TCP flow control slows
// Prometheus down instead of memory growing.
//
// Order: Prometheus sends series sorted by their own labels. Attaching external labels can
// move a series (a series whose labels are a prefix of another's gains the external label
// at a different position), so series pass through a small min-heap window before the
// queue; a series moved further than the window fails the stream rather than break the
// order. When a series carries an external or dropped label name (found up front), the
// stream sorts everything instead (`resort`).

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "model/labels.h"
#include "prometheus/prompb/remote.pb.h"
#include "storeapi/sidecar/prometheus_client.h"
#include "storeapi/store.h"

namespace meridian::storeapi::sidecar {

class PrometheusMetadata;

struct RemoteReadStreamOptions {
  Labels external;
  std::vector<std::string> drop;
  int64_t limit = 0;
  int64_t batch = 1;
  bool resort = false;
  size_t queue_capacity = 64;
  size_t reorder_window = 256;
};

class RemoteReadSeriesStream : public SeriesStream {
 public:
  RemoteReadSeriesStream(std::shared_ptr<const PrometheusClient> client,
                         std::shared_ptr<PrometheusMetadata> metadata, prometheus::ReadRequest req,
                         RemoteReadStreamOptions opts, CallContext ctx);
  ~RemoteReadSeriesStream() override;

  bool Next(thanos::SeriesResponse* out) override;
  Status status() const override;
  void Cancel() override;

 private:
  struct Pending {
    Labels labels;  // as sent (external labels attached)
    uint64_t seq = 0;
    thanos::Series series;
  };
  struct Later {
    bool operator()(const std::unique_ptr<Pending>& a, const std::unique_ptr<Pending>& b) const {
      int c = Compare(a->labels, b->labels);
      return c != 0 ? c > 0 : a->seq > b->seq;
    }
  };

  void Produce();
  Status OnChunkedSeries(prometheus::ChunkedSeries& cs);
  Status FlushCurrent();
  Status Admit(std::unique_ptr<Pending> p);
  Status Emit(std::unique_ptr<Pending> p);
  Status Push(thanos::Series s);
  void Finish(Status s);

  std::shared_ptr<const PrometheusClient> client_;
  std::shared_ptr<PrometheusMetadata> metadata_;
  prometheus::ReadRequest req_;
  RemoteReadStreamOptions opts_;
  CallContext ctx_;

  // Producer-only state.
  std::vector<prometheus::Label> current_raw_;  // labels as Prometheus sent the current series
  std::unique_ptr<Pending> current_;
  uint64_t seq_ = 0;
  std::priority_queue<std::unique_ptr<Pending>, std::vector<std::unique_ptr<Pending>>, Later> window_;
  std::vector<std::unique_ptr<Pending>> all_;  // resort mode
  Labels last_emitted_;
  bool emitted_any_ = false;

  // Shared between producer and consumer.
  mutable std::mutex mu_;
  std::condition_variable data_cv_;
  std::condition_variable space_cv_;
  std::deque<thanos::Series> queue_;
  bool producer_done_ = false;
  Status producer_status_;
  std::atomic<bool> stop_{false};

  // Consumer-only state.
  Status status_;
  bool finished_ = false;
  int64_t sent_ = 0;

  std::thread producer_;
};

}  // namespace meridian::storeapi::sidecar
