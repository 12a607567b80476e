#include "promql/parser/printer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "model/duration.h"
#include "model/strings.h"
#include "promql/parser/lex_util.h"

namespace meridian::promql {
namespace {

void AppendLabelList(std::string& out, const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    if (IsValidLegacyLabelName(labels[i])) {
      out += labels[i];
    } else {
      out += GoQuote(labels[i]);
    }
  }
}

// Go's %.3f of ms/1000, computed exactly from the integer.
std::string FormatTimestamp(int64_t ms) {
  char buf[48];
  uint64_t mag = ms < 0 ? uint64_t(0) - uint64_t(ms) : uint64_t(ms);
  std::snprintf(buf, sizeof buf, "%s%llu.%03llu", ms < 0 ? "-" : "",
                static_cast<unsigned long long>(mag / 1000),
                static_cast<unsigned long long>(mag % 1000));
  return buf;
}

std::string FormatSignedDuration(int64_t ms) {
  if (ms < 0) return "-" + FormatDurationMs(-ms);
  return FormatDurationMs(ms);
}

void AppendDuration(std::string& out, const DurationExpr& d);

void AppendDurationLiteral(std::string& out, const DurationExpr& d) {
  if (d.duration_unit) {
    out += FormatSignedDuration(static_cast<int64_t>(std::llround(d.value_seconds * 1000)));
  } else {
    out += FormatFloatShortest(d.value_seconds);
  }
}

void AppendDuration(std::string& out, const DurationExpr& d) {
  if (d.wrapped) out += '(';
  switch (d.op) {
    case DurationExpr::Op::kLiteral: AppendDurationLiteral(out, d); break;
    case DurationExpr::Op::kStep: out += "step()"; break;
    case DurationExpr::Op::kRange: out += "range()"; break;
    case DurationExpr::Op::kMinOf:
    case DurationExpr::Op::kMaxOf:
      out += d.op == DurationExpr::Op::kMinOf ? "min_of(" : "max_of(";
      AppendDuration(out, *d.lhs);
      out += ", ";
      AppendDuration(out, *d.rhs);
      out += ')';
      break;
    case DurationExpr::Op::kNeg:
      out += '-';
      AppendDuration(out, *d.rhs);
      break;
    default: {
      AppendDuration(out, *d.lhs);
      static constexpr const char* kOps[] = {"", " + ", " - ", " * ", " / ", " % ", " ^ "};
      out += kOps[static_cast<int>(d.op)];
      AppendDuration(out, *d.rhs);
    }
  }
  if (d.wrapped) out += ')';
}

void AppendAt(std::string& out, const std::optional<int64_t>& ts, AtPreprocessor p) {
  if (ts) {
    out += " @ ";
    out += FormatTimestamp(*ts);
  } else if (p == AtPreprocessor::kStart) {
    out += " @ start()";
  } else if (p == AtPreprocessor::kEnd) {
    out += " @ end()";
  }
}

void AppendOffset(std::string& out, int64_t ms, const DurationExprPtr& expr) {
  if (expr) {
    out += " offset ";
    AppendDuration(out, *expr);
  } else if (ms != 0) {
    out += " offset ";
    out += FormatSignedDuration(ms);
  }
}

void AppendRange(std::string& out, int64_t ms, const DurationExprPtr& expr) {
  if (expr) {
    AppendDuration(out, *expr);
  } else {
    out += FormatDurationMs(ms);
  }
}

// The selector without its modifiers: name{matchers}.
void AppendSelectorBody(std::string& out, const VectorSelector& vs) {
  std::vector<std::string> parts;
  for (const auto& m : vs.matchers) {
    if (m->name() == "__name__" && m->type() == MatchType::kEqual && m->value() == vs.name &&
        !vs.name.empty()) {
      continue;
    }
    parts.push_back((IsValidLegacyLabelName(m->name()) ? m->name() : GoQuote(m->name())) +
                    std::string(MatchTypeString(m->type())) + GoQuote(m->value()));
  }
  out += vs.name;
  if (!parts.empty() || vs.name.empty()) {
    std::sort(parts.begin(), parts.end());
    out += '{';
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += ',';
      out += parts[i];
    }
    out += '}';
  }
}

void AppendModifiers(std::string& out, const VectorSelector& vs) {
  AppendAt(out, vs.timestamp_ms, vs.start_or_end);
  if (vs.anchored) out += " anchored";
  if (vs.smoothed) out += " smoothed";
  AppendOffset(out, vs.original_offset_ms, vs.offset_expr);
}

