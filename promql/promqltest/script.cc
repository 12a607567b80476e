#include "promql/promqltest/script.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "model/duration.h"
#include "model/strings.h"
#include "model/value.h"

namespace meridian::promqltest {

namespace {

// ---------------------------------------------------------------------------------------------
// Small text helpers

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits on runs of blanks.
std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !IsSpace(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsMetricStart(char c) { return IsIdentStart(c) || c == ':'; }
bool IsMetricChar(char c) { return IsIdentChar(c) || c == ':'; }

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a quoted string starting at s[*pos] (", ' or `) with Go's escape rules, as PromQL
// string literals and Go's strconv.Unquote use them. Advances *pos past the closing quote.
Status ReadQuoted(std::string_view s, size_t* pos, std::string* out) {
  const char q = s[*pos];
  size_t i = *pos + 1;
  out->clear();
  if (q == '`') {
    const size_t end = s.find('`', i);
    if (end == std::string_view::npos) return BadData("unterminated raw string");
    out->assign(s.substr(i, end - i));
    *pos = end + 1;
    return Status::Ok();
  }
  while (true) {
    if (i >= s.size()) return BadData("unterminated quoted string");
    const char c = s[i];
    if (c == q) break;
    if (c == '\n') return BadData("newline in quoted string");
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) return BadData("unterminated escape in quoted string");
    const char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'a': out->push_back('\a'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'v': out->push_back('\v'); break;
      case '\\': out->push_back('\\'); break;
      case '\'':
      case '"':
        if (e != q) return BadData(std::string("invalid escape \\") + e);
        out->push_back(e);
        break;
      case 'x':
      case 'u':
      case 'U': {
        const int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + static_cast<size_t>(n) > s.size()) return BadData("short escape in quoted string");
        uint32_t v = 0;
        for (int k = 0; k < n; ++k) {
          const int h = HexVal(s[i + static_cast<size_t>(k)]);
          if (h < 0) return BadData("invalid hex escape in quoted string");
          v = v * 16 + static_cast<uint32_t>(h);
        }
        i += static_cast<size_t>(n);
        if (e == 'x') {
          out->push_back(static_cast<char>(v));
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return BadData("invalid unicode escape");
          AppendUtf8(out, v);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 2 > s.size()) return BadData("short octal escape in quoted string");
          uint32_t v = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2; ++k) {
            const char d = s[i + static_cast<size_t>(k)];
            if (d < '0' || d > '7') return BadData("invalid octal escape in quoted string");
            v = v * 8 + static_cast<uint32_t>(d - '0');
          }
          if (v > 255) return BadData("octal escape out of range");
          i += 2;
          out->push_back(static_cast<char>(v));
          break;
        }
        return BadData(std::string("unknown escape sequence \\") + e);
    }
  }
  *pos = i + 1;
  return Status::Ok();
}

// Go's strconv.Unquote for a whole token (used by `expect string`). A single-quoted literal
// must hold exactly one character in Go.
StatusOr<std::string> GoUnquote(std::string_view s) {
  if (s.size() < 2 || (s.front() != '"' && s.front() != '\'' && s.front() != '`') || s.back() != s.front()) {
    return BadData("not a quoted string");
  }
  size_t pos = 0;
  std::string out;
  if (Status st = ReadQuoted(s, &pos, &out); !st.ok()) return st;
  if (pos != s.size()) return BadData("trailing characters after quoted string");
  if (s.front() == '\'') {
    // Exactly one UTF-8 character.
    size_t n = 0;
    for (unsigned char c : out) n += (c & 0xC0) != 0x80;
    if (n != 1) return BadData("single-quoted literal must hold one character");
  }
  return out;
}

// Parses a float the way Go's strconv.ParseFloat does for the forms test files use: decimal
// with optional fraction and exponent, "Inf"/"Infinity"/"NaN" in any case, optional sign.
std::optional<double> ParseGoFloat(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string_view body = s;
  bool neg = false;
  if (body.front() == '+' || body.front() == '-') {
    neg = body.front() == '-';
    body.remove_prefix(1);
  }
  const std::string low = Lower(body);
  if (low == "inf" || low == "infinity") {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (low == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (body.empty()) return std::nullopt;
  for (char c : body) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' ||
          c == '-'))
      return std::nullopt;
  }
  double v = 0;
  auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (p != body.data() + body.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Go returns ±Inf (or 0) on range errors together with an error; reject like Go does.
    return std::nullopt;
  }
  if (ec != std::errc()) return std::nullopt;
  return neg ? -v : v;
}

