#include "web/api/api.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <limits>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "promql/engine/engine.h"
#include "promql/parser/printer.h"
#include "promql/parser/value_type.h"
#include "web/api/ast_json.h"
#include "web/api/json_writer.h"
#include "web/api/params.h"
#include "web/api/request_params.h"
#include "web/api/result_json.h"

namespace meridian::web {

// What a handler produced: an error, or the `data` JSON with its warnings and infos.
struct Api::Outcome {
  std::optional<ApiError> error;
  std::string data_json;
  std::vector<std::string> warnings;
  std::vector<std::string> infos;

  static Outcome Error(ApiError e) {
    Outcome o;
    o.error = std::move(e);
    return o;
  }
  static Outcome Data(std::string json, std::vector<std::string> warnings = {}) {
    Outcome o;
    o.data_json = std::move(json);
    o.warnings = std::move(warnings);
    return o;
  }
};

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kTruncated = "results truncated due to limit";

void SetCors(const Request& r, Response* resp) {
  if (r.Header("Origin").empty()) return;
  resp->headers.emplace_back("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type, Origin");
  resp->headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  resp->headers.emplace_back("Access-Control-Expose-Headers", "Date");
  resp->headers.emplace_back("Vary", "Origin");
  resp->headers.emplace_back("Access-Control-Allow-Origin", "*");
}

void WriteStringArray(const std::vector<std::string>& v, JsonWriter* w) {
  w->StartArray();
  for (const auto& s : v) w->String(s);
  w->EndArray();
}

// Go's time.Time JSON form in UTC: RFC 3339 with the fraction's trailing zeros dropped.
std::string FormatRfc3339Nano(std::chrono::system_clock::time_point tp) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(tp.time_since_epoch()).count();
  int64_t secs = ns / 1000000000;
  int64_t frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, ".%09lld", static_cast<long long>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  out += "Z";
  return out;
}

// Errors from reading series or label metadata: Prometheus reports them as execution errors
// unless they are cancellations or timeouts.
ApiError StorageApiError(const Status& s) {
  if (s.code() == StatusCode::kCanceled) return {ErrorType::kCanceled, s.message()};
  if (s.code() == StatusCode::kTimeout) return {ErrorType::kTimeout, s.message()};
  return {ErrorType::kExecution, s.message()};
}

void AppendUnique(std::vector<std::string>* dst, const std::vector<std::string>& src) {
  for (const auto& s : src) {
    if (std::find(dst->begin(), dst->end(), s) == dst->end()) dst->push_back(s);
  }
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Threads of this process (the closest counterpart of Go's goroutine count).
int ThreadCount() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return 0;
}

}  // namespace

