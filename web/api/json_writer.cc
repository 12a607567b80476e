#include "web/api/json_writer.h"

#include <charconv>
#include <cmath>

#include "model/strings.h"

namespace meridian::web {
namespace {

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

std::string GoJsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '<':
        case '>':
        case '&':
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
          break;
        default:
          if (c < 0x20) {
            out.append("\\u00");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Go writes each byte that does not begin valid UTF-8 as U+FFFD and resumes at the next.
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out.append("\\ufffd");
      ++i;
      continue;
    }
    // U+2028 and U+2029 break JavaScript string literals; Go escapes them.
    if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
      out.append(static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  out.push_back('"');
  return out;
}

namespace {

// Writes the timestamp text into buf (at least 32 bytes) and returns its length; no
// allocation, as it runs for every point of a response.
size_t FormatTimestampInto(int64_t ms, char* buf) {
  uint64_t abs = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  char tmp[24];
  size_t n = 0;
  uint64_t secs = abs / 1000;
  do {
    tmp[n++] = static_cast<char>('0' + secs % 10);
    secs /= 10;
  } while (secs != 0);
  size_t len = 0;
  if (ms < 0) buf[len++] = '-';
  while (n > 0) buf[len++] = tmp[--n];
  uint64_t frac = abs % 1000;
  if (frac != 0) {
    buf[len++] = '.';
    buf[len++] = static_cast<char>('0' + frac / 100);
    buf[len++] = static_cast<char>('0' + frac / 10 % 10);
    buf[len++] = static_cast<char>('0' + frac % 10);
  }
  return len;
}

// True when s needs no escaping: printable ASCII other than the characters Go escapes.
bool IsPlainJsonString(std::string_view s) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&') return false;
  }
  return true;
}

}  // namespace

std::string FormatTimestampJSON(int64_t ms) {
  char buf[32];
  return std::string(buf, FormatTimestampInto(ms, buf));
}

std::string FormatGoJSONFloat(double v) {
  std::string s = FormatFloatJSON(v);  // same cut-offs between plain and exponent form
  // encoding/json shortens a two-digit negative exponent: 1e-07 -> 1e-7.
  size_t n = s.size();
  if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
  return s;
}

void JsonWriter::Key(std::string_view k) { String(k); }

void JsonWriter::String(std::string_view s) {
  if (IsPlainJsonString(s)) {
    scratch_.assign(1, '"');
    scratch_.append(s);
    scratch_.push_back('"');
  } else {
    scratch_ = GoJsonQuote(s);
  }
  writer_.RawValue(scratch_.data(), scratch_.size(), rapidjson::kStringType);
}

void JsonWriter::Timestamp(int64_t ms) {
  char buf[32];
  writer_.RawValue(buf, FormatTimestampInto(ms, buf), rapidjson::kNumberType);
}

void JsonWriter::SampleValue(double v) {
  char buf[kFloatJSONBufferSize + 2];
  buf[0] = '"';
  const size_t n = FormatFloatJSONTo(v, buf + 1);
  buf[n + 1] = '"';
  writer_.RawValue(buf, n + 2, rapidjson::kStringType);
}

void JsonWriter::ScalarValue(double v) {
  scratch_.assign(1, '"');
  if (std::isnan(v)) {
    scratch_.append("NaN");
  } else if (std::isinf(v)) {
    scratch_.append(v > 0 ? "+Inf" : "-Inf");
  } else {
    // Fixed notation of the shortest round-trip digits: at most 309 integer digits plus a
    // sign and a fraction of at most 17 significant digits after up to 323 zeros.
    char buf[800];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    scratch_.append(buf, r.ptr);
  }
  scratch_.push_back('"');
  writer_.RawValue(scratch_.data(), scratch_.size(), rapidjson::kStringType);
}

void JsonWriter::GoFloat(double v) {
  if (!std::isfinite(v)) {
    writer_.Null();
    return;
  }
  std::string s = FormatGoJSONFloat(v);
  writer_.RawValue(s.data(), s.size(), rapidjson::kNumberType);
}

void JsonWriter::LabelsObject(const Labels& labels) {
  writer_.StartObject();
  for (const Label& l : labels) {
    Key(l.name);
    String(l.value);
  }
  writer_.EndObject();
}

void JsonWriter::RawJson(std::string_view json) {
  writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

}  // namespace meridian::web
