#include "model/matcher.h"

#include <re2/re2.h>

#include "model/strings.h"

namespace meridian {

std::string_view MatchTypeString(MatchType t) {
  switch (t) {
    case MatchType::kEqual: return "=";
    case MatchType::kNotEqual: return "!=";
    case MatchType::kRegexp: return "=~";
    case MatchType::kNotRegexp: return "!~";
  }
  return "?";
}

namespace {
// Literal alternatives "a|b|c" (no regex metacharacters) become a set of values.
std::vector<std::string> LiteralAlternatives(const std::string& re) {
  static constexpr std::string_view kMeta = "\\.+*?()[]{}^$";
  std::vector<std::string> out;
  std::string cur;
  for (char c : re) {
    if (kMeta.find(c) != std::string_view::npos) return {};
    if (c == '|') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}
}  // namespace

Matcher::Matcher(MatchType type, std::string name, std::string value)
    : type_(type), name_(std::move(name)), value_(std::move(value)) {}

Matcher::~Matcher() = default;

std::shared_ptr<const Matcher> Matcher::Make(MatchType type, std::string name, std::string value,
                                             std::string* error) {
  std::shared_ptr<Matcher> m(new Matcher(type, std::move(name), std::move(value)));
  if (type == MatchType::kRegexp || type == MatchType::kNotRegexp) {
    RE2::Options opts;
    opts.set_dot_nl(true);
    opts.set_log_errors(false);
    m->re_ = std::make_unique<RE2>("^(?:" + m->value_ + ")$", opts);
    if (!m->re_->ok()) {
      if (error) *error = "error parsing regexp: " + m->re_->error();
      return nullptr;
    }
    m->set_matches_ = LiteralAlternatives(m->value_);
  }
  return m;
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual: return v == value_;
    case MatchType::kNotEqual: return v != value_;
    case MatchType::kRegexp: return RE2::FullMatch(v, *re_);
    case MatchType::kNotRegexp: return !RE2::FullMatch(v, *re_);
  }
  return false;
}

std::string Matcher::ToString() const {
  std::string out = IsValidLegacyLabelName(name_) ? name_ : GoQuote(name_);
  out.append(MatchTypeString(type_));
  out.append(GoQuote(value_));
  return out;
}

}  // namespace meridian