Api::Api(std::shared_ptr<QueryBackend> backend, ApiOptions opts)
    : backend_(std::move(backend)),
      opts_(std::move(opts)),
      gate_(opts_.max_concurrent_queries, opts_.max_queued_queries),
      start_time_(std::chrono::system_clock::now()) {
  if (!opts_.now_ms) {
    opts_.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

Api::~Api() = default;

void Api::Register(HttpServer* server) {
  auto wrap = [this](Outcome (Api::*fn)(const Request&)) {
    return [this, fn](const Request& r, Response* resp) {
      Outcome o;
      try {
        o = (this->*fn)(r);
      } catch (const std::exception& e) {
        o = Outcome::Error({ErrorType::kInternal, e.what()});
      }
      SetCors(r, resp);
      resp->content_type = "application/json";
      JsonWriter w;
      w.StartObject();
      if (o.error) {
        w.Key("status");
        w.String("error");
        w.Key("errorType");
        w.String(ErrorTypeName(o.error->type));
        w.Key("error");
        w.String(o.error->message);
        resp->status = HttpStatusFor(o.error->type);
      } else {
        w.Key("status");
        w.String("success");
        w.Key("data");
        w.RawJson(o.data_json);
        if (!o.warnings.empty()) {
          w.Key("warnings");
          WriteStringArray(o.warnings, &w);
        }
        if (!o.infos.empty()) {
          w.Key("infos");
          WriteStringArray(o.infos, &w);
        }
        resp->status = 200;
      }
      w.EndObject();
      resp->body = w.Take();
    };
  };
  server->HandleGetPost("/api/v1/query", wrap(&Api::Query));
  server->HandleGetPost("/api/v1/query_range", wrap(&Api::QueryRange));
  server->HandleGetPost("/api/v1/series", wrap(&Api::Series));
  server->HandleGetPost("/api/v1/labels", wrap(&Api::LabelNames));
  server->Handle("GET", "/api/v1/label/([^/]+)/values", wrap(&Api::LabelValues));
  server->Handle("GET", "/api/v1/metadata", wrap(&Api::Metadata));
  server->HandleGetPost("/api/v1/query_exemplars", wrap(&Api::QueryExemplars));
  server->Handle("GET", "/api/v1/status/buildinfo", wrap(&Api::BuildInfoHandler));
  server->Handle("GET", "/api/v1/status/flags", wrap(&Api::Flags));
  server->Handle("GET", "/api/v1/status/runtimeinfo", wrap(&Api::RuntimeInfo));
  server->HandleGetPost("/api/v1/format_query", wrap(&Api::FormatQuery));
  server->HandleGetPost("/api/v1/parse_query", wrap(&Api::ParseQuery));
  server->Handle("GET", "/api/v1/stores", wrap(&Api::Stores));
  // Browsers preflight cross-origin POSTs; Prometheus answers every API path with 204.
  server->Handle("OPTIONS", "/api/v1/.*", [](const Request& r, Response* resp) {
    SetCors(r, resp);
    resp->status = 204;
    resp->content_type = "text/plain";
  });
  server->Handle("GET", "/-/healthy", [](const Request&, Response* resp) {
    resp->content_type = "text/plain; charset=utf-8";
    resp->body = "OK";
  });
  server->Handle("GET", "/-/ready", [this](const Request&, Response* resp) {
    resp->content_type = "text/plain; charset=utf-8";
    if (backend_->Ready()) {
      resp->body = "OK";
    } else {
      resp->status = 503;
      resp->body = "Service Unavailable";
    }
  });
}

std::optional<ApiError> Api::ParseReadOptions(const Request& r, int64_t default_resolution_ms,
                                              QueryRequestOptions* out) const {
  if (std::string v = r.form.Value("dedup"); !v.empty()) {
    auto b = ParseGoBool(v);
    if (!b.ok()) return BadDataError("'dedup' parameter: " + b.status().message());
    out->dedup = *b;
  }
  out->replica_labels = r.form.Values("replicaLabels[]");
  for (const auto& s : r.form.Values("storeMatch[]")) {
    std::string err;
    Matchers ms = promql::ParseMetricSelector(s, &err);
    if (!err.empty()) return BadDataError(err);
    out->store_matchers.push_back(std::move(ms));
  }
  out->partial_response = opts_.default_partial_response;
  if (std::string v = r.form.Value("partial_response"); !v.empty()) {
    auto b = ParseGoBool(v);
    if (!b.ok()) return BadDataError("'partial_response' parameter: " + b.status().message());
    out->partial_response = *b;
  }
  // Thanos's parseDownsamplingParamMillis.
  std::string res = r.form.Value("max_source_resolution");
  int64_t res_ns = 0;
  if (opts_.auto_downsampling || res == "auto") res_ns = default_resolution_ms * 1000000;
  if (!res.empty() && res != "auto") {
    auto d = ParseDurationNs(res);
    if (!d.ok()) return BadDataError("'max_source_resolution' parameter: " + d.status().message());
    res_ns = *d;
  }
  if (res_ns < 0) {
    return BadDataError("negative 'max_source_resolution' is not accepted. Try a positive integer");
  }
  out->max_source_resolution_ms = res_ns / 1000000;
  out->auto_resolution = res == "auto" || (res.empty() && opts_.auto_downsampling);
  if (std::string v = r.form.Value("engine"); !v.empty() && v != "prometheus" && v != "thanos") {
    return BadDataError("'" + v + "' bad engine");
  }
  if (std::string v = r.form.Value("lookback_delta"); !v.empty()) {
    auto d = ParseDurationNs(v);
    if (!d.ok()) return BadDataError("'lookback_delta' parameter: " + d.status().message());
    // As Thanos: only a positive value overrides the engine's default.
    if (*d / 1000000 > 0) out->lookback_delta_ms = *d / 1000000;
  }
  return std::nullopt;
}

Api::Outcome Api::Query(const Request& r) {
  int64_t limit, ts;
  if (auto e = ParseLimitParam(r, &limit)) return Outcome::Error(*e);
  if (auto e = ParseTimeParam(r, "time", opts_.now_ms(), &ts)) return Outcome::Error(*e);
  QueryRequestOptions ropts;
  if (auto e = ParseReadOptions(r, opts_.default_instant_max_source_resolution_ms, &ropts)) {
    return Outcome::Error(*e);
  }
  return Evaluate(r, false, ts, ts, 0, limit, std::move(ropts));
}

Api::Outcome Api::QueryRange(const Request& r) {
  int64_t limit, start, end, step;
  if (auto e = ParseLimitParam(r, &limit)) return Outcome::Error(*e);
  if (auto e = ParseRequiredTimeParam(r, "start", &start)) return Outcome::Error(*e);
  if (auto e = ParseRequiredTimeParam(r, "end", &end)) return Outcome::Error(*e);
  if (end < start) {
    return Outcome::Error(InvalidParamError("end", "end timestamp must not be before start time"));
  }
  if (auto e = ParseDurationParam(r, "step", &step)) return Outcome::Error(*e);
  // Sub-millisecond steps pass upstream's check but evaluate at a zero interval; refuse them
  // with the same message rather than loop.
  if (step <= 0 || step / 1000000 == 0) {
    return Outcome::Error(InvalidParamError(
        "step", "zero or negative query resolution step widths are not accepted. Try a positive integer"));
  }
  // end.Sub(start)/step > 11000 with Go's integer division of nanosecond durations.
  long double span_ns = (static_cast<long double>(end) - static_cast<long double>(start)) * 1e6L;
  if (span_ns >= 11001.0L * static_cast<long double>(step)) {
    return Outcome::Error(BadDataError(
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
        "resolution (?step=XX)"));
  }
  QueryRequestOptions ropts;
  // Without max_source_resolution Thanos fits at least five samples into a step.
  int64_t step_ms = step / 1000000;
  if (auto e = ParseReadOptions(r, step_ms / 5, &ropts)) return Outcome::Error(*e);
  return Evaluate(r, true, start, end, step_ms, limit, std::move(ropts));
}

Api::Outcome Api::Evaluate(const Request& r, bool range, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                           int64_t limit, QueryRequestOptions ropts) {
  const auto t_begin = Clock::now();
  // The effective timeout: the request's `timeout`, capped by --query.timeout.
  std::chrono::milliseconds timeout = opts_.query_timeout;
  if (!r.form.Value("timeout").empty()) {
    int64_t d;
    if (auto e = ParseDurationParam(r, "timeout", &d)) return Outcome::Error(*e);
    // A zero or negative timeout has expired before the query could be queued, as a Go
    // context deadline in the past would have.
    if (d / 1000000 <= 0) return Outcome::Error({ErrorType::kTimeout, "query timed out in query queue"});
    auto req = std::chrono::milliseconds(d / 1000000);
    if (timeout.count() == 0 || req < timeout) timeout = req;
  }
  ropts.timeout = timeout;

  std::string query = r.form.Value("query");
  // Prometheus 3.x reports everything NewInstantQuery/NewRangeQuery refuse as a bad `query`
  // parameter (2.x did so only for instant queries).
  promql::ParseResult parsed = promql::ParseExpr(query, opts_.parse);
  if (!parsed.ok()) return Outcome::Error(InvalidParamError("query", parsed.ErrorString()));
  if (const promql::ValueType t = parsed.expr->type();
      range && t != promql::ValueType::kVector && t != promql::ValueType::kScalar) {
    return Outcome::Error(InvalidParamError(
        "query", "invalid expression type \"" + std::string(promql::DocumentedType(t)) +
                     "\" for range query, must be Scalar or instant Vector"));
  }
  const auto t_parsed = Clock::now();

  const bool has_deadline = timeout.count() > 0;
  const auto deadline = has_deadline ? t_begin + timeout : Clock::time_point::max();
  switch (gate_.Acquire(deadline)) {
    case QueryGate::Result::kAdmitted: break;
    case QueryGate::Result::kTimedOut:
      return Outcome::Error({ErrorType::kTimeout, "query timed out in query queue"});
    case QueryGate::Result::kQueueFull:
      return Outcome::Error({ErrorType::kUnavailable, "too many queries waiting in the query queue"});
  }
  GateSlot slot(&gate_);
  const auto t_admitted = Clock::now();

  auto cancel = std::make_shared<std::atomic<bool>>(false);
  std::optional<ArmedDeadline> armed;
  if (has_deadline) armed.emplace(&deadlines_, deadlines_.Arm(deadline, cancel));

  std::shared_ptr<storage::Queryable> queryable = backend_->Queryable(ropts);
  if (!queryable) return Outcome::Error({ErrorType::kInternal, "no queryable available for the request"});

  promql::engine::EngineOpts eopts = opts_.engine;
  // Our deadline already bounds the query; the engine's own timer would only race it.
  eopts.timeout_ms = 0;
  promql::engine::Engine engine(eopts);
  promql::engine::QueryOptions qopts;
  qopts.cancel = cancel;
  qopts.deadline = deadline;
  qopts.lookback_delta_ms = ropts.lookback_delta_ms;
  qopts.query_text = query;
  qopts.downsampling.max_resolution_ms = ropts.max_source_resolution_ms;
  qopts.downsampling.automatic = ropts.auto_resolution;
  auto result = range ? engine.RangeQuery(queryable.get(), *parsed.expr, start_ms, end_ms, step_ms, qopts)
                      : engine.InstantQuery(queryable.get(), *parsed.expr, start_ms, qopts);
  const auto t_done = Clock::now();
  if (!result.ok()) {
    const Status& s = result.status();
    // Only our deadline sets the flag, so a cancellation is a timeout from the client's view.
    if (s.code() == StatusCode::kCanceled && cancel->load()) {
      return Outcome::Error({ErrorType::kTimeout, "query timed out in query execution"});
    }
    return Outcome::Error(ApiErrorFromStatus(s));
  }
  const promql::engine::QueryResult& res = *result;

  JsonWriter w;
  w.StartObject();
  bool truncated = false;
  WriteQueryResult(res, limit, &w, &truncated);
  if (!r.form.Value("stats").empty()) {
    w.Key("stats");
    w.StartObject();
    w.Key("timings");
    w.StartObject();
    w.Key("evalTotalTime");
    w.GoFloat(Seconds(t_done - t_admitted));
    w.Key("resultSortTime");
    w.GoFloat(0);
    w.Key("queryPreparationTime");
    w.GoFloat(Seconds(t_parsed - t_begin));
    w.Key("innerEvalTime");
    w.GoFloat(Seconds(t_done - t_admitted));
    w.Key("execQueueTime");
    w.GoFloat(Seconds(t_admitted - t_parsed));
    w.Key("execTotalTime");
    w.GoFloat(Seconds(t_done - t_begin));
    w.EndObject();
    w.Key("samples");
    w.StartObject();
    w.Key("totalQueryableSamples");
    w.Int64(res.samples_processed);
    w.Key("peakSamples");
    w.Int64(res.peak_samples);
    w.EndObject();
    // Meridian's addition: what the query was allowed to read and what it did read.
    w.Key("downsampling");
    w.StartObject();
    w.Key("maxSourceResolution");
    w.String(ropts.auto_resolution ? "auto" : promql::engine::ResolutionName(ropts.max_source_resolution_ms));
    w.Key("resolutionsRead");
    w.StartArray();
    for (int64_t r : res.resolutions_read) w.String(promql::engine::ResolutionName(r));
    w.EndArray();
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();
  Outcome o = Outcome::Data(w.Take(), res.warnings);
  o.infos = res.infos;
  if (truncated) o.warnings.emplace_back(kTruncated);
  return o;
}

Api::Outcome Api::Series(const Request& r) {
  if (r.form.Values("match[]").empty()) return Outcome::Error(BadDataError("no match[] parameter provided"));
  MetadataParams p;
  if (auto e = ParseMetadataParams(r, MatchErrorForm::kInvalidParam, &p)) return Outcome::Error(*e);
  QueryRequestOptions ropts;
  if (auto e = ParseReadOptions(r, 0, &ropts)) return Outcome::Error(*e);
  // Labels exist at every resolution alike; as Thanos, any downsampled block may answer.
  ropts.max_source_resolution_ms = std::numeric_limits<int64_t>::max();
  MetadataReader reader;
  if (auto e = OpenMetadataReader(ropts, p, &reader)) return Outcome::Error(*e);

  storage::SelectHints hints;
  hints.start_ms = p.start_ms;
  hints.end_ms = p.end_ms;
  // No such function: the token tells stores that only labels are needed.
  hints.func = "series";
  hints.labels_only = true;
  hints.max_resolution_ms = ropts.max_source_resolution_ms;

  const std::vector<Matchers>& sets = p.matcher_sets;
  std::vector<Labels> series;
  std::vector<std::string> warnings;
  const size_t cap = p.limit > 0 ? static_cast<size_t>(p.limit) : 0;
  for (const auto& ms : sets) {
    auto set = reader.querier->Select(true, hints, ms);
    while (set->Next()) {
      series.push_back(set->At().labels);
      // With one selector the stream is already sorted and unique: stop once past the limit.
      if (sets.size() == 1 && cap > 0 && series.size() > cap) break;
    }
    AppendUnique(&warnings, set->Warnings());
    if (!set->status().ok()) return Outcome::Error(StorageApiError(set->status()));
  }
  if (sets.size() > 1) {
    std::sort(series.begin(), series.end());
    series.erase(std::unique(series.begin(), series.end()), series.end());
  }
  if (cap > 0 && series.size() > cap) {
    series.resize(cap);
    warnings.emplace_back(kTruncated);
  }
  JsonWriter w;
  w.StartArray();
  for (const auto& l : series) w.LabelsObject(l);
  w.EndArray();
  return Outcome::Data(w.Take(), std::move(warnings));
}

Api::Outcome Api::LabelNames(const Request& r) {
  return LabelStrings(r, [](storage::Querier& q, const Matchers& ms) { return q.LabelNames(ms); });
}

Api::Outcome Api::LabelValues(const Request& r) {
  auto name = ParseLabelNameParam(r.path_params.empty() ? "" : r.path_params[0]);
  if (!name.ok()) return Outcome::Error(BadDataError(name.status().message()));
  return LabelStrings(r, [&](storage::Querier& q, const Matchers& ms) { return q.LabelValues(*name, ms); });
}

std::optional<ApiError> Api::OpenMetadataReader(const QueryRequestOptions& ropts, const MetadataParams& p,
                                                MetadataReader* out) const {
  out->queryable = backend_->Queryable(ropts);
  if (!out->queryable) return ApiError{ErrorType::kInternal, "no queryable available for the request"};
  out->querier = out->queryable->NewQuerier(p.start_ms, p.end_ms);
  return std::nullopt;
}

Api::Outcome Api::LabelStrings(const Request& r, const LabelFetch& fetch) {
  MetadataParams p;
  if (auto e = ParseMetadataParams(r, MatchErrorForm::kBadData, &p)) return Outcome::Error(*e);
  QueryRequestOptions ropts;
  if (auto e = ParseReadOptions(r, 0, &ropts)) return Outcome::Error(*e);
  MetadataReader reader;
  if (auto e = OpenMetadataReader(ropts, p, &reader)) return Outcome::Error(*e);
  // Without match[] the names or values of all series: one empty matcher set.
  if (p.matcher_sets.empty()) p.matcher_sets.emplace_back();
  std::set<std::string> found;
  for (const auto& ms : p.matcher_sets) {
    auto got = fetch(*reader.querier, ms);
    if (!got.ok()) return Outcome::Error(StorageApiError(got.status()));
    found.insert(got->begin(), got->end());
  }
  std::vector<std::string> out(found.begin(), found.end());
  std::vector<std::string> warnings;
  if (p.limit > 0 && out.size() > static_cast<size_t>(p.limit)) {
    out.resize(static_cast<size_t>(p.limit));
    warnings.emplace_back(kTruncated);
  }
  JsonWriter w;
  WriteStringArray(out, &w);
  return Outcome::Data(w.Take(), std::move(warnings));
}

Api::Outcome Api::Metadata(const Request&) {
  // No store reports metric metadata yet: an empty map, which clients read as "no help text".
  return Outcome::Data("{}");
}

Api::Outcome Api::QueryExemplars(const Request& r) {
  int64_t start, end;
  if (auto e = ParseTimeParam(r, "start", kMinTimeMs, &start)) return Outcome::Error(*e);
  if (auto e = ParseTimeParam(r, "end", kMaxTimeMs, &end)) return Outcome::Error(*e);
  if (end < start) return Outcome::Error(BadDataError("end timestamp must not be before start timestamp"));
  promql::ParseResult parsed = promql::ParseExpr(r.form.Value("query"), opts_.parse);
  if (!parsed.ok()) return Outcome::Error(BadDataError(parsed.ErrorString()));
  // Exemplars are not stored by any of our sources; the answer is an empty list.
  return Outcome::Data("[]");
}

Api::Outcome Api::BuildInfoHandler(const Request&) {
  const BuildInfo& b = opts_.build_info;
  JsonWriter w;
  w.StartObject();
  w.Key("version");
  w.String(b.version);
  w.Key("revision");
  w.String(b.revision);
  w.Key("branch");
  w.String(b.branch);
  w.Key("buildUser");
  w.String(b.build_user);
  w.Key("buildDate");
  w.String(b.build_date);
  w.Key("goVersion");
  w.String(b.go_version);
  w.EndObject();
  return Outcome::Data(w.Take());
}

Api::Outcome Api::Flags(const Request&) {
  JsonWriter w;
  w.StartObject();
  for (const auto& [k, v] : opts_.flags) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
  return Outcome::Data(w.Take());
}

Api::Outcome Api::RuntimeInfo(const Request&) {
  char cwd[4096];
  std::string dir = getcwd(cwd, sizeof cwd) ? cwd : "<error retrieving current working directory>";
  JsonWriter w;
  w.StartObject();
  w.Key("startTime");
  w.String(FormatRfc3339Nano(start_time_));
  w.Key("CWD");
  w.String(dir);
  w.Key("goroutineCount");
  w.Int64(ThreadCount());
  w.Key("GOMAXPROCS");
  w.Int64(static_cast<int64_t>(std::thread::hardware_concurrency()));
  w.Key("GOGC");
  w.String("");
  w.Key("GODEBUG");
  w.String("");
  w.EndObject();
  return Outcome::Data(w.Take());
}

Api::Outcome Api::FormatQuery(const Request& r) {
  promql::ParseResult parsed = promql::ParseExpr(r.form.Value("query"), opts_.parse);
  if (!parsed.ok()) return Outcome::Error(InvalidParamError("query", parsed.ErrorString()));
  JsonWriter w;
  w.String(promql::ToString(*parsed.expr));
  return Outcome::Data(w.Take());
}

Api::Outcome Api::ParseQuery(const Request& r) {
  promql::ParseResult parsed = promql::ParseExpr(r.form.Value("query"), opts_.parse);
  if (!parsed.ok()) return Outcome::Error(InvalidParamError("query", parsed.ErrorString()));
  JsonWriter w;
  WriteAstJson(*parsed.expr, &w);
  return Outcome::Data(w.Take());
}

Api::Outcome Api::Stores(const Request&) {
  std::map<std::string, std::vector<StoreStatus>> by_type;
  for (auto& s : backend_->Stores()) {
    // As Thanos: an endpoint whose component type is unknown is not listed.
    if (s.component_type.empty()) continue;
    by_type[s.component_type].push_back(std::move(s));
  }
  JsonWriter w;
  w.StartObject();
  for (const auto& [type, list] : by_type) {
    w.Key(type);
    w.StartArray();
    for (const auto& s : list) {
      w.StartObject();
      w.Key("name");
      w.String(s.name);
      w.Key("lastCheck");
      w.String(FormatRfc3339Nano(s.last_check));
      w.Key("lastError");
      if (s.last_error.empty()) {
        w.Null();
      } else {
        w.String(s.last_error);
      }
      w.Key("labelSets");
      w.StartArray();
      for (const auto& l : s.label_sets) w.LabelsObject(l);
      w.EndArray();
      w.Key("minTime");
      w.Int64(s.min_time);
      w.Key("maxTime");
      w.Int64(s.max_time);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return Outcome::Data(w.Take());
}

}  // namespace meridian::web
