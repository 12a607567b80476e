#include "web/api/params.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "model/duration.h"
#include "model/strings.h"
#include "model/time_format.h"

namespace meridian::web {
namespace {

constexpr std::string_view kMinTimeFormatted = "-292273086-05-16T16:47:06Z";
constexpr std::string_view kMaxTimeFormatted = "292277025-08-18T07:12:54.999999999Z";

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// strconv.ParseFloat's decimal syntax (and its inf/nan spellings). Hex floats are not
// accepted; no Prometheus client sends them.
bool ParseGoFloat(std::string_view s, double* out) {
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (EqualsNoCase(body, "inf") || EqualsNoCase(body, "infinity")) {
    *out = s[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (EqualsNoCase(body, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  size_t i = 0, digits = 0;
  while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != body.size()) return false;
  std::string copy(s);
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return false;
  // Go reports out-of-range as an error too (the value is ±Inf then).
  if (errno == ERANGE && std::isinf(v)) return false;
  *out = v;
  return true;
}

bool ValidRune(uint32_t r) { return r <= 0x10FFFF && !(r >= 0xD800 && r <= 0xDFFF); }

void AppendUtf8(uint32_t r, std::string* out) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

// model.UnescapeName for ValueEncodingEscaping; returns the input unchanged when it is not a
// well-formed escape.
std::string UnescapeName(std::string_view name) {
  if (name.substr(0, 3) != "U__") return std::string(name);
  std::string_view esc = name.substr(3);
  std::string out;
  for (size_t i = 0; i < esc.size(); ++i) {
    if (esc[i] != '_') {
      out.push_back(esc[i]);
      continue;
    }
    ++i;
    if (i >= esc.size()) return std::string(name);
    if (esc[i] == '_') {
      out.push_back('_');
      continue;
    }
    uint32_t val = 0;
    bool closed = false;
    for (int j = 0; i < esc.size(); ++j) {
      if (j >= 6) return std::string(name);
      if (esc[i] == '_') {
        if (!ValidRune(val)) return std::string(name);
        AppendUtf8(val, &out);
        closed = true;
        break;
      }
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(esc[i])));
      val *= 16;
      if (c >= '0' && c <= '9') {
        val += c - '0';
      } else if (c >= 'a' && c <= 'f') {
        val += c - 'a' + 10;
      } else {
        return std::string(name);
      }
      ++i;
    }
    if (!closed) return std::string(name);
  }
  return out;
}

}  // namespace

StatusOr<int64_t> ParseTimeMs(std::string_view s) {
  double t;
  if (ParseGoFloat(s, &t) && std::isfinite(t) && std::fabs(t) < 9.2e15) {
    // Mirrors time.Unix(int64(sec), int64(round(frac*1000)/1000 * 1e9)) and then
    // timestamp.FromTime, so fractions land on the same millisecond as upstream's.
    double ipart;
    double frac = std::modf(t, &ipart);
    frac = std::round(frac * 1000) / 1000;
    int64_t sec = static_cast<int64_t>(ipart);
    int64_t nsec = static_cast<int64_t>(frac * 1e9);
    if (nsec < 0) {
      sec -= 1;
      nsec += 1000000000;
    } else if (nsec >= 1000000000) {
      sec += 1;
      nsec -= 1000000000;
    }
    return sec * 1000 + nsec / 1000000;
  }
  int64_t ms;
  if (ParseRfc3339Ms(s, &ms)) return ms;
  if (s == kMinTimeFormatted) return kMinTimeMs;
  if (s == kMaxTimeFormatted) return kMaxTimeMs;
  return BadData("cannot parse " + GoQuote(s) + " to a valid timestamp");
}

StatusOr<int64_t> ParseDurationNs(std::string_view s) {
  double d;
  if (ParseGoFloat(s, &d) && !std::isnan(d)) {
    double ns = d * 1e9;
    // float64(MaxInt64) rounds up to 2^63, which no int64 holds; treat it as overflow too.
    if (ns >= 9223372036854775807.0 || ns < -9223372036854775807.0 - 1) {
      return BadData("cannot parse " + GoQuote(s) + " to a valid duration. It overflows int64");
    }
    return static_cast<int64_t>(ns);
  }
  if (auto ms = ParseDurationMs(s)) {
    if (*ms <= std::numeric_limits<int64_t>::max() / 1000000) return *ms * 1000000;
  }
  return BadData("cannot parse " + GoQuote(s) + " to a valid duration");
}

StatusOr<bool> ParseGoBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
  return BadData("strconv.ParseBool: parsing " + GoQuote(s) + ": invalid syntax");
}

StatusOr<int64_t> ParseLimit(std::string_view s) {
  if (s.empty()) return int64_t{0};
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return BadData("strconv.Atoi: parsing " + GoQuote(s) + ": invalid syntax");
  uint64_t v = 0;
  bool overflow = false;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
      return BadData("strconv.Atoi: parsing " + GoQuote(s) + ": invalid syntax");
    }
    if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) overflow = true;
    if (!overflow) v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  if (overflow || v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (neg ? 1 : 0)) {
    return BadData("strconv.Atoi: parsing " + GoQuote(s) + ": value out of range");
  }
  if (neg) return BadData("limit must be non-negative");
  return static_cast<int64_t>(v);
}

StatusOr<std::string> ParseLabelNameParam(std::string_view raw) {
  std::string name = UnescapeName(raw);
  if (name.empty() || FindInvalidUtf8(name) != std::string_view::npos) return BadData("invalid label name: " + GoQuote(name));
  return name;
}

}  // namespace meridian::web
