#include "storeapi/sidecar/sidecar.h"

#include <httplib.h>

#include <spdlog/spdlog.h>

#include "common/listen_socket.h"
#include "model/duration.h"
#include "objstore/config.h"
#include "storeapi/sidecar/prometheus_config.h"
#include "storeapi/sidecar/sidecar_metrics.h"

namespace meridian::storeapi::sidecar {

namespace {

constexpr int64_t kTwoHoursMs = 2 * 3600 * 1000;

StatusOr<std::pair<std::string, int>> SplitHostPort(const std::string& addr) {
  auto colon = addr.rfind(':');
  if (colon == std::string::npos) return BadData("address " + addr + " has no port");
  std::string host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  int port = 0;
  try {
    size_t used = 0;
    port = std::stoi(addr.substr(colon + 1), &used);
    if (used != addr.size() - colon - 1 || port < 0 || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return BadData("address " + addr + " has an invalid port");
  }
  return std::make_pair(host, port);
}

}  // namespace

StatusOr<std::unique_ptr<Sidecar>> Sidecar::Start(SidecarOptions opts) {
  std::unique_ptr<Sidecar> s(new Sidecar());
  s->opts_ = std::move(opts);
  const auto& o = s->opts_;
  auto& metrics = SidecarMetrics::Get();
  s->client_ = std::make_shared<PrometheusClient>(o.prometheus_url);

  std::shared_ptr<objstore::Bucket> bucket;
  if (!o.objstore_config.empty()) {
    if (o.tsdb_path.empty()) return BadData("uploads need --tsdb.path (Prometheus's data directory)");
    auto b = objstore::NewBucketFromConfig(o.objstore_config);
    if (!b.ok()) return b.status().Wrap("objstore config");
    bucket = std::move(*b);
  } else {
    spdlog::info("msg=\"no supported bucket was configured, uploads will be disabled\"");
  }

  MetadataOptions mo;
  mo.refresh_interval = o.refresh_interval;
  mo.retry_interval = o.retry_interval;
  // The data directory tells the oldest block only when it is declared Prometheus's, i.e.
  // with uploads on (as in Thanos, where only the shipper narrows the time range); a
  // default ./data that is something else must not cut off what Prometheus holds.
  if (bucket) mo.tsdb_path = o.tsdb_path;
  Sidecar* self = s.get();
  mo.on_refresh = [self, &metrics](const Status& st) {
    bool reached = st.ok() || st.message() == kNoExternalLabelsMessage;
    metrics.SetPrometheusUp(reached);
    if (reached) metrics.SetHeartbeatNow();
    std::lock_guard<std::mutex> l(self->mu_);
    if (reached && !self->first_reach_seen_) {
      self->first_reach_seen_ = true;
      if (!st.ok() && !self->fatal_) self->fatal_ = st;
    }
    self->cv_.notify_all();
  };
  s->metadata_ = std::make_shared<PrometheusMetadata>(s->client_, mo);
  s->store_ = std::make_shared<PrometheusStore>(s->client_, s->metadata_, o.store);

  auto grpc = GrpcServer::Start(o.grpc_address, s->store_);
  if (!grpc.ok()) return grpc.status().Wrap("gRPC server");
  s->grpc_ = std::move(*grpc);

  if (!o.http_address.empty()) {
    auto hp = SplitHostPort(o.http_address);
    if (!hp.ok()) return hp.status().Wrap("HTTP server");
    s->http_ = std::make_unique<httplib::Server>();
    s->http_->set_socket_options(ExclusiveListenSocket);
    auto md = s->metadata_;
    s->http_->Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(RenderSidecarMetrics(), SidecarMetricsContentType());
    });
    s->http_->Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("OK", "text/plain");
    });
    s->http_->Get("/-/ready", [md](const httplib::Request&, httplib::Response& res) {
      if (md->Ready()) {
        res.set_content("OK", "text/plain");
      } else {
        res.status = 503;
        res.set_content("NOT READY: " + md->NotReadyReason(), "text/plain");
      }
    });
    int port = hp->second == 0 ? s->http_->bind_to_any_port(hp->first) : (s->http_->bind_to_port(hp->first, hp->second) ? hp->second : -1);
    if (port <= 0) return UnavailableError("HTTP server: cannot listen on " + o.http_address);
    s->http_port_ = port;
    s->http_thread_ = std::thread([srv = s->http_.get()] { srv->listen_after_bind(); });
  }

  s->metadata_->Start();
  if (bucket) {
    ShipperOptions so;
    so.tsdb_path = o.tsdb_path;
    so.labels = [md = s->metadata_] { return md->ExternalLabels(); };
    s->shipper_ = std::make_unique<Shipper>(bucket, so);
    s->ship_thread_ = std::thread([self] { self->ShipLoop(); });
  }
  spdlog::info("msg=\"starting sidecar\" prometheus={} grpc_port={} http_port={}", o.prometheus_url,
               s->grpc_->port(), s->http_port_);
  return s;
}

