#include "web/api/result_json.h"

namespace meridian::web {

void WriteQueryResult(const promql::engine::QueryResult& res, int64_t limit, JsonWriter* w, bool* truncated) {
  namespace eng = promql::engine;
  *truncated = false;
  if (const auto* vec = std::get_if<eng::Vector>(&res.value)) {
    w->Key("resultType");
    w->String("vector");
    w->Key("result");
    w->StartArray();
    size_t n = vec->size();
    if (limit > 0 && n > static_cast<size_t>(limit)) {
      n = static_cast<size_t>(limit);
      *truncated = true;
    }
    for (size_t i = 0; i < n; ++i) {
      const auto& s = (*vec)[i];
      w->StartObject();
      w->Key("metric");
      w->LabelsObject(s.labels);
      w->Key("value");
      w->StartArray();
      w->Timestamp(s.t);
      w->SampleValue(s.v);
      w->EndArray();
      w->EndObject();
    }
    w->EndArray();
  } else if (const auto* mat = std::get_if<eng::Matrix>(&res.value)) {
    w->Key("resultType");
    w->String("matrix");
    w->Key("result");
    w->StartArray();
    size_t n = mat->size();
    if (limit > 0 && n > static_cast<size_t>(limit)) {
      n = static_cast<size_t>(limit);
      *truncated = true;
    }
    for (size_t i = 0; i < n; ++i) {
      const auto& s = (*mat)[i];
      w->StartObject();
      w->Key("metric");
      w->LabelsObject(s.labels);
      w->Key("values");
      w->StartArray();
      for (const auto& p : s.points) {
        w->StartArray();
        w->Timestamp(p.t);
        w->SampleValue(p.v);
        w->EndArray();
      }
      w->EndArray();
      w->EndObject();
    }
    w->EndArray();
  } else if (const auto* sc = std::get_if<eng::Scalar>(&res.value)) {
    w->Key("resultType");
    w->String("scalar");
    w->Key("result");
    // promql.Scalar and promql.String marshal themselves with encoding/json: the time is a
    // plain float64 of seconds ("1435781451.05"), unlike the fixed three decimals of samples.
    w->StartArray();
    w->GoFloat(static_cast<double>(sc->t) / 1000.0);
    w->ScalarValue(sc->v);
    w->EndArray();
  } else if (const auto* str = std::get_if<eng::String>(&res.value)) {
    w->Key("resultType");
    w->String("string");
    w->Key("result");
    w->StartArray();
    w->GoFloat(static_cast<double>(str->t) / 1000.0);
    w->String(str->v);
    w->EndArray();
  }
}

}  // namespace meridian::web
