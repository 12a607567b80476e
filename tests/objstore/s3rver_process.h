#pragma once
// Runs npm's s3rver (a real S3 server in Node.js) as a child process on a free loopback port,
// for the integration tests. The process is stopped when the object is destroyed.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "model/status.h"

namespace meridian::objstore::testing {

class S3rverProcess {
 public:
  // `binary`: node_modules/.bin/s3rver. `data_dir`: an empty directory it may own.
  // `buckets`: created at startup.
  static StatusOr<std::unique_ptr<S3rverProcess>> Start(const std::string& binary,
                                                         const std::string& data_dir,
                                                         const std::vector<std::string>& buckets);
  ~S3rverProcess();
  S3rverProcess(const S3rverProcess&) = delete;
  S3rverProcess& operator=(const S3rverProcess&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  // s3rver's fixed credentials.
  static constexpr const char* kAccessKey = "S3RVER";
  static constexpr const char* kSecretKey = "S3RVER";

 private:
  S3rverProcess(pid_t pid, int port, std::string log) : pid_(pid), port_(port), log_(std::move(log)) {}
  pid_t pid_;
  int port_;
  std::string log_;
};

}  // namespace meridian::objstore::testing
