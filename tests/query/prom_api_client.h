#pragma once
// Asks a querier's Prometheus HTTP API (/api/v1/query, /query_range, /series) and reads the
// envelope back: status, error, warnings and the result as labelled sample lists, so tests
// compare answers without caring about JSON layout.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace meridian::testing {

using LabelMap = std::map<std::string, std::string>;
using SamplePoints = std::vector<std::pair<int64_t, double>>;  // ms, value

struct ResultSeries {
  LabelMap labels;
  SamplePoints samples;  // one for a vector element, none for /series
};

struct ApiAnswer {
  long http_code = 0;
  std::string status;  // "success" or "error"; empty when the body was not an envelope
  std::string error_type;
  std::string error;
  std::vector<std::string> warnings;
  std::vector<ResultSeries> series;  // sorted by labels
  std::string body;
  double seconds = 0;  // wall time of the request

  bool ok() const { return status == "success"; }
  // The series whose labels include all of `subset`.
  std::vector<const ResultSeries*> With(const LabelMap& subset) const;
};

using Params = std::vector<std::pair<std::string, std::string>>;

class PromApiClient {
 public:
  explicit PromApiClient(std::string base_url) : base_(std::move(base_url)) {}

  // `path` is e.g. "/api/v1/query"; parameters go in a POST form body, as Grafana sends them.
  ApiAnswer Call(const std::string& path, const Params& params, int timeout_ms = 60000) const;

  ApiAnswer Instant(const std::string& expr, int64_t time_ms, Params extra = {}) const;
  ApiAnswer Range(const std::string& expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                  Params extra = {}) const;
  ApiAnswer Series(const std::string& match, int64_t start_ms, int64_t end_ms, Params extra = {}) const;

 private:
  std::string base_;
};

// "1700000000.123" as the API takes times.
std::string ApiTime(int64_t ms);

}  // namespace meridian::testing
