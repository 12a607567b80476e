#include "promql/engine/functions/label_functions.h"

#include <re2/re2.h>

#include <map>

namespace meridian::promql::functions {
namespace {

// Length of a valid UTF-8 sequence starting at s[i], or 0 if invalid (overlong forms,
// surrogates and code points above U+10FFFF are invalid, as in Go's utf8.ValidString).
size_t Utf8SeqLen(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b0 == 0xED && b1 >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

bool IsNameByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Length of the group name at the start of s: ASCII letters, digits and '_' plus any
// non-ASCII character (Go accepts Unicode letters and digits; other non-ASCII symbols in a
// group reference are vanishingly rare and treated the same way here).
size_t NameLen(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (!IsNameByte(c)) break;
      ++i;
      continue;
    }
    const size_t n = Utf8SeqLen(s, i);
    if (n == 0) break;
    i += n;
  }
  return i;
}

}  // namespace

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    const size_t n = Utf8SeqLen(name, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void ExpandTemplate(std::string_view tmpl, const std::vector<const std::string_view*>& groups,
                    const std::vector<std::string>& names, std::string* out) {
  while (!tmpl.empty()) {
    const size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out->append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    // Parse "name" or "{name}".
    std::string_view rest = tmpl;
    const bool brace = !rest.empty() && rest[0] == '{';
    if (brace) rest.remove_prefix(1);
    const size_t len = NameLen(rest);
    if (len == 0 || (brace && (len >= rest.size() || rest[len] != '}'))) {
      out->push_back('$');  // malformed reference: keep the '$' as text
      continue;
    }
    const std::string_view name = rest.substr(0, len);
    tmpl = rest.substr(len + (brace ? 1 : 0));

    // A name of decimal digits (no leading zero, below 1e8) is a group number.
    long num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;
    if (num >= 0) {
      if (static_cast<size_t>(num) < groups.size() && groups[num] != nullptr) {
        out->append(*groups[num]);
      }
      continue;
    }
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name && i < groups.size()) {
        if (groups[i] != nullptr) out->append(*groups[i]);
        break;
      }
    }
  }
  out->append(tmpl);
}

StatusOr<LabelReplacer> LabelReplacer::Create(std::string dst, std::string replacement,
                                              std::string src, std::string regex) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<RE2>("^(?s:" + regex + ")$", opts);
  if (!re->ok()) {
    return ExecutionError("invalid regular expression in label_replace(): " + regex);
  }
  if (!IsValidLabelName(dst)) {
    return ExecutionError("invalid destination label name in label_replace(): " + dst);
  }
  LabelReplacer r;
  r.dst_ = std::move(dst);
  r.replacement_ = std::move(replacement);
  r.src_ = std::move(src);
  r.re_ = std::move(re);
  return r;
}

bool LabelReplacer::Expand(std::string_view src_value, std::string* out) const {
  const int ngroups = re_->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> pieces(static_cast<size_t>(ngroups));
  // The pattern is anchored at both ends, so a full match is the only kind.
  const re2::StringPiece text(src_value.data(), src_value.size());
  if (!re_->Match(text, 0, text.size(), RE2::ANCHOR_BOTH, pieces.data(), ngroups)) {
    return false;
  }
  std::vector<std::string_view> subs(pieces.size());
  std::vector<const std::string_view*> groups(pieces.size());
  for (size_t i = 0; i < pieces.size(); ++i) {
    // RE2 marks a group that did not participate with a null data pointer.
    subs[i] = std::string_view(pieces[i].data(), pieces[i].size());
    groups[i] = pieces[i].data() != nullptr ? &subs[i] : nullptr;
  }
  std::vector<std::string> names(subs.size());
  for (const auto& [name, index] : re_->NamedCapturingGroups()) {
    if (index >= 0 && static_cast<size_t>(index) < names.size()) names[index] = name;
  }
  out->clear();
  ExpandTemplate(replacement_, groups, names, out);
  return true;
}

Labels LabelReplacer::Apply(const Labels& in, bool* changed) const {
  std::string value;
  const bool matched = Expand(in.Get(src_), &value);
  if (changed != nullptr) *changed = matched;
  if (!matched) return in;
  LabelsBuilder b(in);
  b.Set(dst_, value);
  return b.Build();
}

StatusOr<LabelJoiner> LabelJoiner::Create(std::string dst, std::string separator,
                                          std::vector<std::string> srcs) {
  for (const std::string& src : srcs) {
    if (!IsValidLabelName(src)) {
      return ExecutionError("invalid source label name in label_join(): " + src);
    }
  }
  if (!IsValidLabelName(dst)) {
    return ExecutionError("invalid destination label name in label_join(): " + dst);
  }
  LabelJoiner j;
  j.dst_ = std::move(dst);
  j.sep_ = std::move(separator);
  j.srcs_ = std::move(srcs);
  return j;
}

Labels LabelJoiner::Apply(const Labels& in) const {
  std::string joined;
  for (size_t i = 0; i < srcs_.size(); ++i) {
    if (i > 0) joined.append(sep_);
    joined.append(in.Get(srcs_[i]));
  }
  LabelsBuilder b(in);
  b.Set(dst_, joined);
  return b.Build();
}

}  // namespace meridian::promql::functions
