#include "storeapi/gateway/status_server.h"

#include <httplib.h>

#include "common/listen_socket.h"
#include "common/metrics.h"

namespace meridian::storeapi::gateway {

std::string FormatStoreMetrics(const BucketStoreStats& s) {
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help, const std::string& body) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + body;
  };
  auto line = [](const std::string& name, uint64_t v) { return name + " " + std::to_string(v) + "\n"; };
  metric("thanos_bucket_store_blocks_loaded", "gauge", "Number of currently loaded blocks.",
         line("thanos_bucket_store_blocks_loaded", s.blocks_loaded));
  metric("meridian_bucket_store_blocks_failed", "gauge", "Blocks listed in the bucket that could not be loaded.",
         line("meridian_bucket_store_blocks_failed", s.blocks_failed));
  metric("meridian_bucket_store_syncs_total", "counter", "Meta syncs with the bucket.",
         line("meridian_bucket_store_syncs_total", s.syncs));
  metric("meridian_bucket_store_sync_failures_total", "counter", "Meta syncs that could not list the bucket.",
         line("meridian_bucket_store_sync_failures_total", s.sync_failures));
  metric("meridian_bucket_store_range_requests_total", "counter", "Ranged GETs of index and chunk data.",
         line("meridian_bucket_store_range_requests_total", s.bucket_requests));
  metric("meridian_bucket_store_range_bytes_total", "counter", "Bytes fetched by ranged GETs.",
         line("meridian_bucket_store_range_bytes_total", s.bucket_bytes));
  metric("meridian_bucket_store_index_bytes", "gauge", "Total size of the index files of loaded blocks.",
         line("meridian_bucket_store_index_bytes", s.index_bytes_served));
  for (auto [cache, st] : {std::pair<const char*, const ByteCacheStats*>{"index", &s.index_cache},
                           {"chunks", &s.chunk_cache}}) {
    std::string l = std::string("{cache=\"") + cache + "\"}";
    out += "meridian_bucket_store_cache_hits_total" + l + " " + std::to_string(st->hits) + "\n";
    out += "meridian_bucket_store_cache_misses_total" + l + " " + std::to_string(st->misses) + "\n";
    out += "meridian_bucket_store_cache_evictions_total" + l + " " + std::to_string(st->evictions) + "\n";
    out += "meridian_bucket_store_cache_bytes" + l + " " + std::to_string(st->bytes) + "\n";
    out += "meridian_bucket_store_cache_items" + l + " " + std::to_string(st->items) + "\n";
  }
  return out;
}

StatusOr<int> ListenInBackground(httplib::Server& server, const std::string& address, std::thread* thread) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return BadData("http address \"" + address + "\" lacks a port");
  std::string host = address.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (...) {
    return BadData("http address \"" + address + "\": bad port");
  }
  if (host.empty()) host = "0.0.0.0";
  server.set_socket_options(ExclusiveListenSocket);
  int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return UnavailableError("cannot listen on " + address);
  httplib::Server* srv = &server;
  *thread = std::thread([srv] { srv->listen_after_bind(); });
  return bound;
}

StatusOr<std::unique_ptr<StatusServer>> StatusServer::Start(const std::string& address,
                                                             std::shared_ptr<BucketStore> store) {
  std::unique_ptr<StatusServer> s(new StatusServer());
  s->server_ = std::make_unique<httplib::Server>();
  s->server_->Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("OK", "text/plain");
  });
  s->server_->Get("/-/ready", [store](const httplib::Request&, httplib::Response& res) {
    if (store->ready()) {
      res.set_content("OK", "text/plain");
    } else {
      res.status = 503;
      res.set_content(store->synced() ? "not ready: no block could be loaded (see the log)"
                                      : "not ready: the first block sync has not finished",
                      "text/plain");
    }
  });
  s->server_->Get("/metrics", [store](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderMetrics() + FormatStoreMetrics(store->stats()), kMetricsContentType);
  });
  auto port = ListenInBackground(*s->server_, address, &s->thread_);
  if (!port.ok()) return port.status();
  s->port_ = *port;
  return s;
}

StatusServer::~StatusServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace meridian::storeapi::gateway
