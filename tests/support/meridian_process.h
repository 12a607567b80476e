#pragma once
// The `meridian` binary of this build as a child process (`store`, `query`, `sidecar`), on
// free loopback ports, waited for until /-/ready answers. Tests of whole deployments use it so
// that what is tested is what users run: flags, config parsing and process lifetime included.

#include <memory>
#include <string>
#include <vector>

#include "model/status.h"
#include "tests/support/process.h"

namespace meridian::testing {

// Path of the `meridian` binary: MERIDIAN_BINARY from the environment, else the one this
// build made (compiled in by CMake).
std::string MeridianBinary();

class MeridianProcess {
 public:
  // Runs `meridian <subcommand> --http-address=127.0.0.1:P --grpc-address=127.0.0.1:Q <args>`
  // with its log in `work_dir`, and waits up to `ready_timeout_ms` for /-/ready.
  static StatusOr<std::unique_ptr<MeridianProcess>> Start(const std::string& subcommand,
                                                          const std::vector<std::string>& args,
                                                          const std::string& work_dir,
                                                          int ready_timeout_ms = 60000);

  int http_port() const { return http_port_; }
  int grpc_port() const { return grpc_port_; }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  std::string grpc_address() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  ChildProcess& process() { return *process_; }
  std::string Log() const { return process_->Log(); }

 private:
  MeridianProcess(std::unique_ptr<ChildProcess> p, int http, int grpc)
      : process_(std::move(p)), http_port_(http), grpc_port_(grpc) {}
  std::unique_ptr<ChildProcess> process_;
  int http_port_;
  int grpc_port_;
};

}  // namespace meridian::testing
