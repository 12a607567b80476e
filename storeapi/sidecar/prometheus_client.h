#pragma once
// The HTTP client of one Prometheus server (Thanos's pkg/promclient, the parts the sidecar
// needs): configuration and flags, label names and values, the series API, and the
// streamed remote-read endpoint. Blocking calls over libcurl; one easy handle per call so
// calls from several threads never share state.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "model/status.h"
#include "prometheus/prompb/remote.pb.h"

namespace meridian::storeapi::sidecar {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// A PromQL selector for `match[]`: {a="b", c=~"d"}.
std::string SelectorString(const Matchers& matchers);
// Milliseconds as the seconds Prometheus's API takes ("1700000000.123").
std::string FormatApiTime(int64_t ms);

class PrometheusClient {
 public:
  // base_url: "http://host:port" (a path prefix is kept; a trailing '/' is dropped).
  explicit PrometheusClient(std::string base_url);

  const std::string& base_url() const { return base_url_; }

  // GET <base>/<path>?params; the body of a 200 response. Other codes become errors that
  // carry Prometheus's own error message when the body has one.
  StatusOr<std::string> Get(const std::string& path, const QueryParams& params,
                            std::chrono::milliseconds timeout) const;

  // Global external labels from /api/v1/status/config.
  StatusOr<Labels> ExternalLabels(std::chrono::milliseconds timeout) const;
  // /api/v1/status/flags: flag name (without dashes) -> value.
  StatusOr<std::map<std::string, std::string>> Flags(std::chrono::milliseconds timeout) const;
  // Head block min time from /api/v1/status/tsdb; INT64_MAX when the head is empty.
  StatusOr<int64_t> HeadMinTime(std::chrono::milliseconds timeout) const;

  StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers, int64_t start_ms, int64_t end_ms,
                                                std::chrono::milliseconds timeout) const;
  StatusOr<std::vector<std::string>> LabelValues(const std::string& name, const Matchers& matchers,
                                                 int64_t start_ms, int64_t end_ms,
                                                 std::chrono::milliseconds timeout) const;
  // /api/v1/series: label sets only.
  StatusOr<std::vector<Labels>> Series(const Matchers& matchers, int64_t start_ms, int64_t end_ms,
                                       std::chrono::milliseconds timeout) const;

  // POSTs the snappy-compressed request to /api/v1/read asking for streamed chunks and hands
  // the response body to `on_body` as it arrives. `on_body` returning false, or `*cancel`
  // becoming true, aborts the transfer (reported as kCanceled). *bytes_read counts the body.
  Status RemoteRead(const prometheus::ReadRequest& req, const std::function<Status(std::string_view)>& on_body,
                    const std::atomic<bool>* cancel, std::chrono::milliseconds timeout,
                    uint64_t* bytes_read) const;

 private:
  std::string base_url_;
};

}  // namespace meridian::storeapi::sidecar
