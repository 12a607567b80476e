#pragma once
// label_replace and label_join over one series' labels. The engine compiles the arguments once
// per call (LabelReplacer / LabelJoiner) and applies them to every series; it also checks the
// result for duplicate label sets ("vector cannot contain metrics with the same labelset").

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "model/status.h"

namespace re2 {
class RE2;
}

namespace meridian::promql::functions {

// A label name Prometheus 3.x accepts (UTF-8 validation scheme): non-empty valid UTF-8.
bool IsValidLabelName(std::string_view name);

// label_replace(v, dst, replacement, src, regex).
class LabelReplacer {
 public:
  // Fails with upstream's messages: "invalid regular expression in label_replace(): <regex>"
  // and "invalid destination label name in label_replace(): <dst>" (regex checked first).
  static StatusOr<LabelReplacer> Create(std::string dst, std::string replacement,
                                        std::string src, std::string regex);

  // When the fully anchored regex (`.` matching newlines) matches the src label's value (empty
  // if absent), returns the labels with dst set to the expanded replacement (an empty result
  // removes dst); otherwise returns `in` unchanged. `changed` tells which happened.
  Labels Apply(const Labels& in, bool* changed = nullptr) const;

  // Writes the replacement expanded against src_value to *out; false (out untouched) when the
  // regex does not match.
  bool Expand(std::string_view src_value, std::string* out) const;

  const std::string& dst() const { return dst_; }

 private:
  LabelReplacer() = default;
  std::string dst_, replacement_, src_;
  std::shared_ptr<const re2::RE2> re_;
};

// Go's regexp.Expand template substitution: $1, ${1}, $name, ${name}; $$ is a literal $;
// `$name` takes the longest run of letters, digits and '_'; unknown or unmatched groups expand
// to nothing; a malformed reference keeps its '$'. groups[i] is the text of group i (nullptr if
// it did not participate); names[i] its name (empty if unnamed).
void ExpandTemplate(std::string_view tmpl, const std::vector<const std::string_view*>& groups,
                    const std::vector<std::string>& names, std::string* out);

// label_join(v, dst, separator, src...).
class LabelJoiner {
 public:
  // Source names are checked first: "invalid source label name in label_join(): <src>", then
  // "invalid destination label name in label_join(): <dst>".
  static StatusOr<LabelJoiner> Create(std::string dst, std::string separator,
                                      std::vector<std::string> srcs);
  // Sets dst to the source values joined by the separator (absent labels count as empty); an
  // empty result removes dst.
  Labels Apply(const Labels& in) const;
  const std::string& dst() const { return dst_; }

 private:
  LabelJoiner() = default;
  std::string dst_, sep_;
  std::vector<std::string> srcs_;
};

}  // namespace meridian::promql::functions
