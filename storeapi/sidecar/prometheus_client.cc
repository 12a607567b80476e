#include "storeapi/sidecar/prometheus_client.h"

#include <curl/curl.h>
#include <rapidjson/document.h>
#include <snappy.h>

#include <cinttypes>
#include <cstdio>
#include <limits>
#include <memory>
#include <mutex>

#include "storeapi/sidecar/prometheus_config.h"

namespace meridian::storeapi::sidecar {

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

std::string Escape(CURL* c, const std::string& s) {
  char* e = curl_easy_escape(c, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

// Prometheus's API reports failures as {"status":"error","errorType":..,"error":..}.
std::string ApiErrorMessage(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  if (!d.HasParseError() && d.IsObject() && d.HasMember("error") && d["error"].IsString()) {
    return d["error"].GetString();
  }
  return body.substr(0, 512);
}

Status HttpStatusError(const std::string& what, long code, const std::string& body) {
  std::string msg = what + ": HTTP " + std::to_string(code) + ": " + ApiErrorMessage(body);
  if (code == 400 || code == 422) return BadData(msg);
  return UnavailableError(msg);
}

Status CurlError(const std::string& what, CURLcode rc, const char* errbuf) {
  std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  if (rc == CURLE_OPERATION_TIMEDOUT) return Status(StatusCode::kTimeout, what + ": " + detail);
  return UnavailableError(what + ": " + detail);
}

size_t AppendToString(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// The "data" member of a successful API answer.
StatusOr<rapidjson::Document> ParseApi(const std::string& what, const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  if (d.HasParseError() || !d.IsObject()) return BadData(what + ": response is not JSON");
  if (!d.HasMember("status") || !d["status"].IsString() || std::string(d["status"].GetString()) != "success") {
    return UnavailableError(what + ": " + ApiErrorMessage(body));
  }
  if (!d.HasMember("data")) return BadData(what + ": response has no data");
  return d;
}

StatusOr<std::vector<std::string>> StringArray(const std::string& what, const rapidjson::Value& v) {
  if (!v.IsArray()) return BadData(what + ": data is not an array");
  std::vector<std::string> out;
  out.reserve(v.Size());
  for (const auto& e : v.GetArray()) {
    if (!e.IsString()) return BadData(what + ": data holds a non-string");
    out.emplace_back(e.GetString(), e.GetStringLength());
  }
  return out;
}

}  // namespace

std::string SelectorString(const Matchers& matchers) {
  std::string out = "{";
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0) out += ", ";
    out += matchers[i]->ToString();
  }
  out += "}";
  return out;
}

std::string FormatApiTime(int64_t ms) {
  // Prometheus parses seconds as a float; keep the millisecond exactly. Unsigned magnitude
  // so that INT64_MIN (an open-ended range) formats too.
  uint64_t mag = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s%" PRIu64 ".%03" PRIu64, ms < 0 ? "-" : "", mag / 1000, mag % 1000);
  return buf;
}

PrometheusClient::PrometheusClient(std::string base_url) : base_url_(std::move(base_url)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  GlobalInit();
}

StatusOr<std::string> PrometheusClient::Get(const std::string& path, const QueryParams& params,
                                            std::chrono::milliseconds timeout) const {
  EasyHandle c(curl_easy_init());
  if (!c) return InternalError("curl_easy_init failed");
  std::string url = base_url_ + path;
  for (size_t i = 0; i < params.size(); ++i) {
    url += (i == 0 ? '?' : '&');
    url += Escape(c.get(), params[i].first) + "=" + Escape(c.get(), params[i].second);
  }
  std::string body;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, &AppendToString);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c.get(), CURLOPT_USERAGENT, "meridian-sidecar");
  CURLcode rc = curl_easy_perform(c.get());
  std::string what = "GET " + base_url_ + path;
  if (rc != CURLE_OK) return CurlError(what, rc, errbuf);
  long code = 0;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &code);
  if (code != 200) return HttpStatusError(what, code, body);
  return body;
}

