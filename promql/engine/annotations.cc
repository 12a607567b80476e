#include "promql/engine/annotations.h"

#include "model/strings.h"

namespace meridian::promql::engine {

namespace {
constexpr const char* kWarnPrefix = "PromQL warning: ";
constexpr const char* kInfoPrefix = "PromQL info: ";

std::string MaybeForMetric(std::string msg, const std::string& metric_name) {
  if (metric_name.empty()) return msg;
  return msg + " for metric name " + GoQuote(metric_name);
}
}  // namespace

std::string Annotations::WithPos(std::string msg, const PosRange& pos) const {
  if (query_.empty()) return msg;
  if (pos.start < 0 || static_cast<size_t>(pos.start) > query_.size()) return msg;
  int line = 1;
  int last_break = -1;
  for (int i = 0; i < pos.start; ++i) {
    if (query_[i] == '\n') {
      last_break = i;
      ++line;
    }
  }
  return msg + " (" + std::to_string(line) + ":" + std::to_string(pos.start - last_break) + ")";
}

void Annotations::AddWarning(std::string msg) {
  std::lock_guard<std::mutex> l(mu_);
  warnings_.insert(std::move(msg));
}

void Annotations::AddInfo(std::string msg) {
  std::lock_guard<std::mutex> l(mu_);
  infos_.insert(std::move(msg));
}

std::vector<std::string> Annotations::Warnings() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  out.assign(warnings_.begin(), warnings_.end());
  return out;
}

std::vector<std::string> Annotations::Infos() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  out.assign(infos_.begin(), infos_.end());
  return out;
}

std::string PossibleNonCounterInfo(const std::string& metric_name) {
  return std::string(kInfoPrefix) + "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: " +
         GoQuote(metric_name);
}

std::string BadBucketLabelWarning(const std::string& metric_name, const std::string& label) {
  return kWarnPrefix + MaybeForMetric("bucket label \"le\" is missing or has a malformed value of " + GoQuote(label),
                        metric_name);
}

std::string MixedClassicNativeHistogramsWarning(const std::string& metric_name) {
  return kWarnPrefix + MaybeForMetric("vector contains a mix of classic and native histograms", metric_name);
}

std::string InvalidQuantileWarning(double q) {
  return std::string(kWarnPrefix) + "quantile value should be between 0 and 1, got " + FormatFloatShortest(q);
}

std::string HistogramQuantileForcedMonotonicityInfo(const std::string& metric_name) {
  return kInfoPrefix + MaybeForMetric(
      "input to histogram_quantile needed to be fixed for monotonicity (see "
      "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)",
      metric_name);
}

std::string InvalidRatioWarning(double q, double to_use) {
  return std::string(kWarnPrefix) + "ratio value should be between -1 and 1, got " + FormatFloatShortest(q) +
         ", capping to " + FormatFloatShortest(to_use);
}

}  // namespace meridian::promql::engine
