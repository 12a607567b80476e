// Type checking after a successful parse, following Prometheus's checkAST: the same rules,
// in the same order (so the first reported error matches), with the same messages.

#include <string>

#include "promql/parser/internal.h"
#include "model/strings.h"
#include "promql/parser/lex_util.h"

namespace meridian::promql {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Checker {
 public:
  explicit Checker(std::string_view input) : input_(input) {}

  ValueType Check(Expr& node) {
    ValueType typ = node.type();
    switch (node.kind()) {
      case NodeKind::kAggregate: CheckAggregate(node.As<AggregateExpr>()); break;
      case NodeKind::kBinary: CheckBinary(node.As<BinaryExpr>()); break;
      case NodeKind::kCall: CheckCall(node.As<Call>()); break;
      case NodeKind::kParen: Check(*node.As<ParenExpr>().expr); break;
      case NodeKind::kUnary: {
        auto& u = node.As<UnaryExpr>();
        ValueType t = Check(*u.expr);
        if (t != ValueType::kScalar && t != ValueType::kVector) {
          Error(u.pos,
                "unary expression only allowed on expressions of type scalar or instant vector, "
                "got " +
                    GoQuote(DocumentedType(t)));
        }
        break;
      }
      case NodeKind::kSubquery: {
        auto& sq = node.As<SubqueryExpr>();
        ValueType t = Check(*sq.expr);
        if (t != ValueType::kVector) {
          Error(sq.pos, "subquery is only allowed on instant vector, got " +
                            std::string(ValueTypeName(t)) + " instead");
        }
        break;
      }
      case NodeKind::kMatrixSelector: Check(*node.As<MatrixSelector>().vector_selector); break;
      case NodeKind::kVectorSelector: CheckSelector(node.As<VectorSelector>()); break;
      case NodeKind::kNumberLiteral:
      case NodeKind::kStringLiteral: break;
    }
    return typ;
  }

  std::vector<ParseError> errors;

 private:
  void Error(PosRange pos, std::string msg) { errors.push_back({pos, std::move(msg)}); }

  void ExpectType(Expr& node, ValueType want, std::string_view context) {
    ValueType t = Check(node);
    if (t != want) {
      Error(node.pos, "expected type " + std::string(DocumentedType(want)) + " in " +
                          std::string(context) + ", got " + std::string(DocumentedType(t)));
    }
  }

  void CheckAggregate(AggregateExpr& a) {
    ExpectType(*a.expr, ValueType::kVector, "aggregation expression");
    if (a.param) {
      ValueType want =
          a.op == AggregateOp::kCountValues ? ValueType::kString : ValueType::kScalar;
      ExpectType(*a.param, want, "aggregation parameter");
    }
  }

  // The operator's position: the text between the operands without surrounding spaces.
  PosRange OpRange(const BinaryExpr& b) const {
    PosRange r;
    int n = static_cast<int>(input_.size());
    r.start = b.lhs->pos.end;
    while (r.start < n && IsSpace(input_[r.start])) ++r.start;
    r.end = b.rhs->pos.start - 1;
    while (r.end > r.start && r.end < n && IsSpace(input_[r.end])) --r.end;
    return r;
  }

