#pragma once
// The sidecar's own metrics, registered once in the process registry (common/metrics.h).
// Names follow Thanos where Thanos has the metric. prometheus-cpp and the generated prompb
// code both live in namespace `prometheus` (both define `prometheus::Labels`), so this
// header keeps prometheus-cpp out of the files that use the remote-read messages.

#include <cstdint>
#include <string>

namespace meridian::storeapi::sidecar {

class SidecarMetrics {
 public:
  static SidecarMetrics& Get();

  void SetPrometheusUp(bool up);    // thanos_sidecar_prometheus_up
  void SetHeartbeatNow();           // thanos_sidecar_last_heartbeat_success_time_seconds
  void RemoteReadRequest();         // meridian_sidecar_remote_read_requests_total
  void RemoteReadFailure();         // meridian_sidecar_remote_read_failures_total
  void RemoteReadBytes(uint64_t n);   // meridian_sidecar_remote_read_bytes_total
  void RemoteReadFrames(uint64_t n);  // meridian_sidecar_remote_read_frames_total
  void SeriesSent();                // meridian_sidecar_series_sent_total
  void ShipperUpload();             // thanos_shipper_uploads_total
  void ShipperUploadFailure();      // thanos_shipper_upload_failures_total
  void ShipperDirSync();            // thanos_shipper_dir_syncs_total
  void ShipperDirSyncFailure();     // thanos_shipper_dir_sync_failures_total

 private:
  struct Impl;
  explicit SidecarMetrics(Impl* impl) : impl_(impl) {}
  Impl* impl_;
};

// The whole process registry in the text format, and its content type.
std::string RenderSidecarMetrics();
const char* SidecarMetricsContentType();

}  // namespace meridian::storeapi::sidecar
