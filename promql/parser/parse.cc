// Drives the ANTLR lexer/parser and turns the parse tree into our AST (ast_builder.cc), then
// type-checks it (checker.cc). ANTLR types stay inside this translation unit and the builder.

#include "promql/parser/parse.h"
#include "model/strings.h"

#include <algorithm>
#include <memory>

#include "PromQLLexer.h"
#include "PromQLParser.h"
#include "antlr4-runtime.h"
#include "promql/parser/internal.h"
#include "promql/parser/lex_util.h"

namespace meridian::promql {
namespace {

using antlr::PromQLLexer;
using antlr::PromQLParser;

// Prometheus's Item.desc(): how an unexpected token is named in error messages.
std::string DescribeToken(const antlr4::Token* t) {
  const std::string text = t->getText();
  auto quoted = [&] { return GoQuote(text); };
  switch (t->getType()) {
    case antlr4::Token::EOF: return "end of input";
    case PromQLLexer::NUMBER: return "number " + quoted();
    case PromQLLexer::DURATION: return "duration " + quoted();
    case PromQLLexer::STRING: return "string " + quoted();
    case PromQLLexer::IDENTIFIER: return "identifier " + quoted();
    case PromQLLexer::METRIC_IDENTIFIER: return "metric identifier " + quoted();
    case PromQLLexer::SUM: case PromQLLexer::AVG: case PromQLLexer::COUNT: case PromQLLexer::MIN:
    case PromQLLexer::MAX: case PromQLLexer::GROUP: case PromQLLexer::STDDEV:
    case PromQLLexer::STDVAR: case PromQLLexer::TOPK: case PromQLLexer::BOTTOMK:
    case PromQLLexer::COUNT_VALUES: case PromQLLexer::QUANTILE: case PromQLLexer::LIMITK:
    case PromQLLexer::LIMIT_RATIO:
      return "<aggr:" + text + ">";
    case PromQLLexer::AND: case PromQLLexer::OR: case PromQLLexer::UNLESS:
    case PromQLLexer::ATAN2: case PromQLLexer::ADD: case PromQLLexer::SUB:
    case PromQLLexer::MUL: case PromQLLexer::DIV: case PromQLLexer::MOD: case PromQLLexer::POW:
    case PromQLLexer::EQLC: case PromQLLexer::NEQ: case PromQLLexer::GTE: case PromQLLexer::LTE:
    case PromQLLexer::GTR: case PromQLLexer::LSS: case PromQLLexer::EQL_REGEX:
    case PromQLLexer::NEQ_REGEX: case PromQLLexer::AT: case PromQLLexer::TRIM_UPPER:
    case PromQLLexer::TRIM_LOWER:
      return "<op:" + text + ">";
    case PromQLLexer::OFFSET: case PromQLLexer::BY: case PromQLLexer::WITHOUT:
    case PromQLLexer::ON: case PromQLLexer::IGNORING: case PromQLLexer::GROUP_LEFT:
    case PromQLLexer::GROUP_RIGHT: case PromQLLexer::BOOL: case PromQLLexer::ANCHORED:
    case PromQLLexer::SMOOTHED: case PromQLLexer::FILL: case PromQLLexer::FILL_LEFT:
    case PromQLLexer::FILL_RIGHT:
      return "<" + text + ">";
    default: return quoted();
  }
}

// The lexer turns any character it cannot use into an UNEXPECTED token; upstream's lexer
// reports those itself, with these messages.
std::string LexerMessage(const antlr4::Token* t) {
  const std::string text = t->getText();
  if (text == "\"" || text == "'") return "unterminated quoted string";
  if (text == "`") return "unterminated raw string";
  return "unexpected character: " + GoQuote(text);
}

class FirstErrorListener : public antlr4::BaseErrorListener {
 public:
  explicit FirstErrorListener(const OffsetMap& offsets) : offsets_(offsets) {}

  void syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t, size_t,
                   const std::string& msg, std::exception_ptr) override {
    if (has_error) return;
    has_error = true;
    if (offending == nullptr) {
      error.message = "syntax error: " + msg;
      return;
    }
    size_t start = offending->getStartIndex();
    if (offending->getType() == antlr4::Token::EOF) start = offsets_.code_points();
    error.pos.start = offsets_.Byte(start);
    error.pos.end = offsets_.Byte(offending->getType() == antlr4::Token::EOF
                                      ? start
                                      : offending->getStopIndex() + 1);
    if (offending->getType() == PromQLLexer::UNEXPECTED) {
      error.message = LexerMessage(offending);
    } else {
      error.message = "unexpected " + DescribeToken(offending);
    }
  }

  bool has_error = false;
  ParseError error;

 private:
  const OffsetMap& offsets_;
};

// Rejects inputs whose nesting would make the recursive-descent parser (and our recursive
// tree code) run out of stack. Prometheus has no such limit, but no sane query comes close.
constexpr int kMaxNesting = 256;

bool TooDeep(antlr4::CommonTokenStream& tokens, PosRange* where, const OffsetMap& offsets) {
  int depth = 0;
  int chain = 0;  // prefix signs and '^', each adds a level of recursion
  size_t prev = antlr4::Token::INVALID_TYPE;
  for (antlr4::Token* t : tokens.getTokens()) {
    size_t ty = t->getType();
    switch (ty) {
      case PromQLLexer::LEFT_PAREN: case PromQLLexer::LEFT_BRACKET: case PromQLLexer::LEFT_BRACE:
        ++depth;
        break;
      case PromQLLexer::RIGHT_PAREN: case PromQLLexer::RIGHT_BRACKET:
      case PromQLLexer::RIGHT_BRACE:
        --depth;
        break;
      case PromQLLexer::POW: ++chain; break;
      case PromQLLexer::ADD: case PromQLLexer::SUB:
        if (prev != PromQLLexer::NUMBER && prev != PromQLLexer::DURATION &&
            prev != PromQLLexer::STRING && prev != PromQLLexer::IDENTIFIER &&
            prev != PromQLLexer::METRIC_IDENTIFIER && prev != PromQLLexer::RIGHT_PAREN &&
            prev != PromQLLexer::RIGHT_BRACKET && prev != PromQLLexer::RIGHT_BRACE) {
          ++chain;
        }
        break;
      default: break;
    }
    if (depth + chain > kMaxNesting) {
      where->start = offsets.Byte(t->getStartIndex());
      where->end = where->start + 1;
      return true;
    }
    prev = ty;
  }
  return false;
}

}  // namespace

