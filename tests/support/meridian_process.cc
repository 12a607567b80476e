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

namespace {
// FreePort's port is free when asked, not necessarily when the child binds it: tests running in
// parallel may take it in between. Listeners refuse a taken port, so that shows as an exit
// with one of these messages, and a fresh pair of ports is tried.
bool LostPortRace(const std::string& log) {
  return log.find("cannot listen") != std::string::npos || log.find("cannot bind") != std::string::npos;
}
}  // namespace

StatusOr<std::unique_ptr<MeridianProcess>> MeridianProcess::Start(const std::string& subcommand,
                                                                  const std::vector<std::string>& args,
                                                                  const std::string& work_dir, int ready_timeout_ms) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    const int http = FreePort();
    const int grpc = FreePort();
    std::vector<std::string> argv = {MeridianBinary(), subcommand,
                                     "--http-address=127.0.0.1:" + std::to_string(http),
                                     "--grpc-address=127.0.0.1:" + std::to_string(grpc)};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string log = work_dir + "/meridian-" + subcommand + "-" + std::to_string(http) + ".log";
    auto child = ChildProcess::Spawn(argv, log);
    if (!child.ok()) return child.status();
    std::unique_ptr<MeridianProcess> p(new MeridianProcess(std::move(*child), http, grpc));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ready_timeout_ms);
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (HttpGet(p->http_url() + "/-/ready", 2000).ok()) return p;
      if (!p->process_->Running()) {
        exited = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!exited) {
      return InternalError("meridian " + subcommand + " not ready after " + std::to_string(ready_timeout_ms) +
                           " ms: " + p->Log());
    }
    if (attempt == kAttempts || !LostPortRace(p->Log())) {
      return InternalError("meridian " + subcommand + " exited: " + p->Log());
    }
  }
}

}  // namespace meridian::testing
