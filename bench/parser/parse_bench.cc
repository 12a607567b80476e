// Parse time of typical dashboard queries (Grafana panels for node, HTTP and k8s metrics).

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "promql/parser/parse.h"

namespace {

const std::vector<std::string>& Queries() {
  static const std::vector<std::string> q = {
      "up",
      "up{job=\"prometheus\"} == 0",
      "rate(http_requests_total[5m])",
      "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))",
      "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))",
      "histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m])))",
      "100 - (avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])) * 100)",
      "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100",
      "1 - node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay\"} / node_filesystem_size_bytes",
      "topk(10, sum by (pod) (container_memory_working_set_bytes{namespace=\"default\"}))",
      "sum by (namespace) (kube_pod_status_phase{phase=~\"Pending|Unknown\"}) > 0",
      "increase(kube_pod_container_status_restarts_total[1h]) > 3",
      "predict_linear(node_filesystem_free_bytes[6h], 4 * 3600) < 0",
      "avg_over_time(up[1d]) * 100",
      "max_over_time(rate(process_cpu_seconds_total[1m])[1h:1m])",
      "sum by (instance) (irate(node_network_receive_bytes_total{device!=\"lo\"}[2m])) * 8",
      "rate(http_requests_total[5m]) * on (instance) group_left (version) build_info",
      "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")",
      "count(count by (version) (prometheus_build_info))",
      "absent(up{job=\"alertmanager\"} == 1) or vector(0)",
      "quantile_over_time(0.95, http_request_duration_seconds[10m] offset 1d)",
      "sum(rate(x[5m] @ end())) without (instance, pod)",
  };
  return q;
}

void BM_ParseDashboardQuery(benchmark::State& state) {
  const std::string& q = Queries()[state.range(0)];
  for (auto _ : state) {
    auto r = meridian::promql::ParseExpr(q);
    if (!r.ok()) state.SkipWithError(r.ErrorString().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(q.substr(0, 40));
}
BENCHMARK(BM_ParseDashboardQuery)->DenseRange(0, 21);

// All queries in one loop: per-iteration time / 22 is the mean per query.
void BM_ParseAll(benchmark::State& state) {
  for (auto _ : state) {
    for (const auto& q : Queries()) {
      auto r = meridian::promql::ParseExpr(q);
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(Queries().size()));
}
BENCHMARK(BM_ParseAll);

}  // namespace
