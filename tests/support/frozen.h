#pragma once
// SIGSTOP for tests of hung dependencies: a store, a querier, an S3 server frozen mid-query.

#include <signal.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "tests/support/process.h"

namespace meridian::testing {

// SIGSTOP until destroyed (or Thaw()), so a failing assertion never leaves a stopped process
// that the harness's SIGTERM could not end.
class Frozen {
 public:
  // Returns once the process is seen stopped: SIGSTOP is delivered asynchronously, and on a
  // loaded machine a store could otherwise still answer the query meant to find it hung.
  explicit Frozen(ChildProcess& p) : pid_(p.pid()) {
    ::kill(pid_, SIGSTOP);
    for (int i = 0; i < 1000 && !IsStopped(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Frozen() { Thaw(); }
  void Thaw() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
    pid_ = -1;
  }

 private:
  // The state field of /proc/<pid>/stat, after the parenthesized command name.
  bool IsStopped() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && (stat[paren + 2] == 'T' || stat[paren + 2] == 't');
  }

  pid_t pid_;
};

}  // namespace meridian::testing
