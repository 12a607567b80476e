#include "tests/web/compat_data.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

namespace meridian::web::testing {

namespace {

constexpr int64_t kScrapeMs = 15000;

// OpenMetrics timestamps are seconds; three decimals keep the milliseconds exact.
std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000), static_cast<long long>(ms % 1000));
  return buf;
}

int64_t ScrapeTime(int i, int series) { return kCompatStartMs + i * kScrapeMs + 1 + (i * 37 + series * 101) % 450; }

int Scrapes() { return static_cast<int>((kCompatEndMs - kCompatStartMs) / kScrapeMs); }

void Counter(std::ostringstream& out) {
  out << "# TYPE http_requests counter\n";
  int k = 0;
  for (const char* job : {"api", "web"}) {
    // A label value with a multi-byte path, one of the "odd" values clients must round-trip.
    const char* handler = std::string(job) == "api" ? "/api/v1/query" : "/ünïcödé/päth";
    for (const char* instance : {"host-1:9090", "host-2:9090"}) {
      for (const char* code : {"200", "500"}) {
        double v = 1000 + 137 * k;
        for (int i = 0; i < Scrapes(); ++i) {
          const int64_t t = ScrapeTime(i, k);
          v += (i * 7 + k) % 13 + (std::string(code) == "200" ? 5 : 1);
          // A reset that restarts high, so that no window extrapolates towards zero.
          if (k == 3 && i == 700) v = 500;
          if (k == 6 && t >= kCompatGapStartMs && t < kCompatGapEndMs) continue;
          out << "http_requests_total{job=\"" << job << "\",instance=\"" << instance << "\",code=\"" << code
              << "\",handler=\"" << handler << "\"} " << v << ' ' << Seconds(t) << '\n';
        }
        ++k;
      }
    }
  }
}

void Gauge(std::ostringstream& out) {
  out << "# TYPE node_temperature_celsius gauge\n";
  // Values with quotes, backslashes, a newline, non-ASCII and a snowman: escaped on the wire,
  // sorted byte-wise by both servers.
  const std::vector<std::string> sensors = {"cpu", "gpu °C", "ünïcode/☃", "quote\\\"and\\\\back", "new\\nline"};
  int k = 20;
  for (const auto& sensor : sensors) {
    for (int i = 0; i < Scrapes(); ++i) {
      // Sixteenths tell the sensors apart, so no two ever tie (topk and sort would pick freely).
      const double v = std::round((40 + 10 * std::sin(i / 37.0 + k)) * 4) / 4 + (k - 20) / 16.0;
      out << "node_temperature_celsius{sensor=\"" << sensor << "\",zone=\"rack a\"} " << v << ' '
          << Seconds(ScrapeTime(i, k)) << '\n';
    }
    ++k;
  }
}

void Histogram(std::ostringstream& out) {
  out << "# TYPE request_duration_seconds histogram\n";
  const std::vector<std::string> les = {"0.1", "0.25", "0.5", "1.0", "2.5", "+Inf"};
  int k = 40;
  for (const char* job : {"api", "web"}) {
    // Cumulative counts per scrape, so that every bucket series is a counter and each scrape is
    // monotonic in le.
    std::vector<std::vector<double>> counts(les.size(), std::vector<double>(Scrapes()));
    std::vector<double> sums(Scrapes());
    std::vector<double> per_bucket(les.size(), 0);
    double sum = 0;
    for (int i = 0; i < Scrapes(); ++i) {
      double cumulative = 0;
      for (size_t b = 0; b < les.size(); ++b) {
        per_bucket[b] += (i * (b + 3) + k) % (7 + b);
        cumulative += per_bucket[b];
        counts[b][i] = cumulative;
      }
      sum += 0.25 * ((i + k) % 11);
      sums[i] = sum;
    }
    for (size_t b = 0; b < les.size(); ++b) {
      for (int i = 0; i < Scrapes(); ++i) {
        out << "request_duration_seconds_bucket{job=\"" << job << "\",le=\"" << les[b] << "\"} " << counts[b][i]
            << ' ' << Seconds(ScrapeTime(i, k)) << '\n';
      }
    }
    for (int i = 0; i < Scrapes(); ++i) {
      out << "request_duration_seconds_sum{job=\"" << job << "\"} " << sums[i] << ' ' << Seconds(ScrapeTime(i, k))
          << '\n';
    }
    for (int i = 0; i < Scrapes(); ++i) {
      out << "request_duration_seconds_count{job=\"" << job << "\"} " << counts.back()[i] << ' '
          << Seconds(ScrapeTime(i, k)) << '\n';
    }
    ++k;
  }
}

}  // namespace

std::string CompatOpenMetrics() {
  std::ostringstream out;
  out.precision(17);
  Counter(out);
  Gauge(out);
  Histogram(out);
  out << "# EOF\n";
  return out.str();
}

}  // namespace meridian::web::testing
