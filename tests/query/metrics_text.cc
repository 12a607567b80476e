#include "tests/query/metrics_text.h"

#include <cstdlib>
#include <sstream>

#include "tests/support/http_client.h"

namespace meridian::testing {

namespace {

// Label pairs of a sample line's {...} part; values without escapes are all these tests need.
std::map<std::string, std::string> ParseLabels(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i < body.size()) {
    size_t eq = body.find('=', i);
    if (eq == std::string::npos) break;
    size_t open = body.find('"', eq);
    size_t close = body.find('"', open + 1);
    if (open == std::string::npos || close == std::string::npos) break;
    std::string key = body.substr(i, eq - i);
    while (!key.empty() && (key.front() == ',' || key.front() == ' ')) key.erase(key.begin());
    out[key] = body.substr(open + 1, close - open - 1);
    i = close + 1;
  }
  return out;
}

}  // namespace

double SumMetric(const std::string& exposition, const std::string& name,
                 const std::map<std::string, std::string>& labels) {
  double sum = 0;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.compare(0, name.size(), name) != 0) continue;
    std::map<std::string, std::string> have;
    size_t value_at = name.size();
    if (value_at < line.size() && line[value_at] == '{') {
      size_t close = line.find('}', value_at);
      if (close == std::string::npos) continue;
      have = ParseLabels(line.substr(value_at + 1, close - value_at - 1));
      value_at = close + 1;
    } else if (value_at >= line.size() || line[value_at] != ' ') {
      continue;  // a longer name with this prefix
    }
    bool match = true;
    for (const auto& [k, v] : labels) {
      auto it = have.find(k);
      match = match && it != have.end() && it->second == v;
    }
    if (match) sum += std::strtod(line.c_str() + value_at, nullptr);
  }
  return sum;
}

StatusOr<double> ScrapeSum(const std::string& base_url, const std::string& name,
                           const std::map<std::string, std::string>& labels) {
  auto body = HttpGet(base_url + "/metrics", 10000);
  if (!body.ok()) return body.status();
  return SumMetric(*body, name, labels);
}

}  // namespace meridian::testing