// Go's strconv.ParseInt(s, 0, 64): optional sign, 0x/0o/0b/leading-0 prefixes, underscores
// only between digits after a prefix.
std::optional<int64_t> ParseGoInt(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s.front() == '+' || s.front() == '-') {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  bool prefixed = false;
  if (s.size() >= 2 && s[0] == '0') {
    const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
    if (p == 'x') base = 16, s.remove_prefix(2), prefixed = true;
    else if (p == 'o') base = 8, s.remove_prefix(2), prefixed = true;
    else if (p == 'b') base = 2, s.remove_prefix(2), prefixed = true;
    else base = 8, s.remove_prefix(1), prefixed = true;
  }
  std::string digits;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (!prefixed || i == 0 || i + 1 == s.size() || s[i + 1] == '_') return std::nullopt;
      continue;
    }
    digits.push_back(s[i]);
  }
  if (digits.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  if (neg) {
    if (v > uint64_t{1} << 63) return std::nullopt;
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(v);
}

// promqltest's parseNumber: integer syntax first (so "0x10" is 16), then float syntax.
std::optional<double> ParseNumberLine(std::string_view s) {
  if (auto i = ParseGoInt(s)) return static_cast<double>(*i);
  return ParseGoFloat(s);
}

// ---------------------------------------------------------------------------------------------
// Series line parser. Grammar (PromQL's series description):
//   line   := metric? labels? (blank item)*
//   labels := '{' (item (',' item)* ','?)? '}'
//   item   := (identifier | quoted) '=' quoted | quoted          (a lone string is the name)

class SeriesParser {
 public:
  explicit SeriesParser(std::string_view s) : s_(s) {}

  StatusOr<SeriesLine> Parse() {
    SeriesLine out;
    auto labels = ParseMetric();
    if (!labels.ok()) return labels.status();
    out.labels = std::move(*labels);
    while (true) {
      const size_t before = pos_;
      SkipBlanks();
      if (pos_ >= s_.size()) break;
      if (pos_ == before) return Error("expected blank before series values");
      if (Status st = ParseItem(&out.values); !st.ok()) return st;
    }
    return out;
  }

  StatusOr<Labels> ParseMetric() {
    SkipBlanks();
    std::vector<Label> labels;
    std::optional<std::string> name;
    if (pos_ < s_.size() && IsMetricStart(s_[pos_])) {
      const size_t start = pos_;
      while (pos_ < s_.size() && IsMetricChar(s_[pos_])) ++pos_;
      name = std::string(s_.substr(start, pos_ - start));
    }
    if (pos_ < s_.size() && s_[pos_] == '{' && !StartsWith(s_.substr(pos_), "{{")) {
      ++pos_;
      if (Status st = ParseLabelList(&labels, &name); !st.ok()) return st;
    }
    if (name) labels.push_back({std::string(kMetricName), *name});
    // Duplicate names are an error upstream (labels.New would keep both; the parser rejects).
    std::sort(labels.begin(), labels.end(), [](const Label& a, const Label& b) { return a.name < b.name; });
    for (size_t i = 1; i < labels.size(); ++i) {
      if (labels[i].name == labels[i - 1].name) return Error("duplicate label name \"" + labels[i].name + "\"");
    }
    return Labels::FromSorted(std::move(labels));
  }

  size_t pos() const { return pos_; }

 private:
  Status Error(const std::string& msg) const {
    return BadData(msg + " at column " + std::to_string(pos_ + 1) + " of \"" + std::string(s_) + "\"");
  }

  void SkipBlanks() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }

  Status ParseLabelList(std::vector<Label>* labels, std::optional<std::string>* name) {
    while (true) {
      SkipBlanks();
      if (pos_ >= s_.size()) return Error("unterminated label set");
      if (s_[pos_] == '}') {
        ++pos_;
        return Status::Ok();
      }
      std::string lname;
      bool quoted = false;
      if (s_[pos_] == '"' || s_[pos_] == '\'' || s_[pos_] == '`') {
        if (Status st = ReadQuoted(s_, &pos_, &lname); !st.ok()) return Error(st.message());
        quoted = true;
      } else if (IsIdentStart(s_[pos_])) {
        const size_t start = pos_;
        while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
        lname = std::string(s_.substr(start, pos_ - start));
      } else {
        return Error("expected label name or \"}\" in label set");
      }
      SkipBlanks();
      if (pos_ < s_.size() && s_[pos_] == '=' && !(pos_ + 1 < s_.size() && s_[pos_ + 1] == '~')) {
        ++pos_;
        SkipBlanks();
        if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'' && s_[pos_] != '`')) {
          return Error("expected quoted label value");
        }
        std::string value;
        if (Status st = ReadQuoted(s_, &pos_, &value); !st.ok()) return Error(st.message());
        labels->push_back({std::move(lname), std::move(value)});
      } else if (quoted) {
        // {"metric.name", a="b"}: a lone string names the metric.
        if (name->has_value()) return Error("metric name set twice");
        *name = std::move(lname);
      } else {
        return Error("expected \"=\" after label name (series lines only take \"=\")");
      }
      SkipBlanks();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') continue;
      return Error("expected \",\" or \"}\" in label set");
    }
  }

  // A number as PromQL's series lexer reads it: decimal/float, Inf, NaN, or a duration
  // (seconds). No hex: "0x5" means 0 repeated 5 times. Does not consume a sign.
  bool ReadUnsignedNumber(double* out) {
    const size_t start = pos_;
    if (pos_ + 3 <= s_.size()) {
      const std::string w = Lower(s_.substr(pos_, 3));
      if ((w == "inf" || w == "nan") && (pos_ + 3 == s_.size() || !IsIdentChar(s_[pos_ + 3]))) {
        pos_ += 3;
        *out = w == "inf" ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
        return true;
      }
    }
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) ++pos_;
    if (pos_ == start) return false;
    // Exponent.
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < s_.size() && (s_[p] == '+' || s_[p] == '-')) ++p;
      if (p < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p]))) {
        while (p < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p]))) ++p;
        pos_ = p;
      }
    }
    // Duration units (e.g. 1m, 1h30m, 10s53ms): stop at 'x', the repetition marker.
    if (pos_ < s_.size() && std::strchr("smhdwy", s_[pos_]) != nullptr && s_[pos_] != '\0') {
      size_t p = pos_;
      while (p < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p]))) && s_[p] != 'x') ++p;
      auto ms = ParseDurationMs(s_.substr(start, p - start));
      if (!ms) return false;
      pos_ = p;
      *out = static_cast<double>(*ms) / 1000.0;
      return true;
    }
    auto v = ParseGoFloat(s_.substr(start, pos_ - start));
    if (!v) return false;
    *out = *v;
    return true;
  }

  bool ReadSignedNumber(double* out, bool sign_required) {
    const size_t start = pos_;
    double sign = 1;
    if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) {
      sign = s_[pos_] == '-' ? -1 : 1;
      ++pos_;
    } else if (sign_required) {
      return false;
    }
    if (!ReadUnsignedNumber(out)) {
      pos_ = start;
      return false;
    }
    *out *= sign;
    return true;
  }

  bool ReadUint(uint64_t* out) {
    const size_t start = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ == start) return false;
    auto [p, ec] = std::from_chars(s_.data() + start, s_.data() + pos_, *out);
    return ec == std::errc() && p == s_.data() + pos_;
  }

  bool AtItemEnd() const { return pos_ >= s_.size() || IsSpace(s_[pos_]); }

  // Upper bound on expansion so a typo like 1x99999999999 is an error, not an OOM.
  static constexpr uint64_t kMaxRepeat = 10'000'000;

  Status ReadTimes(uint64_t* n) {
    if (pos_ >= s_.size() || s_[pos_] != 'x') return Error("expected \"x<count>\"");
    ++pos_;
    if (!ReadUint(n)) return Error("invalid repetition in series values");
    if (*n > kMaxRepeat) return Error("repetition count too large");
    return Status::Ok();
  }

  Status ParseItem(std::vector<SequenceValue>* out) {
    if (StartsWith(s_.substr(pos_), "{{")) return ParseHistogramItem(out);
    if (s_[pos_] == '_') {
      ++pos_;
      if (AtItemEnd()) {
        out->push_back({true, 0, nullptr});
        return Status::Ok();
      }
      uint64_t n;
      if (Status st = ReadTimes(&n); !st.ok()) return st;
      if (!AtItemEnd()) return Error("unexpected characters after \"_x<count>\"");
      for (uint64_t i = 0; i < n; ++i) out->push_back({true, 0, nullptr});
      return Status::Ok();
    }
    double v;
    if (StartsWith(s_.substr(pos_), "stale") && (pos_ + 5 == s_.size() || !IsIdentChar(s_[pos_ + 5]) || s_[pos_ + 5] == 'x')) {
      pos_ += 5;
      v = StaleNaN();
    } else if (!ReadSignedNumber(&v, false)) {
      return Error("expected number or \"stale\" in series values");
    }
    if (AtItemEnd()) {
      out->push_back({false, v, nullptr});
      return Status::Ok();
    }
    double step = 0;
    bool has_step = false;
    if (s_[pos_] == '+' || s_[pos_] == '-') {
      if (!ReadSignedNumber(&step, true)) return Error("expected number after \"+\"/\"-\" in series values");
      has_step = true;
    }
    uint64_t n;
    if (Status st = ReadTimes(&n); !st.ok()) return st;
    if (!AtItemEnd()) return Error("unexpected characters after series value");
    // N+1 values: the first one at the start, then N more. Without a step the value is copied
    // unchanged (arithmetic would turn the stale marker into an ordinary NaN).
    for (uint64_t i = 0; i <= n; ++i) {
      out->push_back({false, v, nullptr});
      if (has_step) v += step;
    }
    return Status::Ok();
  }

  Status ParseHistogramItem(std::vector<SequenceValue>* out) {
    FloatHistogram base;
    if (Status st = ParseHistogram(&base); !st.ok()) return st;
    auto base_ptr = std::make_shared<const FloatHistogram>(base);
    if (AtItemEnd()) {
      out->push_back({false, 0, base_ptr});
      return Status::Ok();
    }
    if (s_[pos_] == 'x') {
      uint64_t n;
      if (Status st = ReadTimes(&n); !st.ok()) return st;
      if (!AtItemEnd()) return Error("unexpected characters after histogram repetition");
      for (uint64_t i = 0; i <= n; ++i) out->push_back({false, 0, base_ptr});
      return Status::Ok();
    }
    if (s_[pos_] != '+' && s_[pos_] != '-') return Error("expected \"+\", \"-\" or \"x\" after histogram");
    const bool add = s_[pos_] == '+';
    ++pos_;
    if (!StartsWith(s_.substr(pos_), "{{")) return Error("expected histogram after \"+\"/\"-\"");
    FloatHistogram inc;
    if (Status st = ParseHistogram(&inc); !st.ok()) return st;
    uint64_t n;
    if (Status st = ReadTimes(&n); !st.ok()) return st;
    if (!AtItemEnd()) return Error("unexpected characters after histogram series");
    out->push_back({false, 0, base_ptr});
    FloatHistogram cur = base;
    for (uint64_t i = 1; i <= n; ++i) {
      auto next = CombineHistograms(cur, inc, add ? 1.0 : -1.0);
      if (!next.ok()) return Error(next.status().message());
      cur = std::move(*next);
      out->push_back({false, 0, std::make_shared<const FloatHistogram>(cur)});
    }
    return Status::Ok();
  }

 public:
  // cur + sign * inc, following Prometheus's histogramsSeries: the increment may have a finer
  // schema than the running value (its buckets are merged down), never a coarser one.
  static StatusOr<FloatHistogram> CombineHistograms(const FloatHistogram& cur, const FloatHistogram& inc,
                                                    double sign) {
    if (cur.schema > inc.schema) {
      return BadData("error combining histograms: cannot merge from schema " + std::to_string(inc.schema) +
                     " to " + std::to_string(cur.schema));
    }
    if (cur.UsesCustomBuckets() != inc.UsesCustomBuckets()) {
      return BadData("error combining histograms: cannot mix exponential and custom buckets");
    }
    if (cur.UsesCustomBuckets() && cur.custom_values != inc.custom_values) {
      return BadData("error combining histograms: custom bucket boundaries differ");
    }
    FloatHistogram r = cur;
    r.count += sign * inc.count;
    r.sum += sign * inc.sum;
    r.zero_count += sign * inc.zero_count;
    r.zero_threshold = std::max(cur.zero_threshold, inc.zero_threshold);
    const int delta = cur.UsesCustomBuckets() ? 0 : inc.schema - cur.schema;
    auto merge = [&](int32_t* off, std::vector<double>* buckets, int32_t inc_off, const std::vector<double>& inc_b) {
      std::map<int64_t, double> by_index;
      for (size_t i = 0; i < buckets->size(); ++i) by_index[*off + static_cast<int64_t>(i)] += (*buckets)[i];
      for (size_t i = 0; i < inc_b.size(); ++i) {
        int64_t idx = inc_off + static_cast<int64_t>(i);
        // Exponential buckets: index i at schema s+d lies in index ((i-1) >> d) + 1 at schema s.
        if (delta > 0) idx = ((idx - 1) >> delta) + 1;
        by_index[idx] += sign * inc_b[i];
      }
      buckets->clear();
      if (by_index.empty()) return;
      const int64_t lo = by_index.begin()->first;
      const int64_t hi = by_index.rbegin()->first;
      *off = static_cast<int32_t>(lo);
      buckets->assign(static_cast<size_t>(hi - lo + 1), 0.0);
      for (auto [idx, v] : by_index) (*buckets)[static_cast<size_t>(idx - lo)] = v;
    };
    merge(&r.positive_offset, &r.positive_buckets, inc.positive_offset, inc.positive_buckets);
    merge(&r.negative_offset, &r.negative_buckets, inc.negative_offset, inc.negative_buckets);
    // Result hint as Prometheus's FloatHistogram.Add/Sub: gauge wins, equal hints stay,
    // anything else becomes unknown.
    if (cur.counter_reset_hint == CounterResetHint::kGauge || inc.counter_reset_hint == CounterResetHint::kGauge) {
      r.counter_reset_hint = CounterResetHint::kGauge;
    } else if (cur.counter_reset_hint != inc.counter_reset_hint) {
      r.counter_reset_hint = CounterResetHint::kUnknown;
    }
    return r;
  }

 private:
  Status ParseBucketList(std::vector<double>* out) {
    SkipBlanks();
    if (pos_ >= s_.size() || s_[pos_] != '[') return Error("expected \"[\" to start a bucket list");
    ++pos_;
    while (true) {
      SkipBlanks();
      if (pos_ >= s_.size()) return Error("unterminated bucket list");
      if (s_[pos_] == ']') {
        ++pos_;
        break;
      }
      double v;
      if (!ReadSignedNumber(&v, false)) return Error("expected number in bucket list");
      out->push_back(v);
    }
    if (out->empty()) return Error("empty bucket list");
    return Status::Ok();
  }

  Status ParseInt(int32_t* out) {
    SkipBlanks();
    double v;
    const size_t start = pos_;
    if (!ReadSignedNumber(&v, false) || v != std::floor(v) || std::abs(v) > 1e9) {
      pos_ = start;
      return Error("expected integer");
    }
    *out = static_cast<int32_t>(v);
    return Status::Ok();
  }

  Status ParseHistogram(FloatHistogram* h) {
    pos_ += 2;  // "{{"
    std::vector<std::string> seen;
    while (true) {
      SkipBlanks();
      if (StartsWith(s_.substr(pos_), "}}")) {
        pos_ += 2;
        return Status::Ok();
      }
      if (pos_ >= s_.size()) return Error("unterminated histogram description");
      const size_t start = pos_;
      while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
      const std::string key(s_.substr(start, pos_ - start));
      if (key.empty()) return Error("expected histogram description key, e.g. buckets:[5 10 7]");
      SkipBlanks();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Error("expected \":\" after histogram key \"" + key + "\"");
      ++pos_;
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        return Error("duplicate key \"" + key + "\" in histogram");
      }
      seen.push_back(key);
      SkipBlanks();
      Status st;
      double v = 0;
      auto number = [&](bool /*signed*/) -> Status {
        if (!ReadSignedNumber(&v, false)) return Error("expected number for histogram key \"" + key + "\"");
        return Status::Ok();
      };
      if (key == "schema") {
        st = ParseInt(&h->schema);
      } else if (key == "sum") {
        st = number(true);
        h->sum = v;
      } else if (key == "count") {
        st = number(true);
        h->count = v;
      } else if (key == "z_bucket") {
        st = number(true);
        h->zero_count = v;
      } else if (key == "z_bucket_w") {
        st = number(true);
        h->zero_threshold = v;
      } else if (key == "custom_values") {
        st = ParseBucketList(&h->custom_values);
      } else if (key == "buckets") {
        st = ParseBucketList(&h->positive_buckets);
      } else if (key == "offset") {
        st = ParseInt(&h->positive_offset);
      } else if (key == "n_buckets") {
        st = ParseBucketList(&h->negative_buckets);
      } else if (key == "n_offset") {
        st = ParseInt(&h->negative_offset);
      } else if (key == "counter_reset_hint") {
        const size_t vs = pos_;
        while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
        const std::string_view hint = s_.substr(vs, pos_ - vs);
        if (hint == "unknown") h->counter_reset_hint = CounterResetHint::kUnknown;
        else if (hint == "reset") h->counter_reset_hint = CounterResetHint::kReset;
        else if (hint == "not_reset") h->counter_reset_hint = CounterResetHint::kNotReset;
        else if (hint == "gauge") h->counter_reset_hint = CounterResetHint::kGauge;
        else st = Error("error parsing counter_reset_hint: unknown value \"" + std::string(hint) + "\"");
      } else {
        return Error("unknown histogram description key \"" + key + "\"");
      }
      if (!st.ok()) return st;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Start-timestamp sequences (parseSTSequence upstream).

// A duration with optional sign at the front of s; returns ms and the rest.
bool ParseDurationPrefix(std::string_view s, int64_t* ms, std::string_view* rest) {
  if (s.empty()) return false;
  bool neg = false;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  const size_t start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == start) return false;
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])) && s[i] != 'x') ++i;
  auto d = ParseDurationMs(s.substr(start, i - start));
  if (!d) return false;
  *ms = neg ? -*d : *d;
  *rest = s.substr(i);
  return true;
}

