#include "tests/support/http_client.h"

#include <chrono>
#include <thread>

#include <curl/curl.h>

namespace meridian::testing {

namespace {

size_t Append(char* d, size_t s, size_t n, void* u) {
  static_cast<std::string*>(u)->append(d, s * n);
  return s * n;
}

}  // namespace

StatusOr<HttpResponse> HttpRequest(const std::string& url, const std::string& form_body, bool post,
                                   int timeout_ms) {
  CURL* c = curl_easy_init();
  if (c == nullptr) return InternalError("curl_easy_init failed");
  HttpResponse r;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (post) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form_body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(form_body.size()));
  }
  CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK) return UnavailableError(url + ": " + curl_easy_strerror(rc));
  return r;
}

StatusOr<std::string> HttpGet(const std::string& url, int timeout_ms) {
  auto r = HttpRequest(url, "", false, timeout_ms);
  if (!r.ok()) return r.status();
  if (r->code != 200) return UnavailableError(url + ": HTTP " + std::to_string(r->code) + ": " + r->body);
  return std::move(r->body);
}

Status WaitForHttpOk(const std::string& url, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  Status last = UnavailableError(url + ": not polled");
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = HttpGet(url, 2000);
    if (r.ok()) return Status::Ok();
    last = r.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

}  // namespace meridian::testing
