#include "web/api/ast_json.h"

#include <cmath>

#include "model/strings.h"

namespace meridian::web {
namespace {

using namespace meridian::promql;  // NOLINT: the AST's many node types

// strconv.FormatFloat(v, 'f', -1, 64): the shortest digits, never an exponent.
std::string FormatFloatPlain(double v) {
  std::string s = FormatFloatJSON(v);
  size_t e = s.find('e');
  if (e == std::string::npos || !std::isfinite(v)) return s;
  std::string sign = s[0] == '-' ? "-" : "";
  std::string mant = s.substr(sign.size(), e - sign.size());
  int exp = std::stoi(s.substr(e + 1));
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits.push_back(c);
  }
  // The mantissa is d[.ddd]: the point sits after the first digit.
  int point = 1 + exp;
  std::string out = sign;
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out += digits;
    out.append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, point) + "." + digits.substr(point);
  }
  return out;
}

std::string_view CardinalityName(Cardinality c) {
  switch (c) {
    case Cardinality::kOneToOne: return "one-to-one";
    case Cardinality::kManyToOne: return "many-to-one";
    case Cardinality::kOneToMany: return "one-to-many";
    case Cardinality::kManyToMany: return "many-to-many";
  }
  return "one-to-one";
}

void WriteStringList(const std::vector<std::string>& l, JsonWriter* w) {
  w->StartArray();
  for (const auto& s : l) w->String(s);
  w->EndArray();
}

void WriteMatchers(const Matchers& ms, JsonWriter* w) {
  w->StartArray();
  for (const auto& m : ms) {
    w->StartObject();
    w->Key("name");
    w->String(m->name());
    w->Key("type");
    w->String(MatchTypeString(m->type()));
    w->Key("value");
    w->String(m->value());
    w->EndObject();
  }
  w->EndArray();
}

void WriteOptionalMs(const std::optional<int64_t>& v, JsonWriter* w) {
  if (v) {
    w->Int64(*v);
  } else {
    w->Null();
  }
}

void WriteStartOrEnd(AtPreprocessor p, JsonWriter* w) {
  switch (p) {
    case AtPreprocessor::kNone: w->Null(); break;
    case AtPreprocessor::kStart: w->String("start"); break;
    case AtPreprocessor::kEnd: w->String("end"); break;
  }
}

void WriteOptionalFloat(const std::optional<double>& v, JsonWriter* w) {
  if (v) {
    w->GoFloat(*v);
  } else {
    w->Null();
  }
}

// Shared by vector and matrix selectors, whose keys interleave in sorted order; `range_ms`
// is written only for matrix selectors.
void WriteSelector(const VectorSelector& vs, const int64_t* range_ms, JsonWriter* w) {
  w->StartObject();
  w->Key("anchored");
  w->Bool(vs.anchored);
  w->Key("matchers");
  WriteMatchers(vs.matchers, w);
  w->Key("name");
  w->String(vs.name);
  w->Key("offset");
  w->Int64(vs.original_offset_ms);
  if (range_ms) {
    w->Key("range");
    w->Int64(*range_ms);
  }
  w->Key("smoothed");
  w->Bool(vs.smoothed);
  w->Key("startOrEnd");
  WriteStartOrEnd(vs.start_or_end, w);
  w->Key("timestamp");
  WriteOptionalMs(vs.timestamp_ms, w);
  w->Key("type");
  w->String(range_ms ? "matrixSelector" : "vectorSelector");
  w->EndObject();
}

