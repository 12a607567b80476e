#include "web/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>

#include "common/listen_socket.h"

namespace meridian::web {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// Go reads a form body only for these methods (net/http parsePostForm).
bool MethodHasFormBody(const std::string& m) { return m == "POST" || m == "PUT" || m == "PATCH"; }

// `body`: the request body as read by the handler (POST and PUT), else in.body.
Request ToRequest(const httplib::Request& in, const std::string* body = nullptr) {
  Request r;
  r.method = in.method;
  r.path = in.path;
  r.remote_addr = in.remote_addr;
  for (size_t i = 1; i < in.matches.size(); ++i) r.path_params.push_back(in.matches[i].str());
  for (const auto& [k, v] : in.headers) r.headers.emplace_back(k, v);
  if (MethodHasFormBody(in.method) &&
      StartsWithNoCase(in.get_header_value("Content-Type"), "application/x-www-form-urlencoded")) {
    r.form.AppendUrlEncoded(body != nullptr ? *body : in.body);
  }
  // httplib has already merged body and URL into `params`; the raw target keeps the URL's own.
  size_t q = in.target.find('?');
  if (q != std::string::npos) r.form.AppendUrlEncoded(std::string_view(in.target).substr(q + 1));
  return r;
}

void WriteResponse(const Response& r, httplib::Response& out) {
  out.status = r.status;
  for (const auto& [k, v] : r.headers) out.set_header(k, v);
  out.set_content(r.body, r.content_type);
}

// A Prometheus API error body for what the server answers itself (limits, exceptions): the
// message is the server's own or an exception's, escaped just enough for a JSON string.
std::string ErrorBody(std::string_view type, const std::string& msg) {
  std::string escaped;
  for (char c : msg) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) continue;
    escaped.push_back(c);
  }
  return std::string(R"({"status":"error","errorType":")") + std::string(type) + R"(","error":")" + escaped + "\"}";
}

std::string BodyTooLarge(size_t max) {
  return ErrorBody("bad_data", "request body larger than " + std::to_string(max) + " bytes");
}

// What the server answers by itself (no handler ran, or a limit refused the request), in the
// shapes Prometheus gives: its router's plain-text 404 and 405, and JSON API errors for
// requests it cannot read.
void FillErrorBody(const std::vector<std::pair<std::string, std::regex>>& routes, size_t max_body,
                   const httplib::Request& req, httplib::Response& res) {
  auto json = [&](const std::string& msg) { res.set_content(ErrorBody("bad_data", msg), "application/json"); };
  // The methods that serve this path; OPTIONS answers CORS preflights for every path and does
  // not make a path known.
  std::string allow;
  bool served = false;
  for (const auto& [method, pattern] : routes) {
    if (method == "OPTIONS" || !std::regex_match(req.path, pattern)) continue;
    if (method == req.method) served = true;
    if (allow.find(method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + method;
  }
  // httplib answers 400 to methods it has no handlers for at all (PUT, PATCH, ...).
  if ((res.status == 404 || res.status == 400) && !served && !allow.empty()) {
    res.status = 405;
    res.set_header("Allow", allow);
    res.set_content("Method Not Allowed\n", "text/plain; charset=utf-8");
    return;
  }
  switch (res.status) {
    case 404: res.set_content("404 page not found\n", "text/plain; charset=utf-8"); break;
    case 413:
      res.set_content(BodyTooLarge(max_body), "application/json");
      break;
    case 414: json("request URI longer than 8192 bytes: send long queries by POST"); break;
    case 400: json("malformed HTTP request"); break;
    default: break;
  }
}

// httplib listens with a backlog of 5, so a burst of clients connecting at once (a dashboard
// opening, a load balancer's pool) overflows the accept queue and sees resets. Listening again
// on the bound socket raises the backlog (Linux adjusts it in place).
class ListeningServer : public httplib::Server {
 public:
  void RaiseBacklog(int backlog) {
    socket_t s = svr_sock_;
    if (s != INVALID_SOCKET) ::listen(s, backlog);
  }
};

}  // namespace

std::string Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && StartsWithNoCase(k, name)) return v;
  }
  return "";
}

