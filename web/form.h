#pragma once
// Request parameters as Go's net/http presents them to Prometheus's handlers: the values of a
// urlencoded POST body first, then those of the URL query, so FormValue prefers the body and
// a repeated key (match[]) collects both.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meridian::web {

class Form {
 public:
  // Decodes "a=1&b=%20x+y" and appends the pairs in order. Pairs with a malformed
  // percent-escape are skipped, as Go drops them from r.Form.
  void AppendUrlEncoded(std::string_view encoded);
  void Add(std::string name, std::string value) { pairs_.emplace_back(std::move(name), std::move(value)); }

  // The first value of `name`, "" when absent (r.FormValue).
  std::string Value(std::string_view name) const;
  // Every value of `name` in order (r.Form[name]).
  std::vector<std::string> Values(std::string_view name) const;
  bool Has(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Percent-decoding with '+' as space; false on a malformed escape.
bool UrlQueryUnescape(std::string_view in, std::string* out);

}  // namespace meridian::web