StatusOr<Labels> PrometheusClient::ExternalLabels(std::chrono::milliseconds timeout) const {
  const std::string what = "get Prometheus configuration";
  auto body = Get("/api/v1/status/config", {}, timeout);
  if (!body.ok()) return body.status();
  auto d = ParseApi(what, *body);
  if (!d.ok()) return d.status();
  const auto& data = (*d)["data"];
  if (!data.IsObject() || !data.HasMember("yaml") || !data["yaml"].IsString()) {
    return BadData(what + ": data.yaml missing");
  }
  auto labels = ParseExternalLabels(std::string_view(data["yaml"].GetString(), data["yaml"].GetStringLength()));
  if (!labels.ok()) return labels.status().Wrap(what);
  return labels;
}

StatusOr<std::map<std::string, std::string>> PrometheusClient::Flags(std::chrono::milliseconds timeout) const {
  const std::string what = "get Prometheus flags";
  auto body = Get("/api/v1/status/flags", {}, timeout);
  if (!body.ok()) return body.status();
  auto d = ParseApi(what, *body);
  if (!d.ok()) return d.status();
  const auto& data = (*d)["data"];
  if (!data.IsObject()) return BadData(what + ": data is not an object");
  std::map<std::string, std::string> out;
  for (const auto& m : data.GetObject()) {
    if (m.value.IsString()) out[m.name.GetString()] = m.value.GetString();
  }
  return out;
}

StatusOr<int64_t> PrometheusClient::HeadMinTime(std::chrono::milliseconds timeout) const {
  const std::string what = "get Prometheus TSDB status";
  auto body = Get("/api/v1/status/tsdb", {}, timeout);
  if (!body.ok()) return body.status();
  auto d = ParseApi(what, *body);
  if (!d.ok()) return d.status();
  const auto& data = (*d)["data"];
  if (!data.IsObject() || !data.HasMember("headStats") || !data["headStats"].IsObject()) {
    return BadData(what + ": headStats missing");
  }
  const auto& head = data["headStats"];
  if (!head.HasMember("numSeries") || !head.HasMember("minTime") || !head["minTime"].IsInt64()) {
    return BadData(what + ": headStats.minTime missing");
  }
  if (head["numSeries"].IsUint64() && head["numSeries"].GetUint64() == 0) return std::numeric_limits<int64_t>::max();
  return head["minTime"].GetInt64();
}

StatusOr<std::vector<std::string>> PrometheusClient::LabelNames(const Matchers& matchers, int64_t start_ms,
                                                                int64_t end_ms,
                                                                std::chrono::milliseconds timeout) const {
  const std::string what = "get Prometheus label names";
  QueryParams params{{"start", FormatApiTime(start_ms)}, {"end", FormatApiTime(end_ms)}};
  if (!matchers.empty()) params.emplace_back("match[]", SelectorString(matchers));
  auto body = Get("/api/v1/labels", params, timeout);
  if (!body.ok()) return body.status();
  auto d = ParseApi(what, *body);
  if (!d.ok()) return d.status();
  return StringArray(what, (*d)["data"]);
}

StatusOr<std::vector<std::string>> PrometheusClient::LabelValues(const std::string& name, const Matchers& matchers,
                                                                 int64_t start_ms, int64_t end_ms,
                                                                 std::chrono::milliseconds timeout) const {
  const std::string what = "get Prometheus values of label " + name;
  QueryParams params{{"start", FormatApiTime(start_ms)}, {"end", FormatApiTime(end_ms)}};
  if (!matchers.empty()) params.emplace_back("match[]", SelectorString(matchers));
  EasyHandle c(curl_easy_init());
  if (!c) return InternalError("curl_easy_init failed");
  auto body = Get("/api/v1/label/" + Escape(c.get(), name) + "/values", params, timeout);
  if (!body.ok()) return body.status();
  auto d = ParseApi(what, *body);
  if (!d.ok()) return d.status();
  return StringArray(what, (*d)["data"]);
}

StatusOr<std::vector<Labels>> PrometheusClient::Series(const Matchers& matchers, int64_t start_ms, int64_t end_ms,
                                                       std::chrono::milliseconds timeout) const {
  const std::string what = "get Prometheus series";
  QueryParams params{{"match[]", SelectorString(matchers)},
                     {"start", FormatApiTime(start_ms)},
                     {"end", FormatApiTime(end_ms)}};
  auto body = Get("/api/v1/series", params, timeout);
  if (!body.ok()) return body.status();
  auto d = ParseApi(what, *body);
  if (!d.ok()) return d.status();
  const auto& data = (*d)["data"];
  if (!data.IsArray()) return BadData(what + ": data is not an array");
  std::vector<Labels> out;
  out.reserve(data.Size());
  for (const auto& s : data.GetArray()) {
    if (!s.IsObject()) return BadData(what + ": series is not an object");
    std::vector<Label> ls;
    for (const auto& m : s.GetObject()) {
      if (!m.value.IsString()) return BadData(what + ": label value is not a string");
      ls.push_back({m.name.GetString(), m.value.GetString()});
    }
    out.push_back(Labels::FromUnsorted(std::move(ls)));
  }
  return out;
}

