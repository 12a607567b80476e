#include "model/strings.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace meridian {

std::string GoQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\a': out.append("\\a"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\v': out.append("\\v"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out.append(buf);
        } else {
          // UTF-8 passes through unchanged, as Go keeps printable runes.
          out.push_back(static_cast<char>(c));
        }
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
}  // namespace

std::string FormatFloatJSON(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Prometheus's jsonutil writes plain notation for 1e-6 <= |v| < 1e21, exponent form otherwise.
  double a = std::fabs(v);
  std::string digits;
  int exp10;
  ShortestDigits(v, digits, exp10);
  std::string out;
  if (v < 0) out.push_back('-');
  if (a >= 1e-6 && a < 1e21) {
    int point = exp10 + 1;  // digits before the decimal point
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
    return out;
  }
  out.push_back(digits[0]);
  if (digits.size() > 1) {
    out.push_back('.');
    out.append(digits, 1);
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
  out.append(buf);
  return out;
}

std::string FormatFloatShortest(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Go's 'g' with shortest precision switches to exponent form when the decimal exponent is
  // below -4 or at least 21 (strconv uses eprec 21 when the precision is "shortest").
  std::string digits;
  int exp10;
  ShortestDigits(v, digits, exp10);
  const int eprec = 21;
  const int nd = static_cast<int>(digits.size());
  const int dp = exp10 + 1;
  std::string out;
  if (v < 0) out.push_back('-');
  if (exp10 < -4 || exp10 >= eprec) {
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
    out.append(buf);
    return out;
  }
  if (dp <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-dp), '0');
    out.append(digits);
  } else if (dp >= nd) {
    out.append(digits);
    out.append(static_cast<size_t>(dp - nd), '0');
  } else {
    out.append(digits, 0, dp);
    out.push_back('.');
    out.append(digits, dp);
  }
  return out;
}

}  // namespace meridian