std::string ExactPath(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

HttpServer::HttpServer(HttpServerOptions opts)
    : opts_(std::move(opts)), server_(std::make_unique<ListeningServer>()) {
  if (opts_.idle_trim_ms > 0) {
    trimmer_ = std::make_unique<IdleMemoryTrimmer>(std::chrono::milliseconds(opts_.idle_trim_ms));
  }
  int threads = std::max(1, opts_.threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server_->set_payload_max_length(opts_.max_body_bytes);
  server_->set_read_timeout(opts_.read_timeout_sec, 0);
  server_->set_write_timeout(opts_.write_timeout_sec, 0);
  server_->set_keep_alive_timeout(opts_.keep_alive_timeout_sec);
  // httplib closes a connection after 5 requests by default; dashboards reuse connections.
  server_->set_keep_alive_max_count(100000);
  // Without it a kept-alive connection's next answer waits out the client's delayed ACK
  // (Nagle): 40-50 ms instead of ~1 ms for a small response.
  server_->set_tcp_nodelay(true);
  server_->set_socket_options(ExclusiveListenSocket);
  server_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // a handler's own
        FillErrorBody(routes_, opts_.max_body_bytes, req, res);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(ErrorBody("internal", what), "application/json");
  });
  server_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("http {} {} -> {} ({} bytes) from {}", req.method, req.path, res.status,
                  res.body.size(), req.remote_addr);
  });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(const std::string& method, const std::string& pattern, Handler handler) {
  auto run = [h = std::move(handler), trimmer = trimmer_.get()](const httplib::Request& in, httplib::Response& out,
                                                                  const std::string* body) {
    if (trimmer) trimmer->Begin();
    Request req = ToRequest(in, body);
    Response resp;
    h(req, &resp);
    WriteResponse(resp, out);
    if (trimmer) trimmer->End();
  };
  auto wrapped = [run](const httplib::Request& in, httplib::Response& out) { run(in, out, nullptr); };
  // Bodies are read here rather than by httplib: Debian's build refuses form-encoded bodies
  // over 8 KiB (a compile-time limit), where Grafana POSTs long queries and many match[].
  // The body is still bounded by HttpServerOptions::max_body_bytes (set_payload_max_length).
  auto with_body = [run, max = opts_.max_body_bytes](const httplib::Request& in, httplib::Response& out,
                                                      const httplib::ContentReader& reader) {
    std::string body;
    const bool read = reader([&](const char* data, size_t n) {
      body.append(data, n);
      return body.size() <= max;
    });
    if (!read) {
      const std::string length = in.get_header_value("Content-Length");
      const bool too_long = body.size() > max || (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > max);
      out.status = too_long ? 413 : 400;
      out.set_content(too_long ? BodyTooLarge(max) : ErrorBody("bad_data", "could not read the request body"),
                      "application/json");
      return;
    }
    run(in, out, &body);
  };
  routes_.emplace_back(method, std::regex(pattern));
  if (method == "GET") {
    server_->Get(pattern, wrapped);
  } else if (method == "POST") {
    server_->Post(pattern, httplib::Server::HandlerWithContentReader(with_body));
  } else if (method == "OPTIONS") {
    server_->Options(pattern, wrapped);
  } else if (method == "PUT") {
    server_->Put(pattern, httplib::Server::HandlerWithContentReader(with_body));
  } else if (method == "DELETE") {
    server_->Delete(pattern, httplib::Server::Handler(wrapped));
  }
}

void HttpServer::HandleGetPost(const std::string& pattern, const Handler& handler) {
  Handle("GET", pattern, handler);
  Handle("POST", pattern, handler);
}

Status HttpServer::Start() {
  if (running_) return InternalError("http server already started");
  int port = opts_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(opts_.host);
    if (port < 0) return UnavailableError("cannot bind HTTP server to " + opts_.host + ":0");
  } else if (!server_->bind_to_port(opts_.host, port)) {
    return UnavailableError("cannot bind HTTP server to " + opts_.host + ":" + std::to_string(port));
  }
  static_cast<ListeningServer*>(server_.get())->RaiseBacklog(opts_.listen_backlog);
  port_ = port;
  running_ = true;
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  // listen_after_bind sets is_running shortly after the thread starts; wait so a Stop() right
  // after Start() is not lost.
  for (int i = 0; i < 1000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  spdlog::info("HTTP server listening on {}:{}", opts_.host, port_);
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!running_.exchange(false)) return;
  server_->stop();
  if (listener_.joinable()) listener_.join();
}

}  // namespace meridian::web
