// Drives the ANTLR lexer/parser and turns the parse tree into our AST (ast_builder.cc), then
// type-checks it (checker.cc). ANTLR types stay inside this translation unit and the builder.

#include "promql/parser/parse.h"
#include "model/strings.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include "PromQLLexer.h"
#include "PromQLParser.h"
#include "antlr4-runtime.h"
#include "promql/parser/internal.h"
#include "promql/parser/lex_util.h"

namespace meridian::promql {
namespace {

using antlr::PromQLLexer;
using antlr::PromQLParser;

// Go's %q of a single rune ('x'), as Prometheus's lexer prints offending characters.
std::string QuoteRune(std::string_view ch) {
  if (ch == "'") return "'\\''";
  std::string q = GoQuote(ch);
  std::string inner = q.substr(1, q.size() - 2);
  if (inner == "\\\"") inner = "\"";
  return "'" + inner + "'";
}

// The code point starting at byte i of input ("" at the end), for the messages that name the
// character after '!' or '='.
std::string_view RuneAt(std::string_view input, size_t i) {
  if (i >= input.size()) return "\xef\xbf\xbd";  // Go's %q of eof (-1) prints U+FFFD
  size_t n = 1;
  while (i + n < input.size() && (static_cast<unsigned char>(input[i + n]) & 0xC0) == 0x80) ++n;
  return input.substr(i, n);
}

bool IsPreprocessorWord(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "start" || lower == "end" || lower == "step" || lower == "range";
}

// Prometheus's Item.String() for items without a fixed spelling: %q, cut to 10 characters
// ("%.10q...") when longer.
std::string QuoteValue(const std::string& text) {
  size_t runes = 0;
  size_t cut = text.size();
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (runes == 10) {
        cut = i;
        break;
      }
      ++runes;
    }
  }
  if (cut == text.size()) return GoQuote(text);
  return GoQuote(std::string_view(text).substr(0, cut)) + "...";
}

// Prometheus's Item.desc(): how an unexpected token is named in error messages.
std::string DescribeToken(const antlr4::Token* t) {
  const std::string text = t->getText();
  switch (t->getType()) {
    case antlr4::Token::EOF: return "end of input";
    case PromQLLexer::NUMBER: return "number " + QuoteValue(text);
    case PromQLLexer::DURATION: return "duration " + QuoteValue(text);
    case PromQLLexer::STRING: return "string " + QuoteValue(text);
    case PromQLLexer::IDENTIFIER:
      // start, end, step and range are keywords of upstream's lexer, printed as plain %q.
      if (IsPreprocessorWord(text)) return GoQuote(text);
      return "identifier " + GoQuote(text);
    case PromQLLexer::METRIC_IDENTIFIER: return "metric identifier " + GoQuote(text);
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
    default: return GoQuote(text);
  }
}

// Upstream's lexer is a state machine driven by the parser and reports some errors itself
// (unclosed parentheses, end of input inside braces, characters it cannot use). The parser
// sees such an error in place of the token, so it wins over a syntax error at that token or
// later and loses to one at an earlier token. ANTLR's lexer cannot know the parenthesis depth
// or the state upstream is in, so this replays upstream's states over our tokens and finds
// the first error upstream's lexer would give.
struct LexError {
  size_t token_index;
  PosRange pos;
  std::string message;
};

