#pragma once
// Warnings and infos collected while a query runs, deduplicated. Messages are stored as
// reported: the PromQL ones below carry Prometheus's "PromQL warning: " / "PromQL info: "
// prefix, storage warnings come through verbatim.

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "promql/parser/ast.h"

namespace meridian::promql::engine {

class Annotations {
 public:
  // The query text lets messages name the position of the expression they are about, as
  // Prometheus does ("... (1:25)"). Without it messages carry no position.
  void SetQuery(std::string query) { query_ = std::move(query); }
  void AddWarning(std::string msg);
  void AddInfo(std::string msg);
  void AddWarning(std::string msg, const PosRange& pos) { AddWarning(WithPos(std::move(msg), pos)); }
  void AddInfo(std::string msg, const PosRange& pos) { AddInfo(WithPos(std::move(msg), pos)); }
  std::vector<std::string> Warnings() const;
  std::vector<std::string> Infos() const;

 private:
  std::string WithPos(std::string msg, const PosRange& pos) const;

  std::string query_;
  mutable std::mutex mu_;
  std::set<std::string> warnings_;
  std::set<std::string> infos_;
};

// Messages shared by several operators. Metric names are Go-quoted as upstream does.
std::string PossibleNonCounterInfo(const std::string& metric_name);
std::string BadBucketLabelWarning(const std::string& metric_name, const std::string& label);
std::string MixedClassicNativeHistogramsWarning(const std::string& metric_name);
std::string InvalidQuantileWarning(double q);
std::string HistogramQuantileForcedMonotonicityInfo(const std::string& metric_name);
std::string InvalidRatioWarning(double q, double to_use);

}  // namespace meridian::promql::engine