bool ParseRepeat(std::string_view s, uint64_t* n) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *n);
  return ec == std::errc() && p == s.data() + s.size() && *n <= 10'000'000;
}

Status ParseStItem(std::string_view item, double prev, std::vector<SequenceValue>* out) {
  const auto bad = [&](const std::string& why) { return BadData("invalid ST item \"" + std::string(item) + "\": " + why); };
  if (item == "_") {
    out->push_back({true, 0, nullptr});
    return Status::Ok();
  }
  uint64_t n;
  if (StartsWith(item, "_x")) {
    if (!ParseRepeat(item.substr(2), &n) || n == 0) return bad("invalid repeat count");
    for (uint64_t i = 0; i < n; ++i) out->push_back({true, 0, nullptr});
    return Status::Ok();
  }
  if (item == "*") {
    out->push_back({false, prev, nullptr});
    return Status::Ok();
  }
  if (StartsWith(item, "*x")) {
    if (!ParseRepeat(item.substr(2), &n)) return bad("invalid repeat count");
    for (uint64_t i = 0; i <= n; ++i) out->push_back({false, prev, nullptr});
    return Status::Ok();
  }
  int64_t base;
  std::string_view rest;
  if (!ParseDurationPrefix(item, &base, &rest)) return bad("invalid duration");
  if (rest.empty()) {
    out->push_back({false, static_cast<double>(base), nullptr});
    return Status::Ok();
  }
  if (rest[0] == 'x') {
    if (!ParseRepeat(rest.substr(1), &n)) return bad("invalid repeat count");
    for (uint64_t i = 0; i <= n; ++i) out->push_back({false, static_cast<double>(base), nullptr});
    return Status::Ok();
  }
  if (rest[0] != '+' && rest[0] != '-') return bad("unexpected character after duration");
  const bool neg = rest[0] == '-';
  int64_t delta;
  std::string_view rest2;
  if (!ParseDurationPrefix(rest.substr(1), &delta, &rest2)) return bad("invalid step duration");
  if (neg) delta = -delta;
  if (rest2.empty() || rest2[0] != 'x') return bad("expected 'x<count>' after step duration");
  if (!ParseRepeat(rest2.substr(1), &n)) return bad("invalid repeat count");
  // In double, as the values are stored, so huge offsets cannot overflow.
  double off = static_cast<double>(base);
  for (uint64_t i = 0; i <= n; ++i) {
    out->push_back({false, off, nullptr});
    off += static_cast<double>(delta);
  }
  return Status::Ok();
}