namespace {

struct StreamState {
  CURL* curl = nullptr;
  const std::function<Status(std::string_view)>* on_body = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  long code = 0;
  bool checked = false;
  std::string error_body;  // the body of a non-200 answer, for the message
  std::string content_type;
  Status status;
  uint64_t bytes = 0;
};

size_t StreamWrite(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<StreamState*>(user);
  size_t len = size * n;
  if (st->cancel && st->cancel->load(std::memory_order_relaxed)) {
    st->status = Status(StatusCode::kCanceled, "remote read canceled");
    return 0;
  }
  if (!st->checked) {
    st->checked = true;
    curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &st->code);
    char* ct = nullptr;
    curl_easy_getinfo(st->curl, CURLINFO_CONTENT_TYPE, &ct);
    st->content_type = ct ? ct : "";
  }
  if (st->code != 200) {
    if (st->error_body.size() < 4096) st->error_body.append(data, len);
    return len;
  }
  if (st->content_type.rfind("application/x-streamed-protobuf", 0) != 0) {
    st->status = UnavailableError("remote read: Prometheus answered with " + st->content_type +
                                  " instead of streamed chunks (Prometheus older than 2.13?)");
    return 0;
  }
  st->bytes += len;
  if (Status s = (*st->on_body)(std::string_view(data, len)); !s.ok()) {
    st->status = s;
    return 0;
  }
  return len;
}

int StreamProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* st = static_cast<StreamState*>(user);
  return (st->cancel && st->cancel->load(std::memory_order_relaxed)) ? 1 : 0;
}

}  // namespace

Status PrometheusClient::RemoteRead(const prometheus::ReadRequest& req,
                                    const std::function<Status(std::string_view)>& on_body,
                                    const std::atomic<bool>* cancel, std::chrono::milliseconds timeout,
                                    uint64_t* bytes_read) const {
  std::string raw;
  if (!req.SerializeToString(&raw)) return InternalError("remote read: serialize request");
  std::string compressed;
  snappy::Compress(raw.data(), raw.size(), &compressed);

  EasyHandle c(curl_easy_init());
  if (!c) return InternalError("curl_easy_init failed");
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  curl_slist* h = nullptr;
  h = curl_slist_append(h, "Content-Encoding: snappy");
  h = curl_slist_append(h, "Content-Type: application/x-protobuf");
  h = curl_slist_append(h, "X-Prometheus-Remote-Read-Version: 0.1.0");
  h = curl_slist_append(h, "Expect:");
  headers.reset(h);

  std::string url = base_url_ + "/api/v1/read";
  StreamState st;
  st.curl = c.get();
  st.on_body = &on_body;
  st.cancel = cancel;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, compressed.data());
  curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(compressed.size()));
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, &StreamWrite);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(c.get(), CURLOPT_XFERINFOFUNCTION, &StreamProgress);
  curl_easy_setopt(c.get(), CURLOPT_XFERINFODATA, &st);
  curl_easy_setopt(c.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_USERAGENT, "meridian-sidecar");
  if (timeout.count() > 0) curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  CURLcode rc = curl_easy_perform(c.get());
  if (bytes_read) *bytes_read = st.bytes;
  if (!st.status.ok()) return st.status;
  if (rc == CURLE_ABORTED_BY_CALLBACK) return Status(StatusCode::kCanceled, "remote read canceled");
  if (rc != CURLE_OK) return CurlError("remote read from " + base_url_, rc, errbuf);
  if (!st.checked) curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &st.code);
  if (st.code != 200) return HttpStatusError("remote read from " + base_url_, st.code, st.error_body);
  return Status::Ok();
}

}  // namespace meridian::storeapi::sidecar