void Sidecar::ShipLoop() {
  // Thanos checks, before the first upload, that Prometheus does not compact blocks itself:
  // a compacted block would replace level-1 blocks not shipped yet.
  bool validated = false;
  while (true) {
    {
      std::unique_lock<std::mutex> l(mu_);
      if (stop_ || fatal_) return;
    }
    if (!validated && !metadata_->ExternalLabels().empty()) {
      auto flags = client_->Flags(std::chrono::milliseconds(5000));
      if (flags.ok()) {
        auto d = BlockDurationsFromFlags(*flags);
        if (!d.ok()) {
          spdlog::warn("msg=\"failed to check Prometheus flags. No extra validation is done.\" err=\"{}\"",
                       d.status().message());
          validated = true;
        } else if (d->min_ms != d->max_ms && !opts_.ignore_unequal_block_size) {
          SetFatal(BadData("validate Prometheus flags: found that TSDB Max time is " + FormatDurationMs(d->max_ms) +
                           " and Min time is " + FormatDurationMs(d->min_ms) +
                           ". Compaction needs to be disabled (storage.tsdb.min-block-duration = "
                           "storage.tsdb.max-block-duration)"));
          return;
        } else {
          if (d->min_ms != d->max_ms) {
            spdlog::warn("msg=\"flag to ignore Prometheus min/max block duration flags differing is being used. If the "
                         "upload of a 2h block fails and a Prometheus compaction happens that block may be missing from "
                         "your Thanos bucket storage.\"");
          }
          if (d->min_ms != kTwoHoursMs) {
            spdlog::warn("msg=\"found that TSDB block time is not 2h. Only 2h block time is recommended.\" block-time={}",
                         FormatDurationMs(d->min_ms));
          }
          validated = true;
        }
      } else {
        spdlog::warn("msg=\"failed to get Prometheus flags. Is Prometheus running? Retrying\" err=\"{}\"",
                     flags.status().message());
      }
    }
    std::chrono::milliseconds wait = opts_.retry_interval;
    if (validated) {
      auto r = shipper_->Sync();
      if (!r.ok()) spdlog::warn("msg=\"shipper sync failed\" err=\"{}\"", r.status().message());
      wait = opts_.ship_interval;
    }
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, wait, [this] { return stop_; });
  }
}

void Sidecar::SetFatal(Status s) {
  std::lock_guard<std::mutex> l(mu_);
  if (!fatal_) fatal_ = std::move(s);
  cv_.notify_all();
}

std::optional<Status> Sidecar::Fatal() const {
  std::lock_guard<std::mutex> l(mu_);
  return fatal_;
}

void Sidecar::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (ship_thread_.joinable()) ship_thread_.join();
  if (metadata_) metadata_->Stop();
  if (grpc_) grpc_->Shutdown();
  if (http_) http_->stop();
  if (http_thread_.joinable()) http_thread_.join();
}

Sidecar::~Sidecar() {
  // Stop() ends the metadata thread, whose callback refers to this object, even when
  // streams still hold the metadata.
  Stop();
}

}  // namespace meridian::storeapi::sidecar