// `metric{...}@st ...` or a standalone `@st ...`: the first blank-separated word ends in "@st".
bool IsStLine(std::string_view line) {
  line = Trim(line);
  size_t sp = 0;
  while (sp < line.size() && !IsSpace(line[sp])) ++sp;
  if (sp == line.size()) return false;
  const std::string_view head = line.substr(0, sp);
  return head.size() >= 3 && head.substr(head.size() - 3) == "@st";
}

// ---------------------------------------------------------------------------------------------
// Script structure

struct LineError {
  static Status At(int line0, const Status& st) {
    return Status(st.code(), "line " + std::to_string(line0 + 1) + ": " + st.message());
  }
};

class ScriptParser {
 public:
  explicit ScriptParser(std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view l = Trim(text.substr(start, nl - start));
      if (!l.empty() && l.front() == '#') l = {};
      lines_.push_back(l);
      start = nl + 1;
    }
  }

  StatusOr<std::vector<Command>> Parse() {
    std::vector<Command> cmds;
    for (size_t i = 0; i < lines_.size(); ++i) {
      const std::string_view l = lines_[i];
      if (l.empty()) continue;
      const auto words = Fields(l);
      const std::string first = Lower(words[0]);
      Command cmd;
      cmd.line = static_cast<int>(i) + 1;
      if (first == "clear") {
        cmd.body = ClearCommand{};
      } else if (StartsWith(first, "load")) {
        auto load = ParseLoad(&i);
        if (!load.ok()) return load.status();
        cmd.body = std::move(*load);
      } else if (StartsWith(first, "eval")) {
        auto eval = ParseEval(&i);
        if (!eval.ok()) return eval.status();
        cmd.body = std::move(*eval);
      } else {
        return LineError::At(static_cast<int>(i), BadData("invalid command \"" + std::string(l) + "\""));
      }
      cmds.push_back(std::move(cmd));
    }
    return cmds;
  }

 private:
  StatusOr<LoadCommand> ParseLoad(size_t* i) {
    const size_t at = *i;
    const std::string_view l = lines_[at];
    const auto words = Fields(l);
    LoadCommand cmd;
    if (words.size() < 2 || (words[0] != "load" && words[0] != "load_with_nhcb")) {
      return LineError::At(static_cast<int>(at), BadData("invalid load command. (load[_with_nhcb] <step:duration>)"));
    }
    cmd.with_nhcb = words[0] == "load_with_nhcb";
    const std::string_view step = Trim(l.substr(words[1].data() - l.data()));
    auto gap = ParseDurationMs(step);
    if (!gap) return LineError::At(static_cast<int>(at), BadData("invalid step definition \"" + std::string(step) + "\""));
    cmd.interval_ms = *gap;

    std::optional<std::vector<SequenceValue>> pending_st;
    Labels pending_labels;
    size_t pending_line = 0;
    while (*i + 1 < lines_.size()) {
      const size_t li = *i + 1;
      const std::string_view def = lines_[li];
      if (def.empty()) break;
      *i = li;
      if (IsStLine(def)) {
        if (pending_st) return LineError::At(static_cast<int>(pending_line), BadData("@st line has no following sample line"));
        size_t sp = 0;
        while (sp < def.size() && !IsSpace(def[sp])) ++sp;
        const std::string_view metric_part = def.substr(0, sp - 3);
        auto seq = ParseStartTimestampSequence(def.substr(sp));
        if (!seq.ok()) return LineError::At(static_cast<int>(li), seq.status());
        if (metric_part.empty()) {
          cmd.default_st_values = std::move(*seq);
          continue;
        }
        SeriesParser mp(metric_part);
        auto labels = mp.ParseMetric();
        if (!labels.ok()) return LineError::At(static_cast<int>(li), labels.status());
        if (mp.pos() != metric_part.size()) {
          return LineError::At(static_cast<int>(li), BadData("invalid @st line metric \"" + std::string(metric_part) + "\""));
        }
        pending_st = std::move(*seq);
        pending_labels = std::move(*labels);
        pending_line = li;
        continue;
      }
      auto series = ParseSeriesLine(def);
      if (!series.ok()) return LineError::At(static_cast<int>(li), series.status());
      LoadSeries ls;
      ls.labels = std::move(series->labels);
      ls.values = std::move(series->values);
      ls.line = static_cast<int>(li) + 1;
      if (pending_st) {
        if (!(ls.labels == pending_labels)) {
          return LineError::At(static_cast<int>(pending_line), BadData("@st metric does not match the following sample line metric"));
        }
        if (pending_st->size() != ls.values.size()) {
          return LineError::At(static_cast<int>(pending_line),
                               BadData("@st line has " + std::to_string(pending_st->size()) + " values but sample line has " +
                                       std::to_string(ls.values.size())));
        }
        ls.st_values = std::move(*pending_st);
        pending_st.reset();
      }
      auto same = std::find_if(cmd.series.begin(), cmd.series.end(), [&](const LoadSeries& s) { return s.labels == ls.labels; });
      if (same != cmd.series.end()) {
        *same = std::move(ls);
      } else {
        cmd.series.push_back(std::move(ls));
      }
    }
    if (pending_st) return LineError::At(static_cast<int>(pending_line), BadData("@st line has no following sample line"));
    return cmd;
  }

  StatusOr<EvalCommand> ParseEval(size_t* i) {
    const size_t at = *i;
    const std::string_view l = lines_[at];
    const auto words = Fields(l);
    const auto invalid = [&] {
      return LineError::At(static_cast<int>(at),
                           BadData("invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered|_info] instant "
                                   "[at <offset:duration>] <query>' or 'eval[_fail|_warn|_info] range from <from> to "
                                   "<to> step <step> <query>'"));
    };
    EvalCommand cmd;
    cmd.line = static_cast<int>(at) + 1;
    std::string mod;
    if (words[0] == "eval") {
    } else if (StartsWith(words[0], "eval_")) {
      mod = std::string(words[0].substr(5));
      if (mod != "fail" && mod != "warn" && mod != "info" && mod != "ordered") return invalid();
    } else {
      return invalid();
    }
    // The expression is everything after the fixed words, as written.
    auto rest_after = [&](size_t word) { return Trim(l.substr(static_cast<size_t>(words[word].data() - l.data()))); };
    const auto fail_with = [&](const std::string& msg) {
      return LineError::At(static_cast<int>(at), BadData(msg));
    };
    if (words.size() >= 5 && words[1] == "instant" && words[2] == "at") {
      auto t = ParseDurationMs(words[3]);
      if (!t) return fail_with("invalid timestamp definition \"" + std::string(words[3]) + "\"");
      cmd.start_ms = cmd.end_ms = *t;
      cmd.expr = std::string(rest_after(4));
    } else if (words.size() >= 9 && words[1] == "range" && words[2] == "from" && words[4] == "to" && words[6] == "step") {
      if (mod == "ordered") return invalid();
      auto from = ParseDurationMs(words[3]);
      auto to = ParseDurationMs(words[5]);
      auto step = ParseDurationMs(words[7]);
      if (!from) return fail_with("invalid start timestamp definition \"" + std::string(words[3]) + "\"");
      if (!to) return fail_with("invalid end timestamp definition \"" + std::string(words[5]) + "\"");
      if (*to < *from) {
        return fail_with("invalid test definition, end timestamp (" + std::string(words[5]) +
                         ") is before start timestamp (" + std::string(words[3]) + ")");
      }
      if (!step) return fail_with("invalid step definition \"" + std::string(words[7]) + "\"");
      cmd.is_range = true;
      cmd.start_ms = *from;
      cmd.end_ms = *to;
      cmd.step_ms = *step;
      cmd.expr = std::string(rest_after(8));
    } else {
      return invalid();
    }
    cmd.fail = mod == "fail";
    cmd.warn = mod == "warn";
    cmd.info = mod == "info";
    cmd.ordered = mod == "ordered";

    // Result lines until a blank line. `j` numbers result positions as upstream does.
    int j = 1;
    for (; *i + 1 < lines_.size(); ++j) {
      const size_t li = *i + 1;
      const std::string_view def = lines_[li];
      if (def.empty()) break;
      *i = li;
      const auto err = [&](const std::string& msg) {
        return LineError::At(static_cast<int>(li), BadData("error in eval " + cmd.expr + ": " + msg));
      };
      if (cmd.fail && StartsWith(def, "expected_fail_message")) {
        cmd.expected_fail_message = std::string(Trim(def.substr(21)));
        break;
      }
      if (cmd.fail && StartsWith(def, "expected_fail_regexp")) {
        cmd.expected_fail_regexp = std::string(Trim(def.substr(20)));
        break;
      }
      if (StartsWith(def, "expect range vector")) {
        const auto w = Fields(def);
        if (w.size() != 9 || w[3] != "from" || w[5] != "to" || w[7] != "step") {
          return err("invalid range vector definition \"" + std::string(def) + "\"");
        }
        auto from = ParseDurationMs(w[4]);
        auto to = ParseDurationMs(w[6]);
        auto step = ParseDurationMs(w[8]);
        if (!from || !to || !step) return err("invalid range vector definition \"" + std::string(def) + "\"");
        if (*to < *from) return err("invalid test definition, end timestamp is before start timestamp");
        cmd.expect_range_vector = true;
        cmd.range_vector_start_ms = *from;
        cmd.range_vector_end_ms = *to;
        cmd.range_vector_step_ms = *step;
        cmd.exclude_from_range_query = true;
        continue;
      }
      if (StartsWith(def, "expect string")) {
        if (def == "expect string") return err("expected string literal not valid - a quoted string literal is required");
        std::string_view lit = def.substr(13);
        if (lit.empty() || lit[0] != ' ') return err("expected string literal not valid - a quoted string literal is required");
        lit.remove_prefix(1);
        auto s = GoUnquote(lit);
        if (!s.ok()) return err("expected string literal not valid - check that the string is correctly quoted");
        cmd.expected_string = std::move(*s);
        cmd.exclude_from_range_query = true;
        continue;
      }
      if (def.substr(0, def.find(' ')) == "expect") {
        auto e = ParseExpectLine(def);
        if (!e.ok()) return err(e.status().message());
        e->line = static_cast<int>(li) + 1;
        cmd.expects.push_back(std::move(*e));
        --j;
        if (Status st = ValidateExpects(cmd); !st.ok()) return err(st.message());
        continue;
      }
      if (auto f = ParseNumberLine(def)) {
        cmd.expected_scalar = *f;
        break;
      }
      auto series = ParseSeriesLine(def);
      if (!series.ok()) return LineError::At(static_cast<int>(li), series.status());
      if (series->values.size() > 1 && !cmd.is_range && !cmd.expect_range_vector) {
        return err("expecting multiple values in instant evaluation not allowed. consider using 'expect range vector' "
                   "directive to enable a range vector result for an instant query");
      }
      ExpectedSeries es;
      es.labels = std::move(series->labels);
      es.values = std::move(series->values);
      es.line = static_cast<int>(li) + 1;
      es.position = j;
      cmd.expected.push_back(std::move(es));
    }
    return cmd;
  }

  static StatusOr<ExpectLine> ParseExpectLine(std::string_view def) {
    def = Trim(def);
    ExpectLine e;
    const auto invalid = [] {
      return BadData("invalid expect statement, must match `expect <type> <match_type>: <string>` format");
    };
    std::string_view rest = Trim(def.substr(6));
    size_t sp = 0;
    while (sp < rest.size() && !IsSpace(rest[sp])) ++sp;
    const std::string_view kind = rest.substr(0, sp);
    if (kind == "fail") e.kind = ExpectKind::kFail;
    else if (kind == "warn") e.kind = ExpectKind::kWarn;
    else if (kind == "no_warn") e.kind = ExpectKind::kNoWarn;
    else if (kind == "info") e.kind = ExpectKind::kInfo;
    else if (kind == "no_info") e.kind = ExpectKind::kNoInfo;
    else if (kind == "ordered") e.kind = ExpectKind::kOrdered;
    else return invalid();
    std::string_view opt = rest.substr(sp);
    if (Trim(opt).empty()) return e;
    if (!IsSpace(opt[0])) return invalid();
    opt = Trim(opt);
    const size_t colon = opt.find(':');
    if (colon == std::string_view::npos) return invalid();
    const std::string_view mt = opt.substr(0, colon);
    std::string_view text = opt.substr(colon + 1);
    if (text.empty()) return invalid();
    if (mt == "msg") e.match = ExpectLine::Match::kMessage;
    else if (mt == "regex") e.match = ExpectLine::Match::kRegex;
    else return invalid();
    e.text = std::string(Trim(text));
    return e;
  }

  static Status ValidateExpects(const EvalCommand& cmd) {
    int info = 0, no_info = 0, warn = 0, no_warn = 0, fail = 0;
    for (const auto& e : cmd.expects) {
      info += e.kind == ExpectKind::kInfo;
      no_info += e.kind == ExpectKind::kNoInfo;
      warn += e.kind == ExpectKind::kWarn;
      no_warn += e.kind == ExpectKind::kNoWarn;
      fail += e.kind == ExpectKind::kFail;
    }
    if (info > 0 && no_info > 0) return BadData("invalid expect lines, info and no_info cannot be used together");
    if (warn > 0 && no_warn > 0) return BadData("invalid expect lines, warn and no_warn cannot be used together");
    if (fail > 1) return BadData("invalid expect lines, multiple expect fail lines are not allowed");
    return Status::Ok();
  }

  std::vector<std::string_view> lines_;
};

}  // namespace