  void CheckBinary(BinaryExpr& b) {
    ValueType lt = Check(*b.lhs);
    ValueType rt = Check(*b.rhs);
    bool cmp = IsComparisonOperator(b.op);
    bool set = IsSetOperator(b.op);
    std::string op_quoted = GoQuote(BinaryOpString(b.op));

    if (b.return_bool && !cmp) Error(OpRange(b), "bool modifier can only be used on comparison operators");
    if (cmp && !b.return_bool && lt == ValueType::kScalar && rt == ValueType::kScalar) {
      Error(OpRange(b), "comparisons between scalars must use BOOL modifier");
    }
    if (!b.matching) b.matching.emplace();
    VectorMatching& vm = *b.matching;
    if (set && vm.card == Cardinality::kOneToOne) vm.card = Cardinality::kManyToMany;
    if (vm.on) {
      for (const auto& l1 : vm.matching_labels) {
        for (const auto& l2 : vm.include) {
          if (l1 == l2) {
            Error(OpRange(b), "label " + GoQuote(l1) +
                                  " must not occur in ON and GROUP clause at once");
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      Error(b.lhs->pos, "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      Error(b.rhs->pos, "binary expression must contain only scalar and instant vector types");
    }
    if (lt != ValueType::kVector || rt != ValueType::kVector) {
      if (!vm.matching_labels.empty()) {
        Error(b.pos, "vector matching only allowed between instant vectors");
      }
      if (vm.fill_lhs || vm.fill_rhs) {
        Error(b.pos, "filling in missing series only allowed between instant vectors");
      }
      b.matching.reset();
    } else if (set) {
      if (vm.card == Cardinality::kOneToMany || vm.card == Cardinality::kManyToOne) {
        Error(b.pos, "no grouping allowed for " + op_quoted + " operation");
      }
      if (vm.card != Cardinality::kManyToMany) {
        Error(b.pos, "set operations must always be many-to-many");
      }
      if (vm.fill_lhs || vm.fill_rhs) {
        Error(b.pos, "filling in missing series not allowed for set operators");
      }
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && set) {
      Error(b.pos, "set operator " + op_quoted + " not allowed in binary scalar expression");
    }
  }

  void CheckCall(Call& c) {
    const Function& f = *c.func;
    std::string fname = GoQuote(f.name);
    size_t nargs = f.arg_types.size();
    size_t got = c.args.size();
    if (f.variadic == 0) {
      if (nargs != got) {
        Error(c.pos, "expected " + std::to_string(nargs) + " argument(s) in call to " + fname +
                         ", got " + std::to_string(got));
      }
    } else {
      size_t na = nargs - 1;
      if (na > got) {
        Error(c.pos, "expected at least " + std::to_string(na) + " argument(s) in call to " +
                         fname + ", got " + std::to_string(got));
      } else if (f.variadic > 0 && na + static_cast<size_t>(f.variadic) < got) {
        Error(c.pos, "expected at most " + std::to_string(na + f.variadic) +
                         " argument(s) in call to " + fname + ", got " + std::to_string(got));
      }
    }

    if (f.name == "info" && got > 1) {
      Expr& a1 = *c.args[1];
      if (a1.type() != ValueType::kVector) {
        Error(c.pos, "expected type instant vector in call to function " + fname + ", got " +
                         std::string(DocumentedType(a1.type())));
      }
      if (a1.kind() == NodeKind::kVectorSelector) {
        auto& vs = a1.As<VectorSelector>();
        if (!vs.name.empty()) {
          Error(a1.pos, "expected label selectors only, got vector selector instead");
        } else {
          vs.bypass_empty_matcher_check = true;
        }
      } else {
        Error(a1.pos, "expected label selectors only");
      }
    }

    for (size_t i = 0; i < got; ++i) {
      if (i >= nargs && f.variadic == 0) break;
      ValueType want = f.ArgType(i);
      ValueType t = Check(*c.args[i]);
      if (t != want) {
        Error(c.args[i]->pos, "expected type " + std::string(DocumentedType(want)) +
                                  " in call to function " + fname + ", got " +
                                  std::string(DocumentedType(t)));
      }
    }

    // Extended range selectors only make sense for some functions.
    for (const auto& a : c.args) {
      if (a->kind() != NodeKind::kMatrixSelector) continue;
      const auto& vs = *a->As<MatrixSelector>().vector_selector;
      std::string_view n = f.name;
      if (vs.anchored && !(n == "changes" || n == "delta" || n == "increase" || n == "rate" ||
                           n == "resets")) {
        Error(a->pos,
              "anchored modifier can only be used with: changes, delta, increase, rate, resets - "
              "not with " +
                  std::string(n));
      }
      if (vs.smoothed && !(n == "delta" || n == "increase" || n == "rate")) {
        Error(a->pos, "smoothed modifier can only be used with: delta, increase, rate - not with " +
                          std::string(n));
      }
    }
  }

  void CheckSelector(VectorSelector& vs) {
    if (!vs.name.empty()) {
      // The last matcher is the one for the name written outside the braces.
      for (size_t i = 0; i + 1 < vs.matchers.size(); ++i) {
        if (vs.matchers[i]->name() == "__name__") {
          Error(vs.pos, "metric name must not be set twice: " + GoQuote(vs.name) + " or " +
                            GoQuote(vs.matchers[i]->value()));
        }
      }
      return;
    }
    if (vs.bypass_empty_matcher_check) return;
    for (const auto& m : vs.matchers) {
      if (!m->MatchesEmpty()) return;
    }
    Error(vs.pos, "vector selector must contain at least one non-empty matcher");
  }

  std::string_view input_;
};

}  // namespace

std::vector<ParseError> CheckAst(Expr& root, std::string_view input) {
  Checker c(input);
  c.Check(root);
  return std::move(c.errors);
}

}  // namespace meridian::promql
