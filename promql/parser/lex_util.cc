#include "promql/parser/lex_util.h"

#include "model/strings.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace meridian::promql {
namespace {

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string DescribeRune(unsigned char c) {
  char buf[32];
  if (c >= 0x20 && c < 0x7f) {
    std::snprintf(buf, sizeof buf, "U+%04X '%c'", c, c);
  } else {
    std::snprintf(buf, sizeof buf, "U+%04X", c);
  }
  return buf;
}

}  // namespace

std::optional<std::string> UnquoteString(std::string_view tok, std::string* error) {
  if (tok.size() < 2) {
    *error = "unterminated quoted string";
    return std::nullopt;
  }
  char q = tok.front();
  std::string_view body = tok.substr(1, tok.size() - 2);
  if (q == '`') return std::string(body);
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= body.size()) {
      *error = "escape sequence not terminated";
      return std::nullopt;
    }
    char e = body[i];
    switch (e) {
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case '\\': out.push_back('\\'); break;
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        int v = 0;
        for (int k = 0; k < 3; ++k, ++i) {
          if (i >= body.size() || body[i] < '0' || body[i] > '7') {
            *error = i >= body.size() ? "escape sequence not terminated"
                                      : "illegal character " +
                                            DescribeRune(static_cast<unsigned char>(body[i])) +
                                            " in escape sequence";
            return std::nullopt;
          }
          v = v * 8 + (body[i] - '0');
        }
        --i;
        if (v > 255) {
          *error = "octal escape value > 255";
          return std::nullopt;
        }
        out.push_back(static_cast<char>(v));
        break;
      }
      case 'x': case 'u': case 'U': {
        int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t v = 0;
        for (int k = 0; k < digits; ++k) {
          ++i;
          if (i >= body.size()) {
            *error = "escape sequence not terminated";
            return std::nullopt;
          }
          int h = HexVal(body[i]);
          if (h < 0) {
            *error = "illegal character " + DescribeRune(static_cast<unsigned char>(body[i])) +
                     " in escape sequence";
            return std::nullopt;
          }
          v = v * 16 + static_cast<uint32_t>(h);
        }
        if (e == 'x') {
          out.push_back(static_cast<char>(v));
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            *error = "escape sequence is an invalid Unicode code point";
            return std::nullopt;
          }
          AppendUtf8(out, v);
        }
        break;
      }
      default:
        if (e == q) {
          out.push_back(e);
          break;
        }
        *error = "unknown escape sequence " + DescribeRune(static_cast<unsigned char>(e));
        return std::nullopt;
    }
  }
  return out;
}

std::optional<double> ParseNumber(std::string_view tok) {
  std::string s(tok);
  if (s.size() == 3) {
    std::string l;
    for (char c : s) l.push_back(static_cast<char>(c | 0x20));
    if (l == "inf") return std::numeric_limits<double>::infinity();
    if (l == "nan") return std::numeric_limits<double>::quiet_NaN();
  }
  bool is_int = true;
  for (char c : s) {
    if (c == '.' || ((c == 'e' || c == 'E') && !(s.size() > 1 && (s[1] == 'x' || s[1] == 'X')))) {
      is_int = false;
    }
  }
  if (is_int) {
    // Go's ParseInt with base 0: 0x hex, leading 0 octal; falls back to float on failure
    // (so "09" is 9 and huge integers become floats).
    int base = 10;
    const char* p = s.c_str();
    if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      p += 2;
    } else if (s.size() > 1 && s[0] == '0') {
      base = 8;
      p += 1;
    }
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(p, &end, base);
    if (errno == 0 && end && *end == '\0' && *p != '\0') return static_cast<double>(v);
    if (base == 16) {
      // Out of int64 range: Go's ParseFloat accepts hex only with a p exponent, so this fails.
      return std::nullopt;
    }
  }
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (!end || *end != '\0') return std::nullopt;
  if (errno == ERANGE && std::isinf(d)) return std::nullopt;  // Go reports "value out of range"
  return d;
}


}  // namespace meridian::promql
