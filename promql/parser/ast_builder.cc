// Parse tree -> AST. Carries out what Prometheus's grammar actions do: folding signs into
// number literals, attaching offset/@/range modifiers to selectors, feature gates, and the
// syntax-level errors (unknown function, bad duration, bad regex, ...).

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "PromQLLexer.h"
#include "PromQLParser.h"
#include "antlr4-runtime.h"
#include "model/duration.h"
#include "model/labels.h"
#include "promql/parser/internal.h"
#include "model/strings.h"
#include "promql/parser/lex_util.h"

namespace meridian::promql {
namespace {

using antlr::PromQLLexer;
using P = antlr::PromQLParser;

// Deeper trees are rejected before our recursive code could exhaust the stack.
constexpr int kMaxDepth = 2000;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Builder {
 public:
  explicit Builder(BuildContext& ctx) : ctx_(ctx) {}

  ExprPtr BuildExpr(P::ExprContext* e) {
    if (++depth_ > kMaxDepth) {
      Error(Range(e), "expression nested too deeply");
      --depth_;
      return nullptr;
    }
    ExprPtr out = ExprInner(e);
    --depth_;
    return out;
  }

  ExprPtr BuildSelector(P::MetricSelectorContext* c) {
    return Selector(c->metricName(), c->labelMatchers(), Range(c->getStart(), c->EOF()->getSymbol()));
  }

 private:
  // ---- positions and errors ----

  PosRange Range(antlr4::Token* a, antlr4::Token* b) const {
    PosRange r;
    r.start = ctx_.offsets.Byte(a->getStartIndex());
    r.end = b->getType() == antlr4::Token::EOF ? ctx_.offsets.Byte(b->getStartIndex())
                                               : ctx_.offsets.Byte(b->getStopIndex() + 1);
    if (r.end < r.start) r.end = r.start;
    return r;
  }
  PosRange Range(antlr4::ParserRuleContext* c) const { return Range(c->getStart(), c->getStop()); }
  PosRange Range(antlr4::tree::TerminalNode* n) const {
    return Range(n->getSymbol(), n->getSymbol());
  }

  void Error(PosRange pos, std::string msg) {
    ctx_.errors.push_back(ParseError{pos, std::move(msg)});
  }
  bool failed() const { return !ctx_.errors.empty(); }

  // ---- expressions ----

  ExprPtr ExprInner(P::ExprContext* e) {
    if (auto* c = dynamic_cast<P::PrimaryExprContext*>(e)) return Primary(c->primary());
    if (auto* c = dynamic_cast<P::BinaryExprContext*>(e)) return Binary(c);
    if (auto* c = dynamic_cast<P::UnaryExprContext*>(e)) return Unary(c);
    if (auto* c = dynamic_cast<P::RangeExprContext*>(e)) return RangeOrSubquery(c);
    if (auto* c = dynamic_cast<P::OffsetExprContext*>(e)) return Offset(c);
    if (auto* c = dynamic_cast<P::AtExprContext*>(e)) return At(c);
    if (auto* c = dynamic_cast<P::ExtendedExprContext*>(e)) return Extended(c);
    Error(Range(e), "unexpected expression");
    return nullptr;
  }

  ExprPtr Primary(P::PrimaryContext* p) {
    if (auto* c = dynamic_cast<P::NumberLiteralContext*>(p)) {
      auto n = std::make_unique<NumberLiteral>();
      n->pos = Range(c);
      auto v = ParseNumber(c->getText());
      if (!v) {
        Error(n->pos, "error parsing number: " + c->getText());
        return nullptr;
      }
      n->value = *v;
      return n;
    }
    if (auto* c = dynamic_cast<P::DurationLiteralContext*>(p)) {
      auto n = std::make_unique<NumberLiteral>();
      n->pos = Range(c);
      auto ms = Duration(c->DURATION());
      if (!ms) return nullptr;
      n->value = static_cast<double>(*ms) / 1000.0;
      n->duration_unit = true;
      return n;
    }
    if (auto* c = dynamic_cast<P::StringLiteralContext*>(p)) {
      auto s = std::make_unique<StringLiteral>();
      s->pos = Range(c);
      auto v = Unquote(c->STRING());
      if (!v) return nullptr;
      s->value = std::move(*v);
      return s;
    }
    if (auto* c = dynamic_cast<P::ParenExprContext*>(p)) {
      auto inner = BuildExpr(c->expr());
      if (!inner) return nullptr;
      auto out = std::make_unique<ParenExpr>();
      out->pos = Range(c);
      out->expr = std::move(inner);
      return out;
    }
    if (auto* c = dynamic_cast<P::AggregationContext*>(p)) return Aggregation(c);
    if (auto* c = dynamic_cast<P::FunctionCallContext*>(p)) return FunctionCall(c);
    if (auto* c = dynamic_cast<P::NamedSelectorContext*>(p)) {
      return Selector(c->metricName(), c->labelMatchers(), Range(c));
    }
    if (auto* c = dynamic_cast<P::AnonymousSelectorContext*>(p)) {
      return Selector(nullptr, c->labelMatchers(), Range(c));
    }
    Error(Range(p), "unexpected expression");
    return nullptr;
  }

  std::optional<int64_t> Duration(antlr4::tree::TerminalNode* tok) {
    std::string text = tok->getText();
    auto ms = ParseDurationMs(text);
    if (!ms) {
      Error(Range(tok), "not a valid duration string: " + GoQuote(text));
      return std::nullopt;
    }
    return ms;
  }

  std::optional<std::string> Unquote(antlr4::tree::TerminalNode* tok) {
    std::string err;
    auto v = UnquoteString(tok->getText(), &err);
    if (!v) Error(Range(tok), err);
    return v;
  }

  std::optional<std::vector<std::string>> Args(P::FunctionArgsContext* a,
                                               std::vector<ExprPtr>* out) {
    // A trailing comma is accepted by the grammar only to report it clearly.
    size_t commas = a->COMMA().size();
    auto exprs = a->expr();
    if (!exprs.empty() && commas >= exprs.size()) {
      Error(Range(a->COMMA().back()), "trailing commas not allowed in function call args");
      return std::nullopt;
    }
    for (auto* e : exprs) {
      auto x = BuildExpr(e);
      if (!x) return std::nullopt;
      out->push_back(std::move(x));
    }
    return std::vector<std::string>{};
  }

  ExprPtr FunctionCall(P::FunctionCallContext* c) {
    std::string name = c->IDENTIFIER()->getText();
    const Function* fn = FindFunction(name);
    PosRange name_pos = Range(c->IDENTIFIER());
    if (fn == nullptr) {
      Error(name_pos, "unknown function with name " + GoQuote(name));
      return nullptr;
    }
    if (fn->experimental && !ctx_.options.experimental_functions) {
      Error(name_pos, "function " + GoQuote(name) + " is not enabled");
      return nullptr;
    }
    auto call = std::make_unique<Call>();
    call->pos = Range(c);
    call->func = fn;
    if (!Args(c->functionArgs(), &call->args)) return nullptr;
    return call;
  }

  ExprPtr Aggregation(P::AggregationContext* c) {
    auto agg = std::make_unique<AggregateExpr>();
    agg->pos = Range(c);
    agg->op = AggregateOpFromToken(c->aggregateOp()->getStart()->getType());
    if (auto* g = c->grouping()) {
      agg->without = g->WITHOUT() != nullptr;
      if (!GroupingLabels(g->groupingLabels(), &agg->grouping)) return nullptr;
    }
    std::vector<ExprPtr> args;
    if (!Args(c->functionArgs(), &args)) return nullptr;
    if (args.empty()) {
      Error(agg->pos, "no arguments for aggregate expression provided");
      return nullptr;
    }
    size_t desired = 1;
    if (AggregateOpHasParam(agg->op)) {
      if (AggregateOpIsExperimental(agg->op) && !ctx_.options.experimental_functions) {
        Error(agg->pos, std::string(AggregateOpString(agg->op)) +
                            "() is experimental and must be enabled with "
                            "--enable-feature=promql-experimental-functions");
        return nullptr;
      }
      desired = 2;
    }
    if (args.size() != desired) {
      Error(agg->pos, "wrong number of arguments for aggregate expression provided, expected " +
                          std::to_string(desired) + ", got " + std::to_string(args.size()));
      return nullptr;
    }
    if (desired == 2) agg->param = std::move(args[0]);
    agg->expr = std::move(args[desired - 1]);
    return agg;
  }

  static AggregateOp AggregateOpFromToken(size_t t) {
    switch (t) {
      case PromQLLexer::AVG: return AggregateOp::kAvg;
      case PromQLLexer::COUNT: return AggregateOp::kCount;
      case PromQLLexer::MIN: return AggregateOp::kMin;
      case PromQLLexer::MAX: return AggregateOp::kMax;
      case PromQLLexer::GROUP: return AggregateOp::kGroup;
      case PromQLLexer::STDDEV: return AggregateOp::kStddev;
      case PromQLLexer::STDVAR: return AggregateOp::kStdvar;
      case PromQLLexer::TOPK: return AggregateOp::kTopk;
      case PromQLLexer::BOTTOMK: return AggregateOp::kBottomk;
      case PromQLLexer::COUNT_VALUES: return AggregateOp::kCountValues;
      case PromQLLexer::QUANTILE: return AggregateOp::kQuantile;
      case PromQLLexer::LIMITK: return AggregateOp::kLimitk;
      case PromQLLexer::LIMIT_RATIO: return AggregateOp::kLimitRatio;
      default: return AggregateOp::kSum;
    }
  }

  bool GroupingLabels(P::GroupingLabelsContext* g, std::vector<std::string>* out) {
    for (auto* l : g->groupingLabel()) {
      if (auto* s = l->STRING()) {
        auto v = Unquote(s);
        if (!v) return false;
        out->push_back(std::move(*v));
      } else {
        std::string name = l->getText();
        if (name.find(':') != std::string::npos) {
          Error(Range(l), "unexpected " + std::string("metric identifier ") + GoQuote(name) +
                              " in grouping opts, expected label");
          return false;
        }
        out->push_back(std::move(name));
      }
    }
    return true;
  }

  ExprPtr Selector(P::MetricNameContext* name, P::LabelMatchersContext* lm, PosRange pos) {
    auto vs = std::make_unique<VectorSelector>();
    vs->pos = pos;
    if (lm != nullptr) {
      for (auto* m : lm->labelMatcher()) {
        if (auto* q = dynamic_cast<P::QuotedMetricNameContext*>(m)) {
          auto v = Unquote(q->STRING());
          if (!v) return nullptr;
          if (!AddMatcher(vs.get(), MatchType::kEqual, std::string(kMetricName), *v, Range(q))) {
            return nullptr;
          }
          continue;
        }
        auto* w = static_cast<P::MatcherWithOpContext*>(m);
        std::string label;
        if (w->IDENTIFIER()) {
          label = w->IDENTIFIER()->getText();
        } else {
          auto v = Unquote(w->STRING(0));
          if (!v) return nullptr;
          label = std::move(*v);
        }
        auto* value_tok = w->IDENTIFIER() ? w->STRING(0) : w->STRING(1);
        auto value = Unquote(value_tok);
        if (!value) return nullptr;
        MatchType type = MatchType::kEqual;
        switch (w->matchOp()->getStart()->getType()) {
          case PromQLLexer::NEQ: type = MatchType::kNotEqual; break;
          case PromQLLexer::EQL_REGEX: type = MatchType::kRegexp; break;
          case PromQLLexer::NEQ_REGEX: type = MatchType::kNotRegexp; break;
          default: break;
        }
        if (!AddMatcher(vs.get(), type, std::move(label), std::move(*value), Range(w))) {
          return nullptr;
        }
      }
    }
    if (name != nullptr) {
      vs->name = name->getText();
      if (!AddMatcher(vs.get(), MatchType::kEqual, std::string(kMetricName), vs->name,
                      Range(name))) {
        return nullptr;
      }
    }
    return vs;
  }

  bool AddMatcher(VectorSelector* vs, MatchType type, std::string name, std::string value,
                  PosRange pos) {
    std::string err;
    auto m = Matcher::Make(type, std::move(name), std::move(value), &err);
    if (!m) {
      Error(pos, err);
      return false;
    }
    vs->matchers.push_back(std::move(m));
    return true;
  }

  ExprPtr Binary(P::BinaryExprContext* c) {
    auto lhs = BuildExpr(c->expr(0));
    if (!lhs) return nullptr;
    auto rhs = BuildExpr(c->expr(1));
    if (!rhs) return nullptr;
    auto b = std::make_unique<BinaryExpr>();
    b->pos = Range(c);
    b->op = BinaryOpFromToken(c->op->getType());
    b->lhs = std::move(lhs);
    b->rhs = std::move(rhs);
    VectorMatching vm;
    auto* mods = c->binModifiers();
    b->return_bool = mods->BOOL() != nullptr;
    if (auto* oi = mods->onOrIgnoring()) {
      vm.on = oi->ON() != nullptr;
      if (!GroupingLabels(oi->groupingLabels(), &vm.matching_labels)) return nullptr;
      if (auto* gm = mods->groupModifier()) {
        vm.card = gm->GROUP_LEFT() ? Cardinality::kManyToOne : Cardinality::kOneToMany;
        if (auto* gl = gm->groupingLabels()) {
          if (!GroupingLabels(gl, &vm.include)) return nullptr;
        }
      }
    }
    for (auto* f : mods->fillModifier()) {
      auto v = ParseNumber(f->NUMBER()->getText());
      if (!v) {
        Error(Range(f), "error parsing number: " + f->NUMBER()->getText());
        return nullptr;
      }
      double val = f->SUB() ? -*v : *v;
      size_t kind = f->getStart()->getType();
      bool left = kind == PromQLLexer::FILL || kind == PromQLLexer::FILL_LEFT;
      bool right = kind == PromQLLexer::FILL || kind == PromQLLexer::FILL_RIGHT;
      if ((left && vm.fill_lhs) || (right && vm.fill_rhs)) {
        Error(Range(f), "duplicate fill modifier");
        return nullptr;
      }
      if (left) vm.fill_lhs = val;
      if (right) vm.fill_rhs = val;
    }
    if ((vm.fill_lhs || vm.fill_rhs) && !ctx_.options.binop_fill_modifiers) {
      Error(b->pos, "binop fill modifiers are experimental and not enabled");
      return nullptr;
    }
    b->matching = std::move(vm);
    return b;
  }

  static BinaryOp BinaryOpFromToken(size_t t) {
    switch (t) {
      case PromQLLexer::SUB: return BinaryOp::kSub;
      case PromQLLexer::MUL: return BinaryOp::kMul;
      case PromQLLexer::DIV: return BinaryOp::kDiv;
      case PromQLLexer::MOD: return BinaryOp::kMod;
      case PromQLLexer::POW: return BinaryOp::kPow;
      case PromQLLexer::ATAN2: return BinaryOp::kAtan2;
      case PromQLLexer::EQLC: return BinaryOp::kEql;
      case PromQLLexer::NEQ: return BinaryOp::kNeq;
      case PromQLLexer::GTR: return BinaryOp::kGtr;
      case PromQLLexer::LSS: return BinaryOp::kLss;
      case PromQLLexer::GTE: return BinaryOp::kGte;
      case PromQLLexer::LTE: return BinaryOp::kLte;
      case PromQLLexer::AND: return BinaryOp::kAnd;
      case PromQLLexer::OR: return BinaryOp::kOr;
      case PromQLLexer::UNLESS: return BinaryOp::kUnless;
      case PromQLLexer::TRIM_UPPER: return BinaryOp::kTrimUpper;
      case PromQLLexer::TRIM_LOWER: return BinaryOp::kTrimLower;
      default: return BinaryOp::kAdd;
    }
  }

  ExprPtr Unary(P::UnaryExprContext* c) {
    auto inner = BuildExpr(c->expr());
    if (!inner) return nullptr;
    bool negate = c->SUB() != nullptr;
    PosRange pos = Range(c);
    // As upstream: a sign directly on a number literal folds into the literal.
    if (inner->kind() == NodeKind::kNumberLiteral) {
      auto& n = inner->As<NumberLiteral>();
      if (negate) n.value = -n.value;
      n.pos.start = pos.start;
      return inner;
    }
    auto u = std::make_unique<UnaryExpr>();
    u->pos = pos;
    u->negate = negate;
    u->expr = std::move(inner);
    return u;
  }

  // ---- durations ----

  // A plain literal (optionally signed when allow_sign) needs no duration-expression support.
  static bool IsPlainLiteral(const DurationExpr& d) {
    return d.op == DurationExpr::Op::kLiteral && !d.wrapped;
  }

  DurationExprPtr Dur(P::DurationExprContext* d) {
    if (++depth_ > kMaxDepth) {
      Error(Range(d), "expression nested too deeply");
      --depth_;
      return nullptr;
    }
    DurationExprPtr out = DurInner(d);
    --depth_;
    return out;
  }

  DurationExprPtr DurInner(P::DurationExprContext* d) {
    if (auto* a = dynamic_cast<P::DurAtomContext*>(d)) return DurAtom(a->durationAtom());
    if (auto* u = dynamic_cast<P::DurUnaryContext*>(d)) {
      auto inner = Dur(u->durationExpr());
      if (!inner) return nullptr;
      return ApplySign(std::move(inner), u->SUB() != nullptr, Range(u));
    }
    auto* b = static_cast<P::DurBinaryContext*>(d);
    auto lhs = Dur(b->durationExpr(0));
    if (!lhs) return nullptr;
    auto rhs = Dur(b->durationExpr(1));
    if (!rhs) return nullptr;
    auto out = std::make_unique<DurationExpr>();
    out->pos = Range(b);
    switch (b->op->getType()) {
      case PromQLLexer::ADD: out->op = DurationExpr::Op::kAdd; break;
      case PromQLLexer::SUB: out->op = DurationExpr::Op::kSub; break;
      case PromQLLexer::MUL: out->op = DurationExpr::Op::kMul; break;
      case PromQLLexer::DIV: out->op = DurationExpr::Op::kDiv; break;
      case PromQLLexer::MOD: out->op = DurationExpr::Op::kMod; break;
      default: out->op = DurationExpr::Op::kPow; break;
    }
    out->lhs = std::move(lhs);
    out->rhs = std::move(rhs);
    return out;
  }

  DurationExprPtr ApplySign(DurationExprPtr inner, bool negate, PosRange pos) {
    if (!negate) {
      inner->pos.start = pos.start;
      return inner;
    }
    if (IsPlainLiteral(*inner)) {
      inner->value_seconds = -inner->value_seconds;
      inner->pos.start = pos.start;
      return inner;
    }
    auto out = std::make_unique<DurationExpr>();
    out->op = DurationExpr::Op::kNeg;
    out->pos = pos;
    out->rhs = std::move(inner);
    return out;
  }

  DurationExprPtr DurAtom(P::DurationAtomContext* a) {
    auto out = std::make_unique<DurationExpr>();
    out->pos = Range(a);
    if (auto* n = dynamic_cast<P::DurNumberContext*>(a)) {
      auto v = ParseNumber(n->NUMBER()->getText());
      if (!v) {
        Error(out->pos, "error parsing number: " + n->getText());
        return nullptr;
      }
      out->value_seconds = *v;
      return out;
    }
    if (auto* l = dynamic_cast<P::DurLiteralContext*>(a)) {
      auto ms = Duration(l->DURATION());
      if (!ms) return nullptr;
      out->value_seconds = static_cast<double>(*ms) / 1000.0;
      out->duration_unit = true;
      return out;
    }
    if (auto* p = dynamic_cast<P::DurParenContext*>(a)) {
      auto inner = Dur(p->durationExpr());
      if (!inner) return nullptr;
      inner->wrapped = true;
      inner->pos = out->pos;
      return inner;
    }
    auto* c = static_cast<P::DurCallContext*>(a);
    std::string name = Lower(c->IDENTIFIER()->getText());
    auto args = c->durationExpr();
    size_t want;
    if (name == "step") {
      out->op = DurationExpr::Op::kStep;
      want = 0;
    } else if (name == "range") {
      out->op = DurationExpr::Op::kRange;
      want = 0;
    } else if (name == "min_of") {
      out->op = DurationExpr::Op::kMinOf;
      want = 2;
    } else if (name == "max_of") {
      out->op = DurationExpr::Op::kMaxOf;
      want = 2;
    } else {
      Error(Range(c->IDENTIFIER()),
            "unknown function with name " + GoQuote(c->IDENTIFIER()->getText()) +
                " in duration expression");
      return nullptr;
    }
    if (args.size() != want) {
      Error(out->pos, "expected " + std::to_string(want) + " argument(s) in call to " +
                          GoQuote(name) + ", got " + std::to_string(args.size()));
      return nullptr;
    }
    if (want == 2) {
      out->lhs = Dur(args[0]);
      if (!out->lhs) return nullptr;
      out->rhs = Dur(args[1]);
      if (!out->rhs) return nullptr;
    }
    return out;
  }

  // Splits a duration into (ms, expr): plain literals become milliseconds, anything else
  // stays an expression and needs the duration-expressions feature.
  bool ResolveDuration(DurationExprPtr d, int64_t* ms, DurationExprPtr* expr) {
    if (IsPlainLiteral(*d)) {
      double v = d->value_seconds * 1000.0;
      if (!std::isfinite(v) || v >= 9.2e18 || v <= -9.2e18) {
        Error(d->pos, "duration out of range");
        return false;
      }
      // Unit literals ("1001ms") are whole milliseconds; rounding undoes the seconds round trip.
      *ms = d->duration_unit ? std::llround(v) : static_cast<int64_t>(v);
      return true;
    }
    if (!ctx_.options.duration_expressions) {
      Error(d->pos, "experimental duration expression is not enabled");
      return false;
    }
    *expr = std::move(d);
    return true;
  }

  // Ranges and subquery steps: a literal must be greater than 0 (Prometheus's
  // positive_duration_expr; duration expressions are checked when evaluated).
  bool ResolvePositiveDuration(DurationExprPtr d, int64_t* ms, DurationExprPtr* expr) {
    if (IsPlainLiteral(*d) && !(d->value_seconds > 0)) {
      Error(d->pos, "duration must be greater than 0");
      return false;
    }
    return ResolveDuration(std::move(d), ms, expr);
  }

  // ---- postfix modifiers ----

  ExprPtr RangeOrSubquery(P::RangeExprContext* c) {
    auto inner = BuildExpr(c->expr());
    if (!inner) return nullptr;
    auto* spec = c->rangeSpec();
    auto range = Dur(spec->durationExpr(0));
    if (!range) return nullptr;
    PosRange brackets = Range(c->LEFT_BRACKET()->getSymbol(), c->RIGHT_BRACKET()->getSymbol());
    PosRange pos{inner->pos.start, brackets.end};

    if (spec->COLON() == nullptr) {
      std::string err;
      if (inner->kind() != NodeKind::kVectorSelector) {
        err = "ranges only allowed for vector selectors";
      } else {
        const auto& vs = inner->As<VectorSelector>();
        if (vs.original_offset_ms != 0 || vs.offset_expr) {
          err = "no offset modifiers allowed before range";
        } else if (vs.timestamp_ms || vs.start_or_end != AtPreprocessor::kNone) {
          err = "no @ modifiers allowed before range";
        }
      }
      if (!err.empty()) {
        Error(brackets, err);
        return nullptr;
      }
      auto ms = std::make_unique<MatrixSelector>();
      ms->pos = pos;
      if (!ResolvePositiveDuration(std::move(range), &ms->range_ms, &ms->range_expr)) return nullptr;
      ms->vector_selector.reset(static_cast<VectorSelector*>(inner.release()));
      return ms;
    }

    auto sq = std::make_unique<SubqueryExpr>();
    sq->pos = pos;
    if (!ResolvePositiveDuration(std::move(range), &sq->range_ms, &sq->range_expr)) return nullptr;
    if (spec->durationExpr().size() > 1) {
      auto step = Dur(spec->durationExpr(1));
      if (!step) return nullptr;
      if (!ResolvePositiveDuration(std::move(step), &sq->step_ms, &sq->step_expr)) return nullptr;
    }
    sq->expr = std::move(inner);
    return sq;
  }

  // The node an offset/@ applies to, with pointers to its fields; null after an error.
  struct ModifierTarget {
    int64_t* offset_ms = nullptr;
    DurationExprPtr* offset_expr = nullptr;
    std::optional<int64_t>* timestamp = nullptr;
    AtPreprocessor* start_or_end = nullptr;
  };

  bool Target(Expr& e, ModifierTarget* t) {
    switch (e.kind()) {
      case NodeKind::kVectorSelector: {
        auto& vs = e.As<VectorSelector>();
        *t = {&vs.original_offset_ms, &vs.offset_expr, &vs.timestamp_ms, &vs.start_or_end};
        return true;
      }
      case NodeKind::kMatrixSelector: {
        auto& vs = *e.As<MatrixSelector>().vector_selector;
        *t = {&vs.original_offset_ms, &vs.offset_expr, &vs.timestamp_ms, &vs.start_or_end};
        return true;
      }
      case NodeKind::kSubquery: {
        auto& sq = e.As<SubqueryExpr>();
        *t = {&sq.original_offset_ms, &sq.offset_expr, &sq.timestamp_ms, &sq.start_or_end};
        return true;
      }
      default: return false;
    }
  }

  ExprPtr Offset(P::OffsetExprContext* c) {
    auto inner = BuildExpr(c->expr());
    if (!inner) return nullptr;
    ModifierTarget t;
    if (!Target(*inner, &t)) {
      Error(inner->pos,
            "offset modifier must be preceded by an instant vector selector or range vector "
            "selector or a subquery");
      return nullptr;
    }
    if (*t.offset_ms != 0 || *t.offset_expr) {
      Error(inner->pos, "offset may not be set multiple times");
      return nullptr;
    }
    auto* ov = c->offsetValue();
    auto d = DurAtom(ov->durationAtom());
    if (!d) return nullptr;
    if (ov->SUB() || ov->ADD()) d = ApplySign(std::move(d), ov->SUB() != nullptr, Range(ov));
    if (!ResolveDuration(std::move(d), t.offset_ms, t.offset_expr)) return nullptr;
    inner->pos.end = Range(c).end;
    return inner;
  }

  ExprPtr At(P::AtExprContext* c) {
    auto inner = BuildExpr(c->expr());
    if (!inner) return nullptr;
    ModifierTarget t;
    if (!Target(*inner, &t)) {
      Error(inner->pos,
            "@ modifier must be preceded by an instant vector selector or range vector selector "
            "or a subquery");
      return nullptr;
    }
    if (*t.timestamp || *t.start_or_end != AtPreprocessor::kNone) {
      Error(inner->pos, "@ <timestamp> may not be set multiple times");
      return nullptr;
    }
    if (auto* n = dynamic_cast<P::AtNumberContext*>(c->atValue())) {
      std::optional<double> v;
      if (n->DURATION()) {
        auto ms = Duration(n->DURATION());
        if (!ms) return nullptr;
        v = static_cast<double>(*ms) / 1000.0;
      } else {
        v = ParseNumber(n->NUMBER()->getText());
      }
      if (!v) {
        Error(Range(n), "error parsing number: " + n->getText());
        return nullptr;
      }
      double ts = n->SUB() ? -*v : *v;
      if (!std::isfinite(ts) || ts >= 9223372036854775807.0 || ts <= -9223372036854775808.0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%f", ts);
        std::string s = buf;
        if (std::isinf(ts)) s = ts > 0 ? "+Inf" : "-Inf";
        if (std::isnan(ts)) s = "NaN";
        Error(inner->pos, "timestamp out of bounds for @ modifier: " + s);
        return nullptr;
      }
      double ms = std::round(ts * 1000.0);
      if (ms >= 9223372036854775807.0 || ms <= -9223372036854775808.0) {
        Error(inner->pos, "timestamp out of bounds for @ modifier");
        return nullptr;
      }
      *t.timestamp = static_cast<int64_t>(ms);
    } else {
      auto* p = static_cast<P::AtPreprocessorContext*>(c->atValue());
      std::string name = Lower(p->IDENTIFIER()->getText());
      if (name == "start") {
        *t.start_or_end = AtPreprocessor::kStart;
      } else if (name == "end") {
        *t.start_or_end = AtPreprocessor::kEnd;
      } else {
        Error(Range(p->IDENTIFIER()),
              "unexpected identifier " + GoQuote(p->IDENTIFIER()->getText()) +
                  " in @, expected timestamp");
        return nullptr;
      }
    }
    inner->pos.end = Range(c).end;
    return inner;
  }

  ExprPtr Extended(P::ExtendedExprContext* c) {
    auto inner = BuildExpr(c->expr());
    if (!inner) return nullptr;
    bool anchored = c->ANCHORED() != nullptr;
    const char* what = anchored ? "anchored" : "smoothed";
    if (!ctx_.options.extended_range_selectors) {
      Error(inner->pos, std::string(what) + " modifier is experimental and not enabled");
      return nullptr;
    }
    VectorSelector* vs = nullptr;
    if (inner->kind() == NodeKind::kVectorSelector) {
      vs = &inner->As<VectorSelector>();
    } else if (inner->kind() == NodeKind::kMatrixSelector) {
      vs = inner->As<MatrixSelector>().vector_selector.get();
    } else if (inner->kind() == NodeKind::kSubquery) {
      Error(inner->pos, std::string(what) + " modifier is not supported for subqueries");
      return nullptr;
    } else {
      Error(inner->pos, std::string(what) + " modifier not implemented");
      return nullptr;
    }
    if (anchored) {
      vs->anchored = true;
    } else {
      vs->smoothed = true;
    }
    if (vs->anchored && vs->smoothed) {
      Error(inner->pos, "anchored and smoothed modifiers cannot be used together");
      return nullptr;
    }
    inner->pos.end = Range(c).end;
    return inner;
  }

  BuildContext& ctx_;
  int depth_ = 0;
};

}  // namespace

ExprPtr BuildAst(void* tree, BuildContext& ctx) {
  Builder b(ctx);
  return b.BuildExpr(static_cast<P::ExprContext*>(tree));
}

ExprPtr BuildSelector(void* tree, BuildContext& ctx) {
  Builder b(ctx);
  return b.BuildSelector(static_cast<P::MetricSelectorContext*>(tree));
}

}  // namespace meridian::promql
