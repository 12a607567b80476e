#include "compact/status_server.h"

#include <chrono>

#include <httplib.h>

#include "common/metrics.h"
#include "compact/markers.h"
#include "storeapi/gateway/status_server.h"

namespace meridian::compact {
namespace {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string ErrorJson(const std::string& type, const std::string& msg) {
  return "{\"status\":\"error\",\"errorType\":" + JsonString(type) + ",\"error\":" + JsonString(msg) + "}";
}

// meta.json is written tab-indented for files; an API answer is compact.
std::string Minify(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '"') in_string = true;
    out += c;
  }
  return out;
}

}  // namespace

std::string BlocksJson(const std::vector<tsdb::BlockMeta>& blocks, const std::string& label) {
  std::string out = "{\"status\":\"success\",\"data\":{\"blocks\":[";
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i > 0) out += ",";
    out += Minify(tsdb::SerializeBlockMeta(blocks[i]));
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  out += "],\"label\":" + JsonString(label) + ",\"refreshedAt\":" + std::to_string(now) + "}}";
  return out;
}

CompactorStatusServer::~CompactorStatusServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

StatusOr<std::unique_ptr<CompactorStatusServer>> CompactorStatusServer::Start(
    const CompactorHttpOptions& opts, std::shared_ptr<objstore::Bucket> bucket, BucketCompactor* compactor,
    const std::atomic<bool>* ready) {
  std::unique_ptr<CompactorStatusServer> s(new CompactorStatusServer());
  s->server_ = std::make_unique<httplib::Server>();
  httplib::Server& srv = *s->server_;
  srv.Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) { res.set_content("OK", "text/plain"); });
  srv.Get("/-/ready", [ready](const httplib::Request&, httplib::Response& res) {
    if (ready->load()) {
      res.set_content("OK", "text/plain");
    } else {
      res.status = 503;
      res.set_content("not ready", "text/plain");
    }
  });
  srv.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderMetrics(), kMetricsContentType);
  });
  const std::string label = opts.label;
  srv.Get("/api/v1/blocks", [compactor, label](const httplib::Request&, httplib::Response& res) {
    res.set_content(BlocksJson(compactor->LoadedBlocks(), label), "application/json");
  });
  const bool admin_disabled = opts.disable_admin_operations;
  srv.Post("/api/v1/blocks/mark", [bucket, admin_disabled](const httplib::Request& req, httplib::Response& res) {
    if (admin_disabled) {
      res.status = 403;
      res.set_content(ErrorJson("forbidden", "admin operations are disabled"), "application/json");
      return;
    }
    auto id = tsdb::Ulid::Parse(req.get_param_value("id"));
    if (!id.ok()) {
      res.status = 400;
      res.set_content(ErrorJson("bad_data", "id: " + id.status().message()), "application/json");
      return;
    }
    const std::string action = req.get_param_value("action");
    Marker m;
    m.id = *id;
    m.details = req.get_param_value("detail");
    m.time_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (action == "DELETION") {
      m.kind = MarkerKind::kDeletion;
    } else if (action == "NO_COMPACTION") {
      m.kind = MarkerKind::kNoCompact;
      m.reason = std::string(kReasonManual);
    } else if (action == "NO_DOWNSAMPLE") {
      m.kind = MarkerKind::kNoDownsample;
      m.reason = std::string(kReasonManual);
    } else {
      res.status = 400;
      res.set_content(ErrorJson("bad_data", "action must be DELETION, NO_COMPACTION or NO_DOWNSAMPLE"),
                      "application/json");
      return;
    }
    auto exists = bucket->Exists(id->ToString() + "/meta.json");
    if (exists.ok() && !*exists) {
      res.status = 404;
      res.set_content(ErrorJson("not_found", "block " + id->ToString() + " does not exist"), "application/json");
      return;
    }
    auto written = WriteMarkerIfAbsent(*bucket, m);
    if (!written.ok()) {
      res.status = 503;
      res.set_content(ErrorJson("unavailable", written.status().message()), "application/json");
      return;
    }
    res.set_content("{\"status\":\"success\"}", "application/json");
  });
  auto port = storeapi::gateway::ListenInBackground(srv, opts.address, &s->thread_);
  if (!port.ok()) return port.status();
  s->port_ = *port;
  return s;
}

}  // namespace meridian::compact
