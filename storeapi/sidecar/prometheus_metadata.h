#pragma once
// What the sidecar knows about its Prometheus and keeps fresh: the external labels (read
// from the configuration API; they identify the data in every answer and in uploaded
// blocks), whether Prometheus answers at all (readiness), and the oldest timestamp it can
// hold (Info's min time). Thanos refreshes these every 30 s and retries every 2 s until the
// first answer; so does this.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "model/labels.h"
#include "model/status.h"
#include "storeapi/sidecar/prometheus_client.h"

namespace meridian::storeapi::sidecar {

inline constexpr const char* kNoExternalLabelsMessage =
    "no external labels configured on Prometheus server, uniquely identifying external labels must be "
    "configured; see https://thanos.io/tip/thanos/storage.md#external-labels for details.";

struct MetadataOptions {
  std::chrono::milliseconds refresh_interval{30000};
  std::chrono::milliseconds retry_interval{2000};
  std::chrono::milliseconds request_timeout{5000};
  // Prometheus's data directory when the sidecar can read it (the oldest local block gives
  // the min time); empty otherwise (the retention gives it).
  std::string tsdb_path;
  // Called after every refresh with its outcome (metrics, logs).
  std::function<void(const Status&)> on_refresh;
};

class PrometheusMetadata {
 public:
  PrometheusMetadata(std::shared_ptr<const PrometheusClient> client, MetadataOptions opts);
  ~PrometheusMetadata();

  // One round: external labels, then the min time. Not ready on any failure, and while
  // Prometheus has no external labels.
  Status Refresh();
  // Refreshes on a background thread (retry interval while failing) until destroyed.
  void Start();
  // Ends the background thread (also done by the destructor).
  void Stop();

  // Called when a request to Prometheus failed: not ready until the next good refresh,
  // which is brought forward.
  void ReportFailure(const Status& s);

  bool Ready() const;
  // Why not ready ("" when ready).
  std::string NotReadyReason() const;
  // True once a refresh reached Prometheus (even if it lacked external labels).
  bool Reached() const;
  Labels ExternalLabels() const;
  int64_t MinTime() const;

 private:
  void Loop();

  std::shared_ptr<const PrometheusClient> client_;
  MetadataOptions opts_;

  mutable std::mutex mu_;
  bool ready_ = false;
  bool reached_ = false;
  std::string reason_ = "Prometheus not reached yet";
  Labels labels_;
  int64_t min_time_ = std::numeric_limits<int64_t>::min();

  std::condition_variable cv_;
  bool stop_ = false;
  bool wake_ = false;
  std::thread thread_;
};

// The oldest minTime among the blocks under `tsdb_path` (INT64_MAX when there are none).
int64_t OldestLocalBlockMinTime(const std::string& tsdb_path);

}  // namespace meridian::storeapi::sidecar
