#include "model/strings.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace meridian {

size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

size_t FindInvalidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string GoQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = Utf8SequenceLength(s, i);
    if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    ++i;
    switch (c) {
      case '"': out.append("\\\""); continue;
      case '\\': out.append("\\\\"); continue;
      case '\a': out.append("\\a"); continue;
      case '\b': out.append("\\b"); continue;
      case '\f': out.append("\\f"); continue;
      case '\n': out.append("\\n"); continue;
      case '\r': out.append("\\r"); continue;
      case '\t': out.append("\\t"); continue;
      case '\v': out.append("\\v"); continue;
      default: break;
    }
    if (n == 0 || c < 0x20 || c == 0x7f) {
      // Invalid UTF-8 bytes and control characters, as Go escapes them.
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out.append(buf);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

static bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsValidLegacyLabelName(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return false;
  for (char c : s) {
    if (!IsAlpha(c) && !IsDigit(c)) return false;
  }
  return true;
}

bool IsValidLegacyMetricName(std::string_view s) {
  if (s.empty() || !(IsAlpha(s[0]) || s[0] == ':')) return false;
  for (char c : s) {
    if (!IsAlpha(c) && !IsDigit(c) && c != ':') return false;
  }
  return true;
}

namespace {
// Shortest round-trip digits and decimal exponent of v (v finite, non-zero), via to_chars
// in scientific form: "d.ddde±XX".
void ShortestDigits(double v, std::string& digits, int& exp10) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view s(buf, res.ptr - buf);
  size_t e = s.find('e');
  std::string_view mant = s.substr(0, e);
  exp10 = std::atoi(std::string(s.substr(e + 1)).c_str());
  digits.clear();
  for (char c : mant) {
    if (IsDigit(c)) digits.push_back(c);
  }
}

// "d.ddde+XX" as Go writes exponents (at least two digits).
void AppendExponentForm(const std::string& digits, int exp10, std::string& out) {
  out.push_back(digits[0]);
  if (digits.size() > 1) {
    out.push_back('.');
    out.append(digits, 1);
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
  out.append(buf);
}

// Plain notation with the decimal point after `point` digits (may be <= 0 or past the end).
void AppendPlainForm(const std::string& digits, int point, std::string& out) {
  if (point <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-point), '0');
    out.append(digits);
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out.append(digits);
    out.append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out.append(digits, 0, point);
    out.push_back('.');
    out.append(digits, point);
  }
}

// Formats finite, non-zero v; exponent form when the decimal exponent is outside
// [min_exp, max_exp).
std::string FormatFinite(double v, int min_exp, int max_exp) {
  std::string digits;
  int exp10;
  ShortestDigits(v, digits, exp10);
  std::string out;
  if (v < 0) out.push_back('-');
  if (exp10 < min_exp || exp10 >= max_exp) {
    AppendExponentForm(digits, exp10, out);
  } else {
    AppendPlainForm(digits, exp10 + 1, out);
  }
  return out;
}
}  // namespace

std::string FormatFloatJSON(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Prometheus's jsonutil writes plain notation for 1e-6 <= |v| < 1e21, exponent form
  // otherwise. Decided on |v| itself: 9.9999e-7 has exponent -7 but is below 1e-6 too.
  const double a = std::fabs(v);
  if (a >= 1e-6 && a < 1e21) return FormatFinite(v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  return FormatFinite(v, std::numeric_limits<int>::max(), std::numeric_limits<int>::max());
}

size_t FormatFloatJSONTo(double v, char* buf) {
  const double a = std::fabs(v);
  if (a >= 1e-6 && a < 9e15) {
    // Plain notation of the shortest round-trip digits is what std::to_chars writes in fixed
    // format without a precision. Only below 2^53, where every integer part is exact: above,
    // to_chars prints the exact integer (1559327330193010688) where Go pads the shortest
    // digits with zeros (1559327330193010700).
    auto res = std::to_chars(buf, buf + kFloatJSONBufferSize, v, std::chars_format::fixed);
    if (res.ec == std::errc()) return static_cast<size_t>(res.ptr - buf);
  }
  const std::string s = FormatFloatJSON(v);
  std::memcpy(buf, s.data(), s.size());
  return s.size();
}

std::string FormatFloatShortest(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Go's 'g' with shortest precision switches to exponent form when the decimal exponent is
  // below -4 or at least 21 (strconv uses eprec 21 when the precision is "shortest").
  return FormatFinite(v, -4, 21);
}

}  // namespace meridian
