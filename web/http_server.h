#pragma once
// An HTTP/1.1 server for the API and /metrics: cpp-httplib with a fixed worker pool, bound to
// host:port (port 0 picks a free one), stopped gracefully. Routes are registered before
// Start(); handlers must not throw (a thrown exception becomes a 500 JSON error anyway).

#include <atomic>
#include <memory>
#include <regex>
#include <utility>
#include <vector>
#include <string>
#include <thread>

#include "common/idle_memory_trimmer.h"
#include "model/status.h"
#include "web/http_types.h"

namespace httplib {
class Server;
}

namespace meridian::web {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  int port = 10902;
  // Worker threads. A keep-alive connection holds a worker while open, so this bounds the
  // number of concurrently served connections, not only of running requests.
  int threads = 64;
  size_t max_body_bytes = 16 << 20;
  int read_timeout_sec = 30;
  int write_timeout_sec = 120;
  int keep_alive_timeout_sec = 5;
  int listen_backlog = 1024;
  // Freed memory goes back to the system after this long without requests (0: never).
  int idle_trim_ms = 1000;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions opts);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `pattern` is an anchored ECMAScript regex over the decoded path; its groups become
  // Request::path_params. Method is "GET", "POST" or "OPTIONS". Register before Start().
  void Handle(const std::string& method, const std::string& pattern, Handler handler);
  // GET and POST at once (most API endpoints accept both).
  void HandleGetPost(const std::string& pattern, const Handler& handler);

  // Binds and starts serving on a background thread; fails when the address is taken.
  Status Start();
  // The bound port (the chosen one when the options said 0). Valid after Start().
  int port() const { return port_; }
  // Stops accepting, lets running requests finish, joins the listener. Idempotent.
  void Stop();

 private:
  HttpServerOptions opts_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;
  std::atomic<bool> running_{false};
  std::unique_ptr<IdleMemoryTrimmer> trimmer_;
  // Method and path pattern of every handler, registered before Start(): tells a path served
  // for other methods (405) from an unknown one (404).
  std::vector<std::pair<std::string, std::regex>> routes_;
};

// The path with regex metacharacters escaped, for registering a fixed path.
std::string ExactPath(const std::string& path);

}  // namespace meridian::web