StatusOr<SeriesLine> ParseSeriesLine(std::string_view line) { return SeriesParser(Trim(line)).Parse(); }

StatusOr<std::vector<SequenceValue>> ParseStartTimestampSequence(std::string_view text) {
  std::vector<SequenceValue> out;
  for (std::string_view item : Fields(text)) {
    double prev = 0;
    for (auto it = out.rbegin(); it != out.rend(); ++it) {
      if (!it->omitted) {
        prev = it->value;
        break;
      }
    }
    if (Status st = ParseStItem(item, prev, &out); !st.ok()) return st;
  }
  return out;
}

bool EvalCommand::ExpectsFailure() const {
  if (fail) return true;
  return std::any_of(expects.begin(), expects.end(), [](const ExpectLine& e) { return e.kind == ExpectKind::kFail; });
}

std::vector<const ExpectLine*> EvalCommand::ExpectsOf(ExpectKind kind) const {
  std::vector<const ExpectLine*> out;
  for (const auto& e : expects) {
    if (e.kind == kind) out.push_back(&e);
  }
  return out;
}

StatusOr<std::vector<Command>> ParseScript(std::string_view text) { return ScriptParser(text).Parse(); }

StatusOr<std::vector<Command>> ParseScriptFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  auto cmds = ParseScript(ss.str());
  if (!cmds.ok()) return cmds.status().Wrap(path);
  return cmds;
}

}  // namespace meridian::promqltest