OffsetMap::OffsetMap(std::string_view input) : size_(static_cast<int>(input.size())) {
  bool ascii = std::all_of(input.begin(), input.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return;
  for (size_t i = 0; i < input.size(); ++i) {
    if ((static_cast<unsigned char>(input[i]) & 0xC0) != 0x80) {
      byte_of_.push_back(static_cast<int>(i));
    }
  }
  byte_of_.push_back(static_cast<int>(input.size()));
}

int OffsetMap::Byte(size_t code_point) const {
  if (byte_of_.empty()) return static_cast<int>(std::min<size_t>(code_point, size_));
  if (code_point >= byte_of_.size()) return size_;
  return byte_of_[code_point];
}

size_t OffsetMap::code_points() const {
  return byte_of_.empty() ? static_cast<size_t>(size_) : byte_of_.size() - 1;
}

std::string ParseError::ToString(std::string_view query) const {
  std::string where;
  if (query.empty()) {
    where = "unknown position";
  } else if (pos.start < 0 || static_cast<size_t>(pos.start) > query.size()) {
    where = "invalid position";
  } else {
    std::string_view before = query.substr(0, pos.start);
    int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    size_t nl = before.rfind('\n');
    int col = nl == std::string_view::npos ? pos.start + 1 : pos.start - static_cast<int>(nl);
    where = std::to_string(line) + ":" + std::to_string(col);
  }
  return where + ": parse error: " + message;
}

std::string ParseResult::ErrorString() const {
  if (errors.empty()) return "";
  return errors.front().ToString(query);
}

ParseResult ParseExpr(std::string_view input, const ParseOptions& options) {
  ParseResult result;
  result.query = std::string(input);
  auto fail = [&](PosRange pos, std::string msg) {
    result.expr.reset();
    result.errors.push_back(ParseError{pos, std::move(msg)});
    return std::move(result);
  };

  if (size_t bad = FindInvalidUtf8(input); bad != std::string_view::npos) {
    return fail({static_cast<int>(bad), static_cast<int>(bad) + 1}, "invalid UTF-8 rune");
  }
  OffsetMap offsets(input);

  try {
    antlr4::ANTLRInputStream stream(result.query);
    PromQLLexer lexer(&stream);
    lexer.removeErrorListeners();
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();

    PosRange deep;
    if (TooDeep(tokens, &deep, offsets)) return fail(deep, "expression nested too deeply");

    PromQLParser parser(&tokens);
    parser.removeErrorListeners();

    // Fast path: SLL prediction, bail out on the first error; retry with full LL only then.
    PromQLParser::ExpressionContext* tree = nullptr;
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    try {
      tree = parser.expression();
    } catch (const antlr4::ParseCancellationException&) {
      tree = nullptr;
    }
    FirstErrorListener listener(offsets);
    if (tree == nullptr) {
      tokens.seek(0);
      parser.reset();
      parser.addErrorListener(&listener);
      parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
      parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
          antlr4::atn::PredictionMode::LL);
      tree = parser.expression();
      if (listener.has_error) return fail(listener.error.pos, listener.error.message);
    }

    if (tree->expr() == nullptr) {
      // Prometheus reports the empty query without a usable position.
      return fail({0, 0}, "no expression found in input");
    }
    BuildContext ctx{options, input, offsets, {}};
    ExprPtr expr = BuildAst(tree->expr(), ctx);
    if (!ctx.errors.empty() || !expr) {
      result.errors = std::move(ctx.errors);
      if (result.errors.empty()) result.errors.push_back({{0, 0}, "unexpected error"});
      return result;
    }
    std::vector<ParseError> check_errors = CheckAst(*expr, input);
    if (!check_errors.empty()) {
      result.errors = std::move(check_errors);
      return result;
    }
    result.expr = std::move(expr);
    return result;
  } catch (const std::exception& e) {
    return fail({0, 0}, std::string("unexpected error: ") + e.what());
  } catch (...) {
    return fail({0, 0}, "unexpected error");
  }
}

Matchers ParseMetricSelector(std::string_view input, std::string* error) {
  ParseResult r = ParseExpr(input, ParseOptions{});
  if (!r.ok()) {
    *error = r.ErrorString();
    return {};
  }
  if (r.expr->kind() != NodeKind::kVectorSelector) {
    *error = ParseError{{0, 0}, "expected a metric selector"}.ToString(input);
    return {};
  }
  const auto& vs = r.expr->As<VectorSelector>();
  if (vs.original_offset_ms != 0 || vs.offset_expr || vs.timestamp_ms ||
      vs.start_or_end != AtPreprocessor::kNone || vs.anchored || vs.smoothed) {
    *error = ParseError{{0, 0}, "expected a metric selector without modifiers"}.ToString(input);
    return {};
  }
  return vs.matchers;
}

}  // namespace meridian::promql
