#include "tests/sidecar/prometheus_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <curl/curl.h>

extern char** environ;

namespace meridian::storeapi::sidecar::testing {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

StatusOr<pid_t> Spawn(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return InternalError("spawn " + args[0] + ": " + std::to_string(rc));
  return pid;
}

size_t Append(char* d, size_t s, size_t n, void* u) {
  static_cast<std::string*>(u)->append(d, s * n);
  return s * n;
}

}  // namespace

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

Status RunCommand(const std::vector<std::string>& args, const std::string& log_path) {
  auto pid = Spawn(args, log_path);
  if (!pid.ok()) return pid.status();
  int st = 0;
  ::waitpid(*pid, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    return InternalError(args[0] + " failed: " + ReadFile(log_path));
  }
  return Status::Ok();
}

Status CreateBlocksFromOpenMetrics(const std::string& openmetrics, const std::string& data_dir,
                                   const std::string& scratch_dir) {
  std::string input = scratch_dir + "/input.om";
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
  auto pid = Spawn({kPrometheusBinary, "--config.file=" + cfg_.work_dir + "/prometheus.yml",
                    "--storage.tsdb.path=" + cfg_.data_dir, "--web.listen-address=127.0.0.1:" + std::to_string(cfg_.port),
                    "--storage.tsdb.min-block-duration=" + cfg_.min_block_duration,
                    "--storage.tsdb.max-block-duration=" + cfg_.max_block_duration,
                    "--storage.tsdb.retention.time=30d", "--web.enable-admin-api"},
                   cfg_.work_dir + "/prometheus.log");
  if (!pid.ok()) return pid.status();
  pid_ = *pid;
  for (int i = 0; i < 600; ++i) {
    if (HttpGet(url() + "/-/ready").ok()) return Status::Ok();
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return InternalError("prometheus exited: " + Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return InternalError("prometheus not ready after 60s: " + Log());
}

void PrometheusProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 300; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

Status PrometheusProcess::Restart() {
  Stop();
  return Launch();
}

PrometheusProcess::~PrometheusProcess() { Stop(); }

std::string PrometheusProcess::Log() const { return ReadFile(cfg_.work_dir + "/prometheus.log"); }

StatusOr<std::string> HttpGet(const std::string& url) {
  CURL* c = curl_easy_init();
  std::string body;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK) return UnavailableError(url + ": " + curl_easy_strerror(rc));
  if (code != 200) return UnavailableError(url + ": HTTP " + std::to_string(code) + ": " + body);
  return body;
}

}  // namespace meridian::storeapi::sidecar::testing
