#pragma once
// npm's s3rver (a real S3 server in Node.js) as a child process on a free loopback port. ctest's
// `objstore_s3rver` fixture installs it and passes its path in MERIDIAN_S3RVER.

#include <memory>
#include <string>
#include <vector>

#include "model/status.h"
#include "tests/support/process.h"

namespace meridian::testing {

class S3rverProcess {
 public:
  // `binary`: node_modules/.bin/s3rver. `data_dir`: an empty directory it may own.
  // `buckets`: created at startup.
  static StatusOr<std::unique_ptr<S3rverProcess>> Start(const std::string& binary, const std::string& data_dir,
                                                         const std::vector<std::string>& buckets);

  int port() const { return port_; }
  ChildProcess& process() { return *process_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  // s3rver's fixed credentials.
  static constexpr const char* kAccessKey = "S3RVER";
  static constexpr const char* kSecretKey = "S3RVER";

 private:
  S3rverProcess(std::unique_ptr<ChildProcess> p, int port) : process_(std::move(p)), port_(port) {}
  std::unique_ptr<ChildProcess> process_;
  int port_;
};

}  // namespace meridian::testing
