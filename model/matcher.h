#pragma once
// A label matcher (=, !=, =~, !~). Regexes are RE2, fully anchored, with '.' matching newlines
// as in Prometheus 3.x.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace meridian {

enum class MatchType { kEqual, kNotEqual, kRegexp, kNotRegexp };

std::string_view MatchTypeString(MatchType t);  // "=", "!=", "=~", "!~"

class Matcher {
 public:
  // Fails (returns nullptr and fills *error) when a regex does not compile.
  static std::shared_ptr<const Matcher> Make(MatchType type, std::string name, std::string value,
                                             std::string* error);
  ~Matcher();

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  bool Matches(std::string_view v) const;
  // True when the matcher accepts the empty string (so it also selects series lacking the label).
  bool MatchesEmpty() const { return Matches(""); }
  // For a regex like "a|b|c" with only literal alternatives: those values (lets stores use set
  // lookups instead of scanning all label values). Empty when not such a regex.
  const std::vector<std::string>& SetMatches() const { return set_matches_; }

  // name="value" with Go quoting; the name is quoted when it is not a legal legacy name.
  std::string ToString() const;

 private:
  Matcher(MatchType type, std::string name, std::string value);

  MatchType type_;
  std::string name_;
  std::string value_;
  std::unique_ptr<re2::RE2> re_;
  std::vector<std::string> set_matches_;
};

using MatcherPtr = std::shared_ptr<const Matcher>;
using Matchers = std::vector<MatcherPtr>;

}  // namespace meridian