void WriteNode(const Expr* e, JsonWriter* w) {
  if (e == nullptr) {
    w->Null();
    return;
  }
  switch (e->kind()) {
    case NodeKind::kAggregate: {
      const auto& n = e->As<AggregateExpr>();
      w->StartObject();
      w->Key("expr");
      WriteNode(n.expr.get(), w);
      w->Key("grouping");
      WriteStringList(n.grouping, w);
      w->Key("op");
      w->String(AggregateOpString(n.op));
      w->Key("param");
      WriteNode(n.param.get(), w);
      w->Key("type");
      w->String("aggregation");
      w->Key("without");
      w->Bool(n.without);
      w->EndObject();
      return;
    }
    case NodeKind::kBinary: {
      const auto& n = e->As<BinaryExpr>();
      w->StartObject();
      w->Key("bool");
      w->Bool(n.return_bool);
      w->Key("lhs");
      WriteNode(n.lhs.get(), w);
      w->Key("matching");
      if (n.matching) {
        const VectorMatching& m = *n.matching;
        w->StartObject();
        w->Key("card");
        w->String(CardinalityName(m.card));
        w->Key("fillValues");
        w->StartObject();
        w->Key("lhs");
        WriteOptionalFloat(m.fill_lhs, w);
        w->Key("rhs");
        WriteOptionalFloat(m.fill_rhs, w);
        w->EndObject();
        w->Key("include");
        WriteStringList(m.include, w);
        w->Key("labels");
        WriteStringList(m.matching_labels, w);
        w->Key("on");
        w->Bool(m.on);
        w->EndObject();
      } else {
        w->Null();
      }
      w->Key("op");
      w->String(BinaryOpString(n.op));
      w->Key("rhs");
      WriteNode(n.rhs.get(), w);
      w->Key("type");
      w->String("binaryExpr");
      w->EndObject();
      return;
    }
    case NodeKind::kCall: {
      const auto& n = e->As<Call>();
      w->StartObject();
      w->Key("args");
      w->StartArray();
      for (const auto& a : n.args) WriteNode(a.get(), w);
      w->EndArray();
      w->Key("func");
      w->StartObject();
      w->Key("argTypes");
      w->StartArray();
      if (n.func) {
        for (ValueType t : n.func->arg_types) w->String(ValueTypeName(t));
      }
      w->EndArray();
      w->Key("name");
      w->String(n.func ? n.func->name : "");
      w->Key("returnType");
      w->String(ValueTypeName(n.func ? n.func->return_type : ValueType::kNone));
      w->Key("variadic");
      w->Int64(n.func ? n.func->variadic : 0);
      w->EndObject();
      w->Key("type");
      w->String("call");
      w->EndObject();
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& n = e->As<MatrixSelector>();
      if (!n.vector_selector) {
        w->Null();
        return;
      }
      WriteSelector(*n.vector_selector, &n.range_ms, w);
      return;
    }
    case NodeKind::kSubquery: {
      const auto& n = e->As<SubqueryExpr>();
      w->StartObject();
      // Our AST has no separately aligned subqueries; upstream's flag is false for parsed text.
      w->Key("alignEvalTime");
      w->Bool(false);
      w->Key("expr");
      WriteNode(n.expr.get(), w);
      w->Key("offset");
      w->Int64(n.original_offset_ms);
      w->Key("range");
      w->Int64(n.range_ms);
      w->Key("startOrEnd");
      WriteStartOrEnd(n.start_or_end, w);
      w->Key("step");
      w->Int64(n.step_ms);
      w->Key("timestamp");
      WriteOptionalMs(n.timestamp_ms, w);
      w->Key("type");
      w->String("subquery");
      w->EndObject();
      return;
    }
    case NodeKind::kNumberLiteral: {
      const auto& n = e->As<NumberLiteral>();
      w->StartObject();
      w->Key("type");
      w->String("numberLiteral");
      w->Key("val");
      w->String(FormatFloatPlain(n.value));
      w->EndObject();
      return;
    }
    case NodeKind::kParen: {
      const auto& n = e->As<ParenExpr>();
      w->StartObject();
      w->Key("expr");
      WriteNode(n.expr.get(), w);
      w->Key("type");
      w->String("parenExpr");
      w->EndObject();
      return;
    }
    case NodeKind::kStringLiteral: {
      const auto& n = e->As<StringLiteral>();
      w->StartObject();
      w->Key("type");
      w->String("stringLiteral");
      w->Key("val");
      w->String(n.value);
      w->EndObject();
      return;
    }
    case NodeKind::kUnary: {
      const auto& n = e->As<UnaryExpr>();
      w->StartObject();
      w->Key("expr");
      WriteNode(n.expr.get(), w);
      w->Key("op");
      w->String(n.negate ? "-" : "+");
      w->Key("type");
      w->String("unaryExpr");
      w->EndObject();
      return;
    }
    case NodeKind::kVectorSelector:
      WriteSelector(e->As<VectorSelector>(), nullptr, w);
      return;
  }
  w->Null();
}

}  // namespace

void WriteAstJson(const promql::Expr& expr, JsonWriter* w) { WriteNode(&expr, w); }

}  // namespace meridian::web
