#include "tests/query/prom_api_client.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "tests/support/http_client.h"
#include "tests/support/process.h"

namespace meridian::testing {

namespace {

LabelMap ReadLabels(const rapidjson::Value& obj) {
  LabelMap out;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) out[it->name.GetString()] = it->value.GetString();
  return out;
}

std::pair<int64_t, double> ReadPoint(const rapidjson::Value& p) {
  return {std::llround(p[0].GetDouble() * 1000), std::strtod(p[1].GetString(), nullptr)};
}

void ReadEnvelope(ApiAnswer* a) {
  rapidjson::Document doc;
  doc.Parse(a->body.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("status")) return;
  a->status = doc["status"].GetString();
  if (doc.HasMember("errorType")) a->error_type = doc["errorType"].GetString();
  if (doc.HasMember("error")) a->error = doc["error"].GetString();
  if (doc.HasMember("warnings") && doc["warnings"].IsArray()) {
    for (const auto& w : doc["warnings"].GetArray()) a->warnings.emplace_back(w.GetString());
  }
  if (!doc.HasMember("data") || doc["data"].IsNull()) return;
  const auto& data = doc["data"];
  if (data.IsArray()) {  // /series
    for (const auto& s : data.GetArray()) a->series.push_back({ReadLabels(s), {}});
  } else if (data.IsObject() && data.HasMember("result") && data["result"].IsArray()) {
    if (data.HasMember("resultType") && data["resultType"] == "scalar") {
      // [time, "value"]: one series without labels.
      a->series.push_back({{}, {ReadPoint(data["result"])}});
      return;
    }
    for (const auto& s : data["result"].GetArray()) {
      ResultSeries r;
      r.labels = ReadLabels(s["metric"]);
      if (s.HasMember("value")) r.samples.push_back(ReadPoint(s["value"]));
      if (s.HasMember("values")) {
        for (const auto& p : s["values"].GetArray()) r.samples.push_back(ReadPoint(p));
      }
      a->series.push_back(std::move(r));
    }
  }
  std::sort(a->series.begin(), a->series.end(),
            [](const ResultSeries& x, const ResultSeries& y) { return x.labels < y.labels; });
}

}  // namespace

std::vector<const ResultSeries*> ApiAnswer::With(const LabelMap& subset) const {
  std::vector<const ResultSeries*> out;
  for (const auto& s : series) {
    bool all = true;
    for (const auto& [k, v] : subset) {
      auto it = s.labels.find(k);
      all = all && it != s.labels.end() && it->second == v;
    }
    if (all) out.push_back(&s);
  }
  return out;
}

std::string ApiTime(int64_t ms) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000), static_cast<long long>(ms % 1000));
  return buf;
}

ApiAnswer PromApiClient::Call(const std::string& path, const Params& params, int timeout_ms) const {
  std::string form;
  for (const auto& [k, v] : params) {
    if (!form.empty()) form += "&";
    form += UrlEncode(k) + "=" + UrlEncode(v);
  }
  ApiAnswer a;
  const auto start = std::chrono::steady_clock::now();
  auto r = HttpRequest(base_ + path, form, /*post=*/true, timeout_ms);
  a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!r.ok()) {
    a.error = r.status().message();
    return a;
  }
  a.http_code = r->code;
  a.body = std::move(r->body);
  ReadEnvelope(&a);
  return a;
}

ApiAnswer PromApiClient::Instant(const std::string& expr, int64_t time_ms, Params extra) const {
  extra.insert(extra.begin(), {{"query", expr}, {"time", ApiTime(time_ms)}});
  return Call("/api/v1/query", extra);
}

ApiAnswer PromApiClient::Range(const std::string& expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                               Params extra) const {
  extra.insert(extra.begin(), {{"query", expr},
                               {"start", ApiTime(start_ms)},
                               {"end", ApiTime(end_ms)},
                               {"step", ApiTime(step_ms)}});
  return Call("/api/v1/query_range", extra);
}

ApiAnswer PromApiClient::Series(const std::string& match, int64_t start_ms, int64_t end_ms, Params extra) const {
  extra.insert(extra.begin(), {{"match[]", match}, {"start", ApiTime(start_ms)}, {"end", ApiTime(end_ms)}});
  return Call("/api/v1/series", extra);
}

}  // namespace meridian::testing
