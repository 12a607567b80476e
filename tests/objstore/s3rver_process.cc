#include "tests/objstore/s3rver_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

extern char** environ;

namespace meridian::objstore::testing {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void StopProcess(pid_t pid) {
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace

StatusOr<std::unique_ptr<S3rverProcess>> S3rverProcess::Start(const std::string& binary,
                                                              const std::string& data_dir,
                                                              const std::vector<std::string>& buckets) {
  if (::access(binary.c_str(), X_OK) != 0) {
    return InternalError("s3rver not found at " + binary + " (run the tests through ctest, whose " +
                         "objstore_s3rver_install fixture installs it)");
  }
  const std::string log = data_dir + "/../s3rver.log";
  std::vector<std::string> args = {binary, "--directory", data_dir, "--address", "127.0.0.1",
                                   "--port", "0"};
  for (const auto& b : buckets) {
    args.push_back("--configure-bucket");
    args.push_back(b);
  }
  // s3rver 3.x pages listings with a hash that Node 17+ only offers with the legacy provider.
  std::vector<std::string> env;
  std::string node_options = "NODE_OPTIONS=--openssl-legacy-provider";
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "NODE_OPTIONS=", 13) == 0) {
      node_options += std::string(" ") + (*e + 13);
      continue;
    }
    env.emplace_back(*e);
  }
  env.push_back(node_options);

  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return InternalError("spawn " + binary + ": " + std::strerror(rc));

  // It prints "S3rver listening on 127.0.0.1:<port>" once the socket is bound.
  const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string out = ReadFile(log);
    if (std::regex_search(out, m, listening)) {
      return std::unique_ptr<S3rverProcess>(new S3rverProcess(pid, std::stoi(m[1].str()), log));
    }
    int wstatus = 0;
    if (::waitpid(pid, &wstatus, WNOHANG) == pid) {
      return InternalError("s3rver exited before listening; its output:\n" + out);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  StopProcess(pid);
  return InternalError("s3rver did not report a listening port within 60s; its output:\n" + ReadFile(log));
}

S3rverProcess::~S3rverProcess() { StopProcess(pid_); }

}  // namespace meridian::objstore::testing
