#include "objstore/s3/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace meridian::objstore::s3 {

namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct BodySource {
  std::string_view mem;
  size_t mem_pos = 0;
  FILE* file = nullptr;
};

size_t ReadBody(char* buf, size_t size, size_t nitems, void* userp) {
  auto* src = static_cast<BodySource*>(userp);
  size_t cap = size * nitems;
  if (src->file != nullptr) {
    size_t n = std::fread(buf, 1, cap, src->file);
    if (n == 0 && std::ferror(src->file)) return CURL_READFUNC_ABORT;
    return n;
  }
  size_t n = std::min(cap, src->mem.size() - src->mem_pos);
  std::memcpy(buf, src->mem.data() + src->mem_pos, n);
  src->mem_pos += n;
  return n;
}

size_t WriteBody(char* ptr, size_t size, size_t nmemb, void* userp) {
  auto* out = static_cast<std::string*>(userp);
  out->append(ptr, size * nmemb);
  return size * nmemb;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

size_t WriteHeader(char* buf, size_t size, size_t nitems, void* userp) {
  auto* resp = static_cast<HttpResponse*>(userp);
  std::string_view line(buf, size * nitems);
  if (line.rfind("HTTP/", 0) == 0) {
    resp->headers.clear();  // A new response (after 100 Continue or a redirect) starts over.
    return size * nitems;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    resp->headers[name] = Trim(line.substr(colon + 1));
  }
  return size * nitems;
}

}  // namespace

HttpClient::HttpClient(HttpClientOptions opts) : opts_(std::move(opts)) { GlobalInitOnce(); }

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::Release(void* handle) {
  curl_easy_reset(static_cast<CURL*>(handle));  // Keeps the connection cache.
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < opts_.max_idle_handles) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

StatusOr<HttpResponse> HttpClient::Do(const HttpRequest& req) {
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return InternalError("curl_easy_init failed");
  struct Cleanup {
    HttpClient* self;
    CURL* curl;
    curl_slist* headers = nullptr;
    FILE* file = nullptr;
    ~Cleanup() {
      if (headers) curl_slist_free_all(headers);
      if (file) std::fclose(file);
      self->Release(curl);
    }
  } cleanup{this, curl};

  HttpResponse resp;
  BodySource body{req.body, 0, nullptr};
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts_.connect_timeout_ms));
  // Stall detection: less than 1 byte/s for the whole window aborts the transfer.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   std::max<long>(1, static_cast<long>((opts_.stall_timeout_ms + 999) / 1000)));
  if (opts_.max_idle_age_ms > 0) {
    curl_easy_setopt(curl, CURLOPT_MAXAGE_CONN, std::max<long>(1, static_cast<long>(opts_.max_idle_age_ms / 1000)));
  }
  if (!opts_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, opts_.ca_file.c_str());
  if (!opts_.cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, opts_.cert_file.c_str());
  if (!opts_.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, opts_.key_file.c_str());
  if (opts_.insecure_skip_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp.body);

  if (req.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (req.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &body);
    if (!req.body_file.empty()) {
      cleanup.file = std::fopen(req.body_file.c_str(), "rb");
      if (cleanup.file == nullptr) {
        return BadData("open " + req.body_file + ": " + std::strerror(errno));
      }
      body.file = cleanup.file;
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body_file_size));
    } else {
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
  } else if (req.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }

  for (const auto& [k, v] : req.headers) {
    std::string line = k + ": " + v;
    cleanup.headers = curl_slist_append(cleanup.headers, line.c_str());
  }
  // No "Expect: 100-continue" round trip before bodies: the request is signed and sized, so
  // waiting for the server's go-ahead only adds latency.
  cleanup.headers = curl_slist_append(cleanup.headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, cleanup.headers);

  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) detail = "timed out: " + detail;
    return UnavailableError(req.method + " " + req.url + ": " + detail);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

}  // namespace meridian::objstore::s3
