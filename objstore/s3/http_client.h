#pragma once
// A small blocking HTTP client over libcurl easy handles. Handles are pooled (curl keeps each
// handle's connections alive), so concurrent callers each get their own handle and repeated
// requests reuse connections. Transport failures (refused, reset, timed out, TLS) come back as
// kUnavailable; any HTTP response, whatever its status, is a successful call.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "objstore/s3/sigv4.h"

namespace meridian::objstore::s3 {

struct HttpClientOptions {
  int64_t connect_timeout_ms = 40000;  // TCP connect plus TLS handshake.
  // A transfer that moves no byte for this long is abandoned (covers a server that accepts the
  // connection but never answers, like Go's ResponseHeaderTimeout).
  int64_t stall_timeout_ms = 120000;
  // A pooled connection idle longer than this is not reused (Go's IdleConnTimeout).
  int64_t max_idle_age_ms = 90000;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool insecure_skip_verify = false;
  size_t max_idle_handles = 16;
};

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, DELETE
  std::string url;
  NameValues headers;
  // PUT bodies: either bytes in memory or a local file streamed from disk.
  std::string_view body;
  std::string body_file;
  int64_t body_file_size = 0;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // Names lower-cased.
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions opts);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  StatusOr<HttpResponse> Do(const HttpRequest& req);

 private:
  void* Acquire();
  void Release(void* handle);

  HttpClientOptions opts_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* easy handles
};

}  // namespace meridian::objstore::s3
