#include "tests/support/prometheus_process.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/support/http_client.h"

namespace meridian::testing {

Status CreateBlocksFromOpenMetrics(const std::string& openmetrics, const std::string& data_dir,
                                   const std::string& scratch_dir) {
  const std::string input = scratch_dir + "/input.om";
  {
    std::ofstream out(input);
    out << openmetrics;
  }
  return RunCommand({kPromtoolBinary, "tsdb", "create-blocks-from", "openmetrics", input, data_dir},
                    scratch_dir + "/promtool.log");
}

StatusOr<std::unique_ptr<PrometheusProcess>> PrometheusProcess::Start(PrometheusConfig cfg) {
  if (::access(kPrometheusBinary, X_OK) != 0) return InternalError("no prometheus at /usr/bin/prometheus");
  if (cfg.port == 0) cfg.port = FreePort();
  std::unique_ptr<PrometheusProcess> p(new PrometheusProcess(std::move(cfg)));
  {
    std::ofstream out(p->cfg_.work_dir + "/prometheus.yml");
    out << "global:\n  scrape_interval: 15s\n";
    if (!p->cfg_.external_labels.empty()) {
      out << "  external_labels:\n";
      for (const auto& [k, v] : p->cfg_.external_labels) out << "    " << k << ": \"" << v << "\"\n";
    }
  }
  if (Status s = p->Launch(); !s.ok()) return s;
  return p;
}

Status PrometheusProcess::Launch() {
  auto child = ChildProcess::Spawn(
      {kPrometheusBinary, "--config.file=" + cfg_.work_dir + "/prometheus.yml", "--storage.tsdb.path=" + cfg_.data_dir,
       "--web.listen-address=127.0.0.1:" + std::to_string(cfg_.port),
       "--storage.tsdb.min-block-duration=" + cfg_.min_block_duration,
       "--storage.tsdb.max-block-duration=" + cfg_.max_block_duration,
       "--storage.tsdb.retention.time=" + cfg_.retention, "--web.enable-admin-api"},
      cfg_.work_dir + "/prometheus.log");
  if (!child.ok()) return child.status();
  process_ = std::move(*child);
  for (int i = 0; i < 600; ++i) {
    if (HttpGet(url() + "/-/ready", 2000).ok()) return Status::Ok();
    if (!process_->Running()) return InternalError("prometheus exited: " + Log());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return InternalError("prometheus not ready after 60s: " + Log());
}

void PrometheusProcess::Stop() {
  if (process_ != nullptr) process_->Stop(15000);
}

Status PrometheusProcess::Restart() {
  Stop();
  return Launch();
}

PrometheusProcess::~PrometheusProcess() { Stop(); }

std::string PrometheusProcess::Log() const { return ReadFile(cfg_.work_dir + "/prometheus.log"); }

}  // namespace meridian::testing
