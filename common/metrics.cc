#include "common/metrics.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <prometheus/text_serializer.h>

namespace meridian {

namespace {

const auto kStart = std::chrono::system_clock::now();

// Reads /proc/self/stat for CPU time and resident memory (Linux only, as the project).
void ProcessStats(double* cpu_seconds, double* rss_bytes) {
  *cpu_seconds = 0;
  *rss_bytes = 0;
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may contain spaces.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  long long utime = 0, stime = 0, rss_pages = 0;
  for (int i = 3; fields >> f; ++i) {
    if (i == 14) utime = std::stoll(f);
    if (i == 15) stime = std::stoll(f);
    if (i == 24) {
      rss_pages = std::stoll(f);
      break;
    }
  }
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  *cpu_seconds = static_cast<double>(utime + stime) / ticks;
  *rss_bytes = static_cast<double>(rss_pages) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

prometheus::MetricFamily Gauge(const std::string& name, const std::string& help, double v,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
  f.metric.push_back(m);
  return f;
}

}  // namespace

std::shared_ptr<prometheus::Registry> MetricsRegistryPtr() {
  static auto registry = std::make_shared<prometheus::Registry>();
  return registry;
}

prometheus::Registry& MetricsRegistry() { return *MetricsRegistryPtr(); }

std::string RenderMetrics() {
  auto families = MetricsRegistry().Collect();
  double cpu = 0, rss = 0;
  ProcessStats(&cpu, &rss);
  families.push_back(Gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", cpu,
                           prometheus::MetricType::Counter));
  families.push_back(Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", rss));
  families.push_back(Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                           std::chrono::duration<double>(kStart.time_since_epoch()).count()));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace meridian
