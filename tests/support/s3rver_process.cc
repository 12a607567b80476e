#include "tests/support/s3rver_process.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <thread>

namespace meridian::testing {

StatusOr<std::unique_ptr<S3rverProcess>> S3rverProcess::Start(const std::string& binary, const std::string& data_dir,
                                                              const std::vector<std::string>& buckets) {
  if (::access(binary.c_str(), X_OK) != 0) {
    return InternalError("s3rver not found at " + binary + " (run the tests through ctest, whose " +
                         "objstore_s3rver_install fixture installs it)");
  }
  const std::string log = data_dir + "/../s3rver.log";
  std::vector<std::string> args = {binary, "--directory", data_dir, "--address", "127.0.0.1", "--port", "0"};
  for (const auto& b : buckets) {
    args.push_back("--configure-bucket");
    args.push_back(b);
  }
  // s3rver 3.x pages listings with a hash that Node 17+ only offers with the legacy provider.
  std::string node_options = "NODE_OPTIONS=--openssl-legacy-provider";
  if (const char* old = std::getenv("NODE_OPTIONS"); old != nullptr && *old != '\0') node_options += std::string(" ") + old;
  auto child = ChildProcess::Spawn(args, log, {node_options});
  if (!child.ok()) return child.status();

  // It prints "S3rver listening on 127.0.0.1:<port>" once the socket is bound.
  const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string out = ReadFile(log);
    if (std::regex_search(out, m, listening)) {
      return std::unique_ptr<S3rverProcess>(new S3rverProcess(std::move(*child), std::stoi(m[1].str())));
    }
    if (!(*child)->Running()) return InternalError("s3rver exited before listening; its output:\n" + out);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return InternalError("s3rver did not report a listening port within 60s; its output:\n" + ReadFile(log));
}

}  // namespace meridian::testing
