#include "storeapi/sidecar/prometheus_metadata.h"

#include <algorithm>
#include <filesystem>
#include <limits>

#include <spdlog/spdlog.h>

#include "storeapi/sidecar/prometheus_config.h"
#include "tsdb/block_meta.h"
#include "tsdb/ulid.h"

namespace meridian::storeapi::sidecar {

int64_t OldestLocalBlockMinTime(const std::string& tsdb_path) {
  int64_t oldest = std::numeric_limits<int64_t>::max();
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(tsdb_path, ec)) {
    if (!e.is_directory(ec)) continue;
    if (!tsdb::Ulid::Parse(e.path().filename().string()).ok()) continue;
    auto meta = tsdb::ReadBlockMetaFile(e.path().string());
    if (meta.ok()) oldest = std::min(oldest, meta->min_time);
  }
  return oldest;
}

PrometheusMetadata::PrometheusMetadata(std::shared_ptr<const PrometheusClient> client, MetadataOptions opts)
    : client_(std::move(client)), opts_(std::move(opts)) {}

PrometheusMetadata::~PrometheusMetadata() { Stop(); }

void PrometheusMetadata::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status PrometheusMetadata::Refresh() {
  Status result;
  auto labels = client_->ExternalLabels(opts_.request_timeout);
  if (!labels.ok()) {
    result = labels.status();
    std::lock_guard<std::mutex> l(mu_);
    ready_ = false;
    reason_ = result.message();
  } else {
    // Min time: the oldest local block or the head when the data directory is readable;
    // otherwise now minus the retention (Prometheus deletes what is older).
    int64_t min_time = std::numeric_limits<int64_t>::min();
    std::error_code ec;
    if (!opts_.tsdb_path.empty() && std::filesystem::exists(opts_.tsdb_path, ec)) {
      int64_t local = OldestLocalBlockMinTime(opts_.tsdb_path);
      auto head = client_->HeadMinTime(opts_.request_timeout);
      min_time = std::min(local, head.ok() ? *head : std::numeric_limits<int64_t>::max());
      if (min_time == std::numeric_limits<int64_t>::max()) min_time = std::numeric_limits<int64_t>::min();
    } else if (auto flags = client_->Flags(opts_.request_timeout); flags.ok()) {
      if (auto retention = RetentionFromFlags(*flags)) {
        auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        min_time = now - *retention;
      }
    }
    std::lock_guard<std::mutex> l(mu_);
    reached_ = true;
    labels_ = *labels;
    min_time_ = min_time;
    if (labels_.empty()) {
      ready_ = false;
      reason_ = kNoExternalLabelsMessage;
      result = BadData(kNoExternalLabelsMessage);
    } else {
      ready_ = true;
      reason_.clear();
    }
  }
  if (opts_.on_refresh) opts_.on_refresh(result);
  return result;
}

void PrometheusMetadata::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void PrometheusMetadata::Loop() {
  bool was_ok = false;
  bool first = true;
  while (true) {
    Status s = Refresh();
    if (!s.ok() && (was_ok || first)) {
      spdlog::warn("msg=\"failed to fetch external labels. Is Prometheus running? Retrying\" err=\"{}\"", s.message());
    } else if (s.ok() && !was_ok) {
      spdlog::info("msg=\"successfully loaded prometheus external labels\" external_labels=\"{}\"",
                   ExternalLabels().ToString());
    }
    was_ok = s.ok();
    first = false;
    std::unique_lock<std::mutex> l(mu_);
    auto wait = s.ok() ? opts_.refresh_interval : opts_.retry_interval;
    cv_.wait_for(l, wait, [this] { return stop_ || wake_; });
    wake_ = false;
    if (stop_) return;
  }
}

void PrometheusMetadata::ReportFailure(const Status& s) {
  {
    std::lock_guard<std::mutex> l(mu_);
    ready_ = false;
    reason_ = s.message();
    wake_ = true;
  }
  cv_.notify_all();
}

bool PrometheusMetadata::Ready() const {
  std::lock_guard<std::mutex> l(mu_);
  return ready_;
}

std::string PrometheusMetadata::NotReadyReason() const {
  std::lock_guard<std::mutex> l(mu_);
  return reason_;
}

bool PrometheusMetadata::Reached() const {
  std::lock_guard<std::mutex> l(mu_);
  return reached_;
}

Labels PrometheusMetadata::ExternalLabels() const {
  std::lock_guard<std::mutex> l(mu_);
  return labels_;
}

int64_t PrometheusMetadata::MinTime() const {
  std::lock_guard<std::mutex> l(mu_);
  return min_time_;
}

}  // namespace meridian::storeapi::sidecar
