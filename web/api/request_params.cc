#include "web/api/request_params.h"

#include <algorithm>

#include "promql/parser/parse.h"
#include "web/api/params.h"

namespace meridian::web {

std::optional<ApiError> ParseLimitParam(const Request& r, int64_t* out) {
  auto limit = ParseLimit(r.form.Value("limit"));
  if (!limit.ok()) return InvalidParamError("limit", limit.status().message());
  *out = *limit;
  return std::nullopt;
}

std::optional<ApiError> ParseRequiredTimeParam(const Request& r, std::string_view name, int64_t* out) {
  auto t = ParseTimeMs(r.form.Value(name));
  if (!t.ok()) return InvalidParamError(name, t.status().message());
  *out = *t;
  return std::nullopt;
}

std::optional<ApiError> ParseTimeParam(const Request& r, std::string_view name, int64_t def, int64_t* out) {
  std::string v = r.form.Value(name);
  if (v.empty()) {
    *out = def;
    return std::nullopt;
  }
  auto t = ParseTimeMs(v);
  if (!t.ok()) {
    return InvalidParamError(name, "invalid time value for '" + std::string(name) + "': " + t.status().message());
  }
  *out = *t;
  return std::nullopt;
}

std::optional<ApiError> ParseDurationParam(const Request& r, std::string_view name, int64_t* out_ns) {
  auto d = ParseDurationNs(r.form.Value(name));
  if (!d.ok()) return InvalidParamError(name, d.status().message());
  *out_ns = *d;
  return std::nullopt;
}

std::optional<std::string> ParseMatcherSets(const std::vector<std::string>& raw, std::vector<Matchers>* out) {
  // As upstream, all selectors are parsed before any is checked, so a syntax error in a later
  // one wins over an all-empty earlier one.
  std::vector<Matchers> sets;
  for (const auto& s : raw) {
    std::string err;
    Matchers ms = promql::ParseMetricSelector(s, &err);
    if (!err.empty()) return err;
    sets.push_back(std::move(ms));
  }
  for (auto& ms : sets) {
    bool non_empty = std::any_of(ms.begin(), ms.end(), [](const MatcherPtr& m) { return !m->MatchesEmpty(); });
    if (!non_empty) return std::string("match[] must contain at least one non-empty matcher");
    out->push_back(std::move(ms));
  }
  return std::nullopt;
}

std::optional<ApiError> ParseMetadataParams(const Request& r, MatchErrorForm match_errors, MetadataParams* out) {
  if (auto e = ParseLimitParam(r, &out->limit)) return e;
  if (auto e = ParseTimeParam(r, "start", kMinTimeMs, &out->start_ms)) return e;
  if (auto e = ParseTimeParam(r, "end", kMaxTimeMs, &out->end_ms)) return e;
  if (auto msg = ParseMatcherSets(r.form.Values("match[]"), &out->matcher_sets)) {
    return match_errors == MatchErrorForm::kInvalidParam ? InvalidParamError("match[]", *msg) : BadDataError(*msg);
  }
  return std::nullopt;
}

}  // namespace meridian::web
