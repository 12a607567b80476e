#include "web/form.h"

namespace meridian::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool UrlQueryUnescape(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

void Form::AppendUrlEncoded(std::string_view encoded) {
  while (!encoded.empty()) {
    size_t amp = encoded.find('&');
    std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view() : encoded.substr(amp + 1);
    // Go rejects ';' as a separator since 1.17 and drops such pairs.
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    size_t eq = pair.find('=');
    std::string name, value;
    if (!UrlQueryUnescape(pair.substr(0, eq), &name)) continue;
    if (eq != std::string_view::npos && !UrlQueryUnescape(pair.substr(eq + 1), &value)) continue;
    pairs_.emplace_back(std::move(name), std::move(value));
  }
}

std::string Form::Value(std::string_view name) const {
  for (const auto& [k, v] : pairs_) {
    if (k == name) return v;
  }
  return "";
}

std::vector<std::string> Form::Values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : pairs_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

bool Form::Has(std::string_view name) const {
  for (const auto& [k, v] : pairs_) {
    if (k == name) return true;
  }
  return false;
}

}  // namespace meridian::web