std::optional<LexError> FindLexError(const std::vector<antlr4::Token*>& tokens,
                                     std::string_view input, const OffsetMap& offsets) {
  const int end_of_input = offsets.Byte(offsets.code_points());
  int parens = 0;
  bool in_braces = false;
  bool in_brackets = false;
  // Inside brackets upstream lexes with lexDurationExpr until a number or duration, and with
  // lexStatements from there on; the two report different errors.
  bool duration_state = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const antlr4::Token* t = tokens[i];
    const size_t type = t->getType();
    const int start = offsets.Byte(t->getStartIndex());
    auto error = [&](int at, std::string msg) {
      // Upstream's lexer errors span from the error to the end of the input.
      return LexError{i, {at, end_of_input}, std::move(msg)};
    };
    if (type == antlr4::Token::EOF) {
      if (in_braces) return error(end_of_input, "unexpected end of input inside braces");
      if (in_brackets && duration_state) {
        return error(end_of_input, "unexpected end of input in duration expression");
      }
      if (parens != 0) return error(end_of_input, "unclosed left parenthesis");
      if (in_brackets) return error(end_of_input, "unclosed left bracket");
      return std::nullopt;
    }
    const std::string text = t->getText();
    if (type == PromQLLexer::UNEXPECTED) {
      const std::string next(RuneAt(input, static_cast<size_t>(start) + text.size()));
      if (in_braces) {
        if (text == "\"" || text == "'") return error(start, "unterminated quoted string");
        if (text == "`") return error(start, "unterminated raw string");
        if (text == "!") {
          return error(start, "unexpected character after '!' inside braces: " + QuoteRune(next));
        }
        if (text == "{") return error(start, "unexpected left brace '{'");
        return error(start, "unexpected character inside braces: " + QuoteRune(text));
      }
      if (in_brackets && duration_state) {
        return error(start, "unexpected character in duration expression: " + QuoteRune(text));
      }
      if (text == "\"" || text == "'") return error(start, "unterminated quoted string");
      if (text == "`") return error(start, "unterminated raw string");
      if (text == "!") return error(start, "unexpected character after '!': " + QuoteRune(next));
      if (in_brackets && text == "[") return error(start, "unexpected left bracket '['");
      return error(start, "unexpected character: " + QuoteRune(text));
    }
    if (in_braces) {
      if (type == PromQLLexer::RIGHT_BRACE) in_braces = false;
      continue;
    }
    switch (type) {
      case PromQLLexer::LEFT_PAREN: ++parens; break;
      case PromQLLexer::RIGHT_PAREN:
        // Reported after the parenthesis: upstream emits it, then fails.
        if (--parens < 0) {
          return error(offsets.Byte(t->getStopIndex() + 1), "unexpected right parenthesis ')'");
        }
        break;
      case PromQLLexer::LEFT_BRACE: in_braces = true; break;
      case PromQLLexer::LEFT_BRACKET:
        in_brackets = true;
        duration_state = true;
        break;
      case PromQLLexer::RIGHT_BRACKET:
        if (!in_brackets) return error(start, "unexpected right bracket ']'");
        in_brackets = false;
        duration_state = false;
        break;
      case PromQLLexer::NUMBER: case PromQLLexer::DURATION:
        if (in_brackets) duration_state = false;
        break;
      case PromQLLexer::EQL_REGEX:
        return error(start, "unexpected character after '=': '~'");
      case PromQLLexer::NEQ_REGEX:
        return error(start, "unexpected character after '!': '~'");
      case PromQLLexer::IDENTIFIER:
        if (in_brackets) {
          // Only the duration functions are words inside brackets; upstream stops at the
          // first letter of anything else.
          std::string lower = text;
          for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (lower == "step" || lower == "range" || lower == "min_of" || lower == "max_of" ||
              lower == "min" || lower == "max") {
            break;
          }
          const std::string first(RuneAt(input, static_cast<size_t>(start)));
          if (duration_state) {
            return error(start, "unexpected character in duration expression: " + QuoteRune(first));
          }
          return error(start, "unexpected character: " + QuoteRune(first) + ", expected ':'");
        }
        break;
      default: break;
    }
  }
  return std::nullopt;
}

bool IsMatchOp(size_t type) {
  return type == PromQLLexer::EQL || type == PromQLLexer::NEQ || type == PromQLLexer::EQL_REGEX ||
         type == PromQLLexer::NEQ_REGEX;
}

