#include "storeapi/sidecar/sidecar_metrics.h"

#include <chrono>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "common/metrics.h"

namespace meridian::storeapi::sidecar {

namespace {

prometheus::Counter& NewCounter(const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(MetricsRegistry()).Add({});
}

prometheus::Gauge& NewGauge(const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(MetricsRegistry()).Add({});
}

}  // namespace

struct SidecarMetrics::Impl {
  prometheus::Gauge& prometheus_up =
      NewGauge("thanos_sidecar_prometheus_up", "Boolean indicator whether the sidecar can reach its Prometheus peer.");
  prometheus::Gauge& heartbeat = NewGauge("thanos_sidecar_last_heartbeat_success_time_seconds",
                                          "Timestamp of the last successful heartbeat in seconds.");
  prometheus::Counter& rr_requests =
      NewCounter("meridian_sidecar_remote_read_requests_total", "Remote-read requests sent to Prometheus.");
  prometheus::Counter& rr_failures =
      NewCounter("meridian_sidecar_remote_read_failures_total", "Remote-read requests that failed.");
  prometheus::Counter& rr_bytes =
      NewCounter("meridian_sidecar_remote_read_bytes_total", "Bytes of remote-read responses received.");
  prometheus::Counter& rr_frames =
      NewCounter("meridian_sidecar_remote_read_frames_total", "Streamed remote-read frames received.");
  prometheus::Counter& series_sent =
      NewCounter("meridian_sidecar_series_sent_total", "Series handed to StoreAPI clients.");
  prometheus::Counter& uploads = NewCounter("thanos_shipper_uploads_total", "Total number of uploaded blocks.");
  prometheus::Counter& upload_failures =
      NewCounter("thanos_shipper_upload_failures_total", "Total number of block upload failures.");
  prometheus::Counter& dir_syncs = NewCounter("thanos_shipper_dir_syncs_total", "Total number of dir syncs.");
  prometheus::Counter& dir_sync_failures =
      NewCounter("thanos_shipper_dir_sync_failures_total", "Total number of failed dir syncs.");
};

SidecarMetrics& SidecarMetrics::Get() {
  static SidecarMetrics* m = new SidecarMetrics(new Impl());
  return *m;
}

void SidecarMetrics::SetPrometheusUp(bool up) { impl_->prometheus_up.Set(up ? 1 : 0); }
void SidecarMetrics::SetHeartbeatNow() {
  impl_->heartbeat.Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
}
void SidecarMetrics::RemoteReadRequest() { impl_->rr_requests.Increment(); }
void SidecarMetrics::RemoteReadFailure() { impl_->rr_failures.Increment(); }
void SidecarMetrics::RemoteReadBytes(uint64_t n) { impl_->rr_bytes.Increment(static_cast<double>(n)); }
void SidecarMetrics::RemoteReadFrames(uint64_t n) { impl_->rr_frames.Increment(static_cast<double>(n)); }
void SidecarMetrics::SeriesSent() { impl_->series_sent.Increment(); }
void SidecarMetrics::ShipperUpload() { impl_->uploads.Increment(); }
void SidecarMetrics::ShipperUploadFailure() { impl_->upload_failures.Increment(); }
void SidecarMetrics::ShipperDirSync() { impl_->dir_syncs.Increment(); }
void SidecarMetrics::ShipperDirSyncFailure() { impl_->dir_sync_failures.Increment(); }

std::string RenderSidecarMetrics() { return RenderMetrics(); }
const char* SidecarMetricsContentType() { return kMetricsContentType; }

}  // namespace meridian::storeapi::sidecar