void AppendFill(std::string& out, const VectorMatching& m) {
  if (m.fill_lhs && m.fill_rhs &&
      (*m.fill_lhs == *m.fill_rhs || (std::isnan(*m.fill_lhs) && std::isnan(*m.fill_rhs)))) {
    out += " fill(" + FormatFloatShortest(*m.fill_lhs) + ")";
    return;
  }
  if (m.fill_lhs) out += " fill_left(" + FormatFloatShortest(*m.fill_lhs) + ")";
  if (m.fill_rhs) out += " fill_right(" + FormatFloatShortest(*m.fill_rhs) + ")";
}

void Append(std::string& out, const Expr& e) {
  switch (e.kind()) {
    case NodeKind::kNumberLiteral: {
      const auto& n = e.As<NumberLiteral>();
      if (n.duration_unit && std::isfinite(n.value)) {
        out += FormatSignedDuration(static_cast<int64_t>(std::llround(n.value * 1000)));
      } else {
        out += FormatFloatShortest(n.value);
      }
      break;
    }
    case NodeKind::kStringLiteral: out += GoQuote(e.As<StringLiteral>().value); break;
    case NodeKind::kVectorSelector: {
      const auto& vs = e.As<VectorSelector>();
      AppendSelectorBody(out, vs);
      AppendModifiers(out, vs);
      break;
    }
    case NodeKind::kMatrixSelector: {
      const auto& ms = e.As<MatrixSelector>();
      const auto& vs = *ms.vector_selector;
      AppendSelectorBody(out, vs);
      out += '[';
      AppendRange(out, ms.range_ms, ms.range_expr);
      out += ']';
      if (vs.anchored) out += " anchored";
      if (vs.smoothed) out += " smoothed";
      AppendAt(out, vs.timestamp_ms, vs.start_or_end);
      AppendOffset(out, vs.original_offset_ms, vs.offset_expr);
      break;
    }
    case NodeKind::kSubquery: {
      const auto& sq = e.As<SubqueryExpr>();
      Append(out, *sq.expr);
      out += '[';
      AppendRange(out, sq.range_ms, sq.range_expr);
      out += ':';
      if (sq.step_expr) {
        AppendDuration(out, *sq.step_expr);
      } else if (sq.step_ms != 0) {
        out += FormatDurationMs(sq.step_ms);
      }
      out += ']';
      AppendAt(out, sq.timestamp_ms, sq.start_or_end);
      AppendOffset(out, sq.original_offset_ms, sq.offset_expr);
      break;
    }
    case NodeKind::kCall: {
      const auto& c = e.As<Call>();
      out += c.func->name;
      out += '(';
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out += ", ";
        Append(out, *c.args[i]);
      }
      out += ')';
      break;
    }
    case NodeKind::kAggregate: {
      const auto& a = e.As<AggregateExpr>();
      out += AggregateOpString(a.op);
      if (a.without || !a.grouping.empty()) {
        out += a.without ? " without (" : " by (";
        AppendLabelList(out, a.grouping);
        out += ") ";
      }
      out += '(';
      if (a.param) {
        Append(out, *a.param);
        out += ", ";
      }
      Append(out, *a.expr);
      out += ')';
      break;
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<BinaryExpr>();
      Append(out, *b.lhs);
      out += ' ';
      out += BinaryOpString(b.op);
      if (b.return_bool) out += " bool";
      if (b.matching) {
        const VectorMatching& m = *b.matching;
        bool grouped = m.card == Cardinality::kManyToOne || m.card == Cardinality::kOneToMany;
        if (!m.matching_labels.empty() || m.on || grouped) {
          out += m.on ? " on (" : " ignoring (";
          AppendLabelList(out, m.matching_labels);
          out += ')';
          if (grouped) {
            out += m.card == Cardinality::kManyToOne ? " group_left (" : " group_right (";
            AppendLabelList(out, m.include);
            out += ')';
          }
        }
        AppendFill(out, m);
      }
      out += ' ';
      Append(out, *b.rhs);
      break;
    }
    case NodeKind::kUnary: {
      const auto& u = e.As<UnaryExpr>();
      out += u.negate ? '-' : '+';
      Append(out, *u.expr);
      break;
    }
    case NodeKind::kParen:
      out += '(';
      Append(out, *e.As<ParenExpr>().expr);
      out += ')';
      break;
  }
}

}  // namespace

std::string ToString(const Expr& e) {
  std::string out;
  Append(out, e);
  return out;
}

std::string ToString(const DurationExpr& d) {
  std::string out;
  AppendDuration(out, d);
  return out;
}

}  // namespace meridian::promql
