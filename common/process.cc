#include "common/process.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <thread>
#include <cstring>

namespace meridian {

StatusOr<HostPort> SplitHostPort(const std::string& address) {
  HostPort hp;
  std::string port;
  if (!address.empty() && address[0] == '[') {
    auto close = address.find(']');
    if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':') {
      return BadData("address " + address + ": expected [host]:port");
    }
    hp.host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    auto colon = address.rfind(':');
    if (colon == std::string::npos) return BadData("address " + address + ": missing port");
    hp.host = address.substr(0, colon);
    port = address.substr(colon + 1);
  }
  if (hp.host.empty()) hp.host = "0.0.0.0";
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) {
    return BadData("address " + address + ": invalid port \"" + port + "\"");
  }
  hp.port = std::stoi(port);
  if (hp.port > 65535) return BadData("address " + address + ": port out of range");
  return hp;
}

namespace {
sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::string WaitForShutdownSignal() {
  sigset_t set = ShutdownSignals();
  int sig = 0;
  sigwait(&set, &sig);
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : strsignal(sig);
}

void ExitIfStillRunningAfter(std::chrono::milliseconds grace) {
  std::thread([grace] {
    std::this_thread::sleep_for(grace);
    spdlog::warn("still shutting down after the grace period of {} ms: exiting now", grace.count());
    spdlog::default_logger()->flush();
    std::_Exit(0);
  }).detach();
}

}  // namespace meridian
