#pragma once
// Debian's /usr/bin/prometheus (2.42) as a child process: on a free loopback port, over a
// data directory the test owns (blocks can be put there with promtool before start), with 2h
// blocks and local compaction disabled as Thanos requires. Never the system service.

#include <map>
#include <memory>
#include <string>

#include "model/status.h"
#include "tests/support/process.h"

namespace meridian::testing {

inline constexpr const char* kPrometheusBinary = "/usr/bin/prometheus";
inline constexpr const char* kPromtoolBinary = "/usr/bin/promtool";

// promtool tsdb create-blocks-from openmetrics <file> <dir>.
Status CreateBlocksFromOpenMetrics(const std::string& openmetrics, const std::string& data_dir,
                                   const std::string& scratch_dir);

struct PrometheusConfig {
  std::map<std::string, std::string> external_labels;
  std::string data_dir;
  std::string work_dir;  // config file and log go here
  int port = 0;          // 0: pick a free one
  // Thanos needs equal durations (no local compaction); tests of that check change them.
  std::string min_block_duration = "2h";
  std::string max_block_duration = "2h";
  std::string retention = "30d";
};

class PrometheusProcess {
 public:
  static StatusOr<std::unique_ptr<PrometheusProcess>> Start(PrometheusConfig cfg);
  ~PrometheusProcess();
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;

  // SIGTERM and wait; Restart() starts it again on the same port and data.
  void Stop();
  Status Restart();

  int port() const { return cfg_.port; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(cfg_.port); }
  std::string Log() const;

 private:
  explicit PrometheusProcess(PrometheusConfig cfg) : cfg_(std::move(cfg)) {}
  Status Launch();

  PrometheusConfig cfg_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace meridian::testing
