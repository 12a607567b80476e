#include "promql/promqltest/runner.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <unordered_map>

#include <re2/re2.h>

#include "model/strings.h"
#include "model/value.h"
#include "promql/engine/engine.h"
#include "promql/engine/functions/histogram_quantile.h"
#include "promql/engine/series_loader.h"
#include "promql/parser/duration_eval.h"
#include "promql/parser/parse.h"
#include "promql/promqltest/script.h"
#include "storage/memory_storage.h"

namespace meridian::promqltest {

namespace eng = ::meridian::promql::engine;

namespace {

// Upstream's test.go compares floats with this relative tolerance.
constexpr double kEpsilon = 1e-6;

enum class Verdict { kPass, kFail, kSkip };

struct Outcome {
  Verdict verdict = Verdict::kPass;
  std::string message;
};

Outcome Fail(std::string m) { return {Verdict::kFail, std::move(m)}; }

std::string BaseName(const std::string& path) {
  size_t p = path.find_last_of('/');
  return p == std::string::npos ? path : path.substr(p + 1);
}

// Group 3 files (SOURCE.md) are newer features; their native-histogram reads are not group 2.
bool IsGroup3(const std::string& base) {
  static const std::set<std::string> g3 = {"duration_expression.test", "extended_vectors.test",
                                           "fill-modifier.test",       "info.test",
                                           "start_timestamps.test",    "type_and_unit.test"};
  return g3.count(base) > 0;
}

bool FloatsMatch(double expected, double got) {
  if (IsStaleNaN(expected) || IsStaleNaN(got)) return IsStaleNaN(expected) == IsStaleNaN(got);
  return promql::functions::AlmostEqual(expected, got, kEpsilon);
}

std::string Fmt(double v) { return FormatFloatJSON(v); }

eng::EngineOpts CorpusEngineOpts() {
  eng::EngineOpts o;
  o.lookback_delta_ms = 5 * 60 * 1000;
  o.max_samples = 50'000'000;
  o.timeout_ms = 100'000;
  o.enable_delayed_name_removal = true;
  o.enable_at_modifier = true;
  o.enable_negative_offset = true;
  return o;
}

bool EndsWith(std::string_view s, std::string_view suf) {
  return s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf;
}

// load_with_nhcb also stores each classic histogram (x_bucket{le=..}, x_count, x_sum) as a
// native histogram with custom buckets named x, as upstream's loader does.
Status LoadNhcb(const LoadCommand& load, storage::MemoryStorage* st) {
  struct Group {
    Labels labels;  // the NHCB series
    std::vector<std::pair<double, const LoadSeries*>> buckets;
    const LoadSeries* count = nullptr;
    const LoadSeries* sum = nullptr;
  };
  std::map<std::string, Group> groups;
  for (const LoadSeries& s : load.series) {
    std::string name(s.labels.MetricName());
    std::string base;
    enum { kBucket, kCount, kSum } kind;
    if (EndsWith(name, "_bucket") && s.labels.Has("le")) {
      base = name.substr(0, name.size() - 7);
      kind = kBucket;
    } else if (EndsWith(name, "_count")) {
      base = name.substr(0, name.size() - 6);
      kind = kCount;
    } else if (EndsWith(name, "_sum")) {
      base = name.substr(0, name.size() - 4);
      kind = kSum;
    } else {
      continue;
    }
    Labels l = LabelsBuilder(s.labels).Del("le").Set(kMetricName, base).Build();
    Group& g = groups[l.ToString()];
    g.labels = l;
    if (kind == kBucket) {
      auto ub = promql::functions::ParseLeLabel(s.labels.Get("le"));
      if (ub) g.buckets.emplace_back(*ub, &s);
    } else if (kind == kCount) {
      g.count = &s;
    } else {
      g.sum = &s;
    }
  }
  for (auto& [key, g] : groups) {
    if (g.buckets.empty()) continue;
    std::sort(g.buckets.begin(), g.buckets.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t n = 0;
    for (auto& b : g.buckets) n = std::max(n, b.second->values.size());
    for (size_t i = 0; i < n; ++i) {
      FloatHistogram h;
      h.schema = FloatHistogram::kCustomBucketsSchema;
      double prev = 0;
      bool any = false;
      for (auto& [ub, s] : g.buckets) {
        if (i >= s->values.size() || s->values[i].omitted) continue;
        any = true;
        double c = s->values[i].value;
        if (!std::isinf(ub)) h.custom_values.push_back(ub);
        h.positive_buckets.push_back(c - prev);
        prev = c;
      }
      if (!any) continue;
      h.count = prev;
      if (g.count && i < g.count->values.size() && !g.count->values[i].omitted) {
        h.count = g.count->values[i].value;
      }
      if (g.sum && i < g.sum->values.size() && !g.sum->values[i].omitted) {
        h.sum = g.sum->values[i].value;
      }
      Status status = st->AppendHistogram(g.labels, static_cast<int64_t>(i) * load.interval_ms, h);
      if (!status.ok()) return status;
    }
  }
  return Status::Ok();
}

Status Load(const LoadCommand& load, storage::MemoryStorage* st) {
  if (load.with_nhcb) {
    Status s = LoadNhcb(load, st);
    if (!s.ok()) return s;
  }
  for (const LoadSeries& s : load.series) {
    for (size_t i = 0; i < s.values.size(); ++i) {
      const SequenceValue& v = s.values[i];
      if (v.omitted) continue;
      const int64_t t = static_cast<int64_t>(i) * load.interval_ms;
      Status status = v.is_histogram() ? st->AppendHistogram(s.labels, t, *v.histogram)
                                       : st->Append(s.labels, t, v.value);
      if (!status.ok()) return status.Wrap("line " + std::to_string(s.line));
    }
  }
  return Status::Ok();
}

bool MessageMatches(const ExpectLine& e, const std::string& msg) {
  switch (e.match) {
    case ExpectLine::Match::kAny: return true;
    case ExpectLine::Match::kMessage: return msg == e.text;
    case ExpectLine::Match::kRegex: return RE2::PartialMatch(msg, e.text);
  }
  return false;
}

// Checks warn/info expectations against the annotations of a successful query.
std::string CheckAnnotations(const EvalCommand& ev, const eng::QueryResult& r) {
  auto check = [&](ExpectKind want, ExpectKind none, bool legacy, bool strict,
                   const std::vector<std::string>& got, const char* what) -> std::string {
    auto wants = ev.ExpectsOf(want);
    if (!ev.ExpectsOf(none).empty() && !got.empty()) {
      return std::string("unexpected ") + what + ": " + got[0];
    }
    if (wants.empty() && !legacy) {
      // Upstream fails on unexpected warnings but tolerates unexpected infos.
      if (strict && !got.empty()) return std::string("unexpected ") + what + ": " + got[0];
      return "";
    }
    if (got.empty()) return std::string("expected ") + what + ", got none";
    for (const ExpectLine* e : wants) {
      bool any = false;
      for (const auto& g : got) any = any || MessageMatches(*e, g);
      if (!any) return std::string("expected ") + what + " matching \"" + e->text + "\", got " + got[0];
    }
    return "";
  };
  std::string m = check(ExpectKind::kWarn, ExpectKind::kNoWarn, ev.warn, true, r.warnings, "warnings");
  if (!m.empty()) return m;
  return check(ExpectKind::kInfo, ExpectKind::kNoInfo, ev.info, false, r.infos, "info annotations");
}

std::string CompareVector(const EvalCommand& ev, const eng::Vector& got, bool ordered) {
  if (got.size() != ev.expected.size()) {
    std::ostringstream os;
    os << "expected " << ev.expected.size() << " samples, got " << got.size();
    if (!got.empty()) os << " (first: " << got[0].labels.ToString() << " " << Fmt(got[0].v) << ")";
    return os.str();
  }
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < got.size(); ++i) index[got[i].labels.ToString()] = i;
  for (size_t j = 0; j < ev.expected.size(); ++j) {
    const ExpectedSeries& e = ev.expected[j];
    auto it = index.find(e.labels.ToString());
    if (it == index.end()) return "expected series " + e.labels.ToString() + " not in result";
    if (ordered && it->second != j) {
      return "expected " + e.labels.ToString() + " at position " + std::to_string(j) + ", got " +
             std::to_string(it->second);
    }
    if (e.values.size() != 1 || e.values[0].omitted || e.values[0].is_histogram()) {
      return "unsupported expectation for " + e.labels.ToString();
    }
    const double g = got[it->second].v;
    if (!FloatsMatch(e.values[0].value, g)) {
      return "expected " + e.labels.ToString() + " " + Fmt(e.values[0].value) + ", got " + Fmt(g);
    }
  }
  return "";
}

std::string CompareMatrix(const EvalCommand& ev, const eng::Matrix& got, int64_t start,
                          int64_t step) {
  std::unordered_map<std::string, const eng::SeriesResult*> index;
  for (const auto& s : got) index[s.labels.ToString()] = &s;
  if (got.size() != ev.expected.size()) {
    std::ostringstream os;
    os << "expected " << ev.expected.size() << " series, got " << got.size();
    if (!got.empty()) os << " (first: " << got[0].labels.ToString() << ")";
    return os.str();
  }
  for (const ExpectedSeries& e : ev.expected) {
    auto it = index.find(e.labels.ToString());
    if (it == index.end()) return "expected series " + e.labels.ToString() + " not in result";
    const auto& pts = it->second->points;
    std::vector<std::pair<int64_t, double>> want;
    for (size_t i = 0; i < e.values.size(); ++i) {
      if (e.values[i].omitted) continue;
      if (e.values[i].is_histogram()) return "histogram expectation not supported";
      want.emplace_back(start + static_cast<int64_t>(i) * step, e.values[i].value);
    }
    if (want.size() != pts.size()) {
      return "series " + e.labels.ToString() + ": expected " + std::to_string(want.size()) +
             " points, got " + std::to_string(pts.size());
    }
    for (size_t i = 0; i < want.size(); ++i) {
      if (want[i].first != pts[i].t || !FloatsMatch(want[i].second, pts[i].v)) {
        return "series " + e.labels.ToString() + ": expected " + Fmt(want[i].second) + " @" +
               std::to_string(want[i].first) + ", got " + Fmt(pts[i].v) + " @" +
               std::to_string(pts[i].t);
      }
    }
  }
  return "";
}

// Functions whose value depends on the evaluation time even with step-invariant arguments
// (upstream's AtModifierUnsafeFunctions): queries using them get no @ re-runs.
bool AtUnsafe(std::string_view name) {
  static const std::set<std::string, std::less<>> k = {
      "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour",  "minute",
      "month", "year", "predict_linear", "time", "timestamp",
      // start() and end() are the query's own times.
      "start", "end"};
  return k.count(name) > 0;
}

bool HasAt(const promql::VectorSelector& vs) {
  return vs.timestamp_ms.has_value() || vs.start_or_end != promql::AtPreprocessor::kNone;
}

// Sets `@ ts` on every selector and subquery lacking one, except inside a subquery that has
// one (upstream's atModifierTestCases). Returns false when the query must not be re-run.
bool AddAt(promql::Expr& e, int64_t ts, bool under_at, bool* unsafe) {
  using promql::NodeKind;
  switch (e.kind()) {
    case NodeKind::kVectorSelector: {
      auto& vs = e.As<promql::VectorSelector>();
      if (!under_at && !HasAt(vs)) vs.timestamp_ms = ts;
      return true;
    }
    case NodeKind::kMatrixSelector: {
      auto& vs = *e.As<promql::MatrixSelector>().vector_selector;
      if (!under_at && !HasAt(vs)) vs.timestamp_ms = ts;
      return true;
    }
    case NodeKind::kSubquery: {
      auto& sq = e.As<promql::SubqueryExpr>();
      if (!under_at && !sq.timestamp_ms && sq.start_or_end == promql::AtPreprocessor::kNone) {
        sq.timestamp_ms = ts;
      }
      const bool at = sq.timestamp_ms.has_value() || sq.start_or_end != promql::AtPreprocessor::kNone;
      return AddAt(*sq.expr, ts, under_at || at, unsafe);
    }
    case NodeKind::kCall:
      if (AtUnsafe(e.As<promql::Call>().func->name)) *unsafe = true;
      break;
    default:
      break;
  }
  for (promql::Expr* c : promql::MutableChildren(e)) AddAt(*c, ts, under_at, unsafe);
  return true;
}

Outcome RunEval(const EvalCommand& ev, storage::MemoryStorage* st, const eng::Engine& engine,
                bool group3);

// Upstream re-runs every instant eval as a range query around the eval time, and with @ added
// everywhere at several other eval times; all must give the same expected result.
Outcome CheckVariants(const EvalCommand& ev, const promql::Expr& expr, int64_t t,
                      storage::MemoryStorage* st, const eng::Engine& engine,
                      const std::string& what);

Outcome RunEval(const EvalCommand& ev, storage::MemoryStorage* st, const eng::Engine& engine,
                bool group3, const promql::Expr* override_expr, int64_t eval_time);

Outcome RunEval(const EvalCommand& ev, storage::MemoryStorage* st, const eng::Engine& engine,
                bool group3) {
  return RunEval(ev, st, engine, group3, nullptr, ev.start_ms);
}

Outcome CompareInstantResult(const EvalCommand& ev, const eng::QueryResult& r);

Outcome CheckVariants(const EvalCommand& ev, const promql::Expr& expr, int64_t t,
                      storage::MemoryStorage* st, const eng::Engine& engine,
                      const std::string& what) {
  const bool ordered = ev.ordered || !ev.ExpectsOf(ExpectKind::kOrdered).empty();
  if (ordered) return {};
  // step(), range(), start() and end() read the query's own parameters, which differ between
  // the instant query and its range-mode twin by design.
  bool query_dependent = false;
  promql::Walk(expr, [&](const promql::Expr& n) {
    auto dep = [](const promql::DurationExprPtr& d) { return d && promql::DependsOnQuery(*d); };
    switch (n.kind()) {
      case promql::NodeKind::kCall: {
        std::string_view f = n.As<promql::Call>().func->name;
        query_dependent = query_dependent || f == "step" || f == "range" || f == "start" || f == "end";
        break;
      }
      case promql::NodeKind::kVectorSelector:
        query_dependent = query_dependent || dep(n.As<promql::VectorSelector>().offset_expr);
        break;
      case promql::NodeKind::kMatrixSelector:
        query_dependent = query_dependent || dep(n.As<promql::MatrixSelector>().range_expr);
        break;
      case promql::NodeKind::kSubquery: {
        const auto& sq = n.As<promql::SubqueryExpr>();
        query_dependent = query_dependent || dep(sq.range_expr) || dep(sq.step_expr) || dep(sq.offset_expr);
        break;
      }
      default:
        break;
    }
    return true;
  });
  if (query_dependent) return {};
  eng::QueryOptions qo;
  auto rr = engine.RangeQuery(st, expr, t - 60'000, t + 60'000, 60'000, qo);
  if (!rr.ok()) {
    if (rr.status().message() == eng::kNativeHistogramsUnsupported) {
      return {Verdict::kSkip, "reads native-histogram samples"};
    }
    return Fail(what + "range mode: unexpected error: " + rr.status().message());
  }
  const auto* mat = std::get_if<eng::Matrix>(&rr->value);
  if (mat == nullptr) return Fail(what + "range mode: not a matrix");
  eng::QueryResult at_t;
  eng::Vector vec;
  for (const auto& s : *mat) {
    for (const auto& p : s.points) {
      if (p.t == t) vec.push_back(eng::Sample{s.labels, p.t, p.v});
    }
  }
  if (ev.expected_scalar) {
    if (vec.empty()) return Fail(what + "range mode: no scalar value at the eval time");
    at_t.value = eng::Scalar{t, vec[0].v};
  } else {
    at_t.value = std::move(vec);
  }
  Outcome o = CompareInstantResult(ev, at_t);
  if (o.verdict == Verdict::kFail) o.message = what + "range mode: " + o.message;
  return o;
}

Outcome RunEval(const EvalCommand& ev, storage::MemoryStorage* st, const eng::Engine& engine,
                bool group3, const promql::Expr* override_expr, int64_t eval_time) {
  promql::ParseResult parsed;
  if (override_expr == nullptr) {
    parsed = promql::ParseExpr(ev.expr, promql::ParseOptions::AllEnabled());
  }
  const promql::Expr* expr = override_expr ? override_expr : parsed.expr.get();
  StatusOr<eng::QueryResult> res = Status(StatusCode::kBadData, "");
  if (expr == nullptr) {
    res = BadData(parsed.ErrorString());
  } else {
    eng::QueryOptions qo;
    qo.query_text = ev.expr;
    if (ev.is_range) {
      res = engine.RangeQuery(st, *expr, ev.start_ms, ev.end_ms, ev.step_ms, qo);
    } else {
      res = engine.InstantQuery(st, *expr, eval_time, qo);
    }
  }
  if (ev.ExpectsFailure()) {
    if (res.ok()) return Fail("expected error, got success");
    const std::string& msg = res.status().message();
    if (ev.expected_fail_message && msg != *ev.expected_fail_message) {
      return Fail("expected error \"" + *ev.expected_fail_message + "\", got \"" + msg + "\"");
    }
    if (ev.expected_fail_regexp && !RE2::PartialMatch(msg, *ev.expected_fail_regexp)) {
      return Fail("expected error matching \"" + *ev.expected_fail_regexp + "\", got \"" + msg + "\"");
    }
    for (const ExpectLine* e : ev.ExpectsOf(ExpectKind::kFail)) {
      if (!MessageMatches(*e, msg)) {
        return Fail("expected error \"" + e->text + "\", got \"" + msg + "\"");
      }
    }
    return {};
  }
  if (!res.ok()) {
    if (res.status().message() == eng::kNativeHistogramsUnsupported && !group3) {
      return {Verdict::kSkip, "reads native-histogram samples"};
    }
    return Fail("unexpected error: " + res.status().message());
  }
  const eng::QueryResult& r = *res;
  if (override_expr == nullptr) {
    std::string m = CheckAnnotations(ev, r);
    if (!m.empty()) return Fail(m);
  }
  Outcome o = CompareInstantResult(ev, r);
  if (o.verdict != Verdict::kPass || ev.is_range || ev.expected_string ||
      ev.expect_range_vector || ev.exclude_from_range_query) {
    return o;
  }
  const std::string what = override_expr ? "with @ at " + std::to_string(eval_time) + ": " : "";
  o = CheckVariants(ev, *expr, eval_time, st, engine, what);
  if (o.verdict != Verdict::kPass || override_expr != nullptr) return o;
  // Step invariance: the same query with @ <eval time> everywhere, evaluated elsewhere.
  promql::ExprPtr with_at = expr->Clone();
  bool unsafe = false;
  AddAt(*with_at, eval_time, false, &unsafe);
  if (unsafe) return o;
  std::vector<int64_t> times = {-10 * eval_time, 0, eval_time / 5, eval_time, 10 * eval_time};
  if (eval_time == 0) times = {-1000, 0, 1000};
  for (int64_t et : times) {
    o = RunEval(ev, st, engine, group3, with_at.get(), et);
    if (o.verdict != Verdict::kPass) return o;
  }
  return o;
}

Outcome CompareInstantResult(const EvalCommand& ev, const eng::QueryResult& r) {
  std::string m;
  if (ev.expected_string) {
    auto* s = std::get_if<eng::String>(&r.value);
    if (s == nullptr) return Fail("expected a string result");
    if (s->v != *ev.expected_string) return Fail("expected string \"" + *ev.expected_string + "\", got \"" + s->v + "\"");
    return {};
  }
  if (ev.expected_scalar) {
    auto* s = std::get_if<eng::Scalar>(&r.value);
    if (s == nullptr) return Fail("expected a scalar result");
    if (!FloatsMatch(*ev.expected_scalar, s->v)) {
      return Fail("expected scalar " + Fmt(*ev.expected_scalar) + ", got " + Fmt(s->v));
    }
    return {};
  }
  if (ev.is_range || ev.expect_range_vector) {
    auto* mat = std::get_if<eng::Matrix>(&r.value);
    if (mat == nullptr) return Fail("expected a matrix result");
    int64_t start = ev.is_range ? ev.start_ms : ev.range_vector_start_ms;
    int64_t step = ev.is_range ? ev.step_ms : ev.range_vector_step_ms;
    m = CompareMatrix(ev, *mat, start, step);
    return m.empty() ? Outcome{} : Fail(m);
  }
  if (auto* sc = std::get_if<eng::Scalar>(&r.value)) {
    return Fail("expected a vector, got scalar " + Fmt(sc->v));
  }
  auto* vec = std::get_if<eng::Vector>(&r.value);
  if (vec == nullptr) return Fail("expected a vector result");
  bool ordered = ev.ordered || !ev.ExpectsOf(ExpectKind::kOrdered).empty();
  m = CompareVector(ev, *vec, ordered);
  return m.empty() ? Outcome{} : Fail(m);
}

std::set<std::string> ReadSkips(const std::string& path) {
  std::set<std::string> out;
  if (path.empty()) return out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find(' ');
    out.insert(line.substr(0, sp));
  }
  return out;
}

}  // namespace

RunSummary RunFiles(const std::vector<std::string>& files, const RunnerOptions& opts,
                    std::ostream& out, bool per_file_lines) {
  RunSummary summary;
  const std::set<std::string> skips = ReadSkips(opts.skips_path);
  eng::Engine engine(CorpusEngineOpts());
  for (const std::string& path : files) {
    const std::string base = BaseName(path);
    FileCounts& fc = summary.per_file[base];
    auto script = ParseScriptFile(path);
    if (!script.ok()) {
      out << path << ": " << script.status().message() << "\n";
      fc.failed++;
      continue;
    }
    auto st = std::make_unique<storage::MemoryStorage>();
    for (const Command& cmd : *script) {
      if (auto* load = std::get_if<LoadCommand>(&cmd.body)) {
        Status s = Load(*load, st.get());
        if (!s.ok()) out << base << ":" << cmd.line << ": load failed: " << s.message() << "\n";
        continue;
      }
      if (std::get_if<ClearCommand>(&cmd.body)) {
        st = std::make_unique<storage::MemoryStorage>();
        continue;
      }
      const auto& ev = std::get<EvalCommand>(cmd.body);
      if (skips.count(base + ":" + std::to_string(ev.line))) {
        fc.skipped++;
        continue;
      }
      Outcome o = RunEval(ev, st.get(), engine, IsGroup3(base));
      switch (o.verdict) {
        case Verdict::kPass: fc.passed++; break;
        case Verdict::kSkip: fc.skipped++; break;
        case Verdict::kFail:
          fc.failed++;
          out << base << ":" << ev.line << ": " << ev.expr << ": " << o.message << "\n";
          break;
      }
    }
    if (per_file_lines) {
      out << "# " << base << ": " << fc.passed << " passed, " << fc.failed << " failed, "
          << fc.skipped << " skipped\n";
    }
    summary.total.passed += fc.passed;
    summary.total.failed += fc.failed;
    summary.total.skipped += fc.skipped;
  }
  out << summary.total.passed << " passed, " << summary.total.failed << " failed, "
      << summary.total.skipped << " skipped\n";
  return summary;
}

}  // namespace meridian::promqltest