// The " in <context>, expected <what>" part upstream's grammar adds through its `error`
// productions: after a syntax error yacc unwinds to the innermost state that can shift
// `error`. That state corresponds to the innermost rule of ours still open at the error, so
// this walks ANTLR's rule stack outwards and reads the tokens before the offending one.
std::string ErrorContext(antlr4::ParserRuleContext* ctx, const std::vector<antlr4::Token*>& tokens,
                         size_t index) {
  using P = PromQLParser;
  const size_t prev = index > 0 ? tokens[index - 1]->getType() : antlr4::Token::INVALID_TYPE;
  const size_t offending = tokens[index]->getType();
  bool in_duration = false;  // inside a duration expression that is not complete yet
  for (auto* c = ctx; c != nullptr; c = dynamic_cast<antlr4::ParserRuleContext*>(c->parent)) {
    if (dynamic_cast<P::LabelMatchersContext*>(c) || dynamic_cast<P::LabelMatcherContext*>(c) ||
        dynamic_cast<P::MatchOpContext*>(c)) {
      if (prev == PromQLLexer::LEFT_BRACE || prev == PromQLLexer::COMMA) {
        return " in label matching, expected identifier or \"}\"";
      }
      if (prev == PromQLLexer::IDENTIFIER) return " in label matching, expected label matching operator";
      if (IsMatchOp(prev)) return " in label matching, expected string";
      return " in label matching, expected \",\" or \"}\"";
    }
    if (auto* g = dynamic_cast<P::GroupingLabelsContext*>(c)) {
      if (g->LEFT_PAREN() == nullptr) return " in grouping opts, expected \"(\"";
      if (prev == PromQLLexer::LEFT_PAREN || prev == PromQLLexer::COMMA) {
        return " in grouping opts, expected label";
      }
      return " in grouping opts, expected \",\" or \")\"";
    }
    if (dynamic_cast<P::OffsetValueContext*>(c)) {
      return " in offset, expected number, duration, step(), or range()";
    }
    if (dynamic_cast<P::AtValueContext*>(c)) return " in @, expected timestamp";
    if (dynamic_cast<P::DurationExprContext*>(c) || dynamic_cast<P::DurationAtomContext*>(c)) {
      in_duration = true;
      continue;
    }
    if (auto* r = dynamic_cast<P::RangeExprContext*>(c)) {
      bool colon = false;
      for (size_t i = r->LEFT_BRACKET()->getSymbol()->getTokenIndex() + 1; i < index; ++i) {
        if (tokens[i]->getType() == PromQLLexer::COLON) colon = true;
      }
      if (prev == PromQLLexer::LEFT_BRACKET || (in_duration && !colon)) {
        return " in subquery or range selector, expected number, duration, step(), or range()";
      }
      if (prev == PromQLLexer::COLON || in_duration) {
        return " in subquery selector, expected number, duration, step(), range(), or \"]\"";
      }
      if (!colon) return " in subquery or range, expected \":\" or \"]\"";
      return " in subquery selector, expected \"]\"";
    }
    if (dynamic_cast<P::BinaryExprContext*>(c) &&
        (prev == PromQLLexer::GROUP_LEFT || prev == PromQLLexer::GROUP_RIGHT) &&
        offending != PromQLLexer::LEFT_PAREN) {
      // group_left/group_right take optional labels; upstream's state after them has an
      // error production, so a token that neither opens the labels nor starts the operand
      // is reported there.
      return " in grouping opts, expected \"(\"";
    }
    if (dynamic_cast<P::AggregationContext*>(c)) return " in aggregation";
  }
  return "";
}

class FirstErrorListener : public antlr4::BaseErrorListener {
 public:
  FirstErrorListener(const OffsetMap& offsets, const std::vector<antlr4::Token*>& tokens)
      : offsets_(offsets), tokens_(tokens) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t, size_t,
                   const std::string& msg, std::exception_ptr) override {
    if (has_error) return;
    has_error = true;
    if (offending == nullptr) {
      error.message = "syntax error: " + msg;
      return;
    }
    token_index = offending->getTokenIndex();
    size_t start = offending->getStartIndex();
    if (offending->getType() == antlr4::Token::EOF) start = offsets_.code_points();
    error.pos.start = offsets_.Byte(start);
    error.pos.end = offsets_.Byte(offending->getType() == antlr4::Token::EOF
                                      ? start
                                      : offending->getStopIndex() + 1);
    error.message = "unexpected " + DescribeToken(offending);
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (parser != nullptr && token_index < tokens_.size()) {
      error.message += ErrorContext(parser->getContext(), tokens_, token_index);
    }
  }

  bool has_error = false;
  size_t token_index = 0;
  ParseError error;

 private:
  const OffsetMap& offsets_;
  const std::vector<antlr4::Token*>& tokens_;
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

