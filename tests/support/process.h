#pragma once
// Child processes for the integration tests: real peers (Prometheus, promtool, s3rver, the
// `meridian` binary) run on free loopback ports, with their output in a log file the test
// prints when something goes wrong. A ChildProcess stops its process when destroyed, so a
// failing assertion never leaves a server behind.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/status.h"

namespace meridian::testing {

// A port the kernel just gave out, released again (good enough for tests on loopback).
int FreePort();

std::string ReadFile(const std::string& path);
std::string UrlEncode(const std::string& s);

class ChildProcess {
 public:
  // Starts argv[0] (a path) with stdout and stderr appended to `log_path`; `extra_env` entries
  // ("NAME=value") replace or extend this process's environment.
  static StatusOr<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                       const std::string& log_path,
                                                       const std::vector<std::string>& extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // SIGTERM, then SIGKILL after `grace_ms`; returns the exit status as waitpid reports it.
  int Stop(int grace_ms = 10000);
  // SIGKILL at once: a crash, as far as the peers can tell.
  void Kill();
  // Waits for the process to exit by itself; its exit code, or -1 if it was signalled.
  int Wait();
  // VmRSS and VmHWM (peak resident set) of the running child, in bytes (0 once it exited).
  uint64_t RssBytes() const;
  uint64_t PeakRssBytes() const;
  std::string Log() const { return ReadFile(log_path_); }
  const std::string& log_path() const { return log_path_; }

 private:
  ChildProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_;
  int status_ = 0;
  std::string log_path_;
};

// Runs a command to completion; its output is in the error when it fails.
Status RunCommand(const std::vector<std::string>& argv, const std::string& log_path);

// VmRSS of this process in bytes.
uint64_t SelfRssBytes();

}  // namespace meridian::testing
