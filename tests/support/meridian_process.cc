#include "tests/support/meridian_process.h"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "tests/support/http_client.h"

namespace meridian::testing {

std::string MeridianBinary() {
  if (const char* env = std::getenv("MERIDIAN_BINARY"); env != nullptr && *env != '\0') return env;
  return MERIDIAN_BUILT_BINARY;
}

StatusOr<std::unique_ptr<MeridianProcess>> MeridianProcess::Start(const std::string& subcommand,
                                                                  const std::vector<std::string>& args,
                                                                  const std::string& work_dir, int ready_timeout_ms) {
  const int http = FreePort();
  const int grpc = FreePort();
  std::vector<std::string> argv = {MeridianBinary(), subcommand, "--http-address=127.0.0.1:" + std::to_string(http),
                                   "--grpc-address=127.0.0.1:" + std::to_string(grpc)};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string log = work_dir + "/meridian-" + subcommand + "-" + std::to_string(http) + ".log";
  auto child = ChildProcess::Spawn(argv, log);
  if (!child.ok()) return child.status();
  std::unique_ptr<MeridianProcess> p(new MeridianProcess(std::move(*child), http, grpc));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ready_timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (HttpGet(p->http_url() + "/-/ready", 2000).ok()) return p;
    if (!p->process_->Running()) return InternalError("meridian " + subcommand + " exited: " + p->Log());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return InternalError("meridian " + subcommand + " not ready after " + std::to_string(ready_timeout_ms) +
                       " ms: " + p->Log());
}

}  // namespace meridian::testing