namespace {

// Lexes and parses `input` from the start rule `start` (a PromQLParser member), reporting
// syntax and lexer errors as upstream does; on success hands the tree to `build`, which
// fills `result`.
template <typename Tree, typename Build>
ParseResult Run(std::string_view input, Tree* (PromQLParser::*start)(), Build build) {
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
    const std::vector<antlr4::Token*> all_tokens = tokens.getTokens();
    const std::optional<LexError> lex_error = FindLexError(all_tokens, input, offsets);

    PromQLParser parser(&tokens);
    parser.removeErrorListeners();

    // Fast path: SLL prediction, bail out on the first error; retry with full LL only then.
    Tree* tree = nullptr;
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    try {
      tree = (parser.*start)();
    } catch (const antlr4::ParseCancellationException&) {
      tree = nullptr;
    }
    FirstErrorListener listener(offsets, all_tokens);
    if (tree == nullptr) {
      tokens.seek(0);
      parser.reset();
      parser.addErrorListener(&listener);
      parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
      parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
          antlr4::atn::PredictionMode::LL);
      tree = (parser.*start)();
    }
    // Upstream's parser never sees the tokens after a lexer error; a syntax error before it
    // comes first.
    if (lex_error && (!listener.has_error || lex_error->token_index <= listener.token_index)) {
      return fail(lex_error->pos, lex_error->message);
    }
    if (listener.has_error) return fail(listener.error.pos, listener.error.message);

    static const ParseOptions kDefaults;
    BuildContext ctx{kDefaults, input, offsets, {}};
    build(tree, ctx, result);
    return result;
  } catch (const std::exception& e) {
    return fail({0, 0}, std::string("unexpected error: ") + e.what());
  } catch (...) {
    return fail({0, 0}, "unexpected error");
  }
}

}  // namespace

ParseResult ParseExpr(std::string_view input, const ParseOptions& options) {
  return Run(input, &PromQLParser::expression,
             [&](PromQLParser::ExpressionContext* tree, BuildContext& unused, ParseResult& result) {
    if (tree->expr() == nullptr) {
      // Position 0; ParseError::ToString prints "unknown position" for an empty query, as
      // Prometheus 3.x does, and 1:1 for one of only blanks or comments.
      result.errors.push_back({{0, 0}, "no expression found in input"});
      return;
    }
    BuildContext ctx{options, unused.input, unused.offsets, {}};
    ExprPtr expr = BuildAst(tree->expr(), ctx);
    if (!ctx.errors.empty() || !expr) {
      result.errors = std::move(ctx.errors);
      if (result.errors.empty()) result.errors.push_back({{0, 0}, "unexpected error"});
      return;
    }
    std::vector<ParseError> check_errors = CheckAst(*expr, unused.input);
    if (!check_errors.empty()) {
      result.errors = std::move(check_errors);
      return;
    }
    result.expr = std::move(expr);
  });
}

Matchers ParseMetricSelector(std::string_view input, std::string* error) {
  // Prometheus parses match[] with its own start symbol: one vector selector, no modifiers,
  // and no type checks (an all-empty matcher set is the API's to reject).
  ParseResult r = Run(input, &PromQLParser::metricSelector,
                      [](PromQLParser::MetricSelectorContext* tree, BuildContext& ctx,
                         ParseResult& result) {
    ExprPtr expr = BuildSelector(tree, ctx);
    if (!ctx.errors.empty() || !expr) {
      result.errors = std::move(ctx.errors);
      if (result.errors.empty()) result.errors.push_back({{0, 0}, "unexpected error"});
      return;
    }
    result.expr = std::move(expr);
  });
  if (!r.ok()) {
    *error = r.ErrorString();
    return {};
  }
  error->clear();
  return std::move(r.expr->As<VectorSelector>().matchers);
}

}  // namespace meridian::promql
