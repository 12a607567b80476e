#pragma once
// A bucket on Amazon S3 or any S3-compatible server (MinIO, Ceph RGW, s3rver, ...), spoken to
// directly over HTTP with AWS Signature V4: ListObjectsV2 with continuation tokens, ranged GET,
// HEAD, PUT and DELETE. Requests that fail with a transport error, a timeout or a 5xx/429
// answer are retried with exponential backoff a bounded number of times. Thread-safe.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "objstore/bucket.h"
#include "objstore/s3/http_client.h"
#include "objstore/s3/s3_config.h"
#include "objstore/s3/sigv4.h"

namespace meridian::objstore::s3 {

// Behaviour that is not part of Thanos's YAML but that tests (and callers with special needs)
// adjust.
struct S3BucketOptions {
  int max_attempts = 5;
  std::chrono::milliseconds backoff_base{200};  // Doubles per retry, with jitter.
  std::chrono::milliseconds backoff_max{5000};
  int list_max_keys = 1000;
  // Overrides the stall timeout derived from http_config (0: use the config).
  int64_t stall_timeout_ms = 0;
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
};

class S3Bucket final : public Bucket {
 public:
  static StatusOr<std::unique_ptr<S3Bucket>> Create(const S3Config& config,
                                                    S3BucketOptions opts = {});

  Status Iter(const std::string& dir, const IterCallback& f, IterOptions opts = {}) override;
  StatusOr<std::string> Get(const std::string& name) override;
  StatusOr<std::string> GetRange(const std::string& name, int64_t offset,
                                 int64_t length) override;
  StatusOr<ObjectAttributes> Attributes(const std::string& name) override;
  StatusOr<bool> Exists(const std::string& name) override;
  Status Upload(const std::string& name, std::string_view data) override;
  Status UploadFile(const std::string& name, const std::string& local_path) override;
  Status Delete(const std::string& name) override;
  std::string Name() const override { return config_.bucket; }

  // Largest object a single PUT may carry (S3's limit); multipart upload is not implemented.
  static constexpr int64_t kMaxSinglePutBytes = 5LL << 30;

 private:
  struct Request {
    std::string method;
    std::string key;  // Empty for bucket-level requests (listing).
    NameValues query;
    NameValues headers;  // Extra headers, signed with the rest.
    std::string_view body;
    std::string body_file;
    int64_t body_file_size = 0;
    std::string payload_sha256 = std::string(kEmptySha256);
  };

  S3Bucket(S3Config config, S3BucketOptions opts, Credentials creds);

  // Sends with retries. The result is the final HTTP response, whatever its status; only a
  // transport failure on the last attempt or a retryable status after the last attempt are
  // errors. `what` names the operation in errors ("get object a/b").
  StatusOr<HttpResponse> Execute(const Request& req, const std::string& what);
  HttpRequest Build(const Request& req);
  // An error Status for a response that is not what `what` expected.
  Status ResponseError(const HttpResponse& resp, const std::string& what) const;
  Status PutObject(const std::string& name, Request req, int64_t size);
  std::string Region();

  S3Config config_;
  S3BucketOptions opts_;
  Credentials creds_;
  bool anonymous_;
  std::string scheme_;
  std::string host_;         // Host header and URL authority.
  std::string path_prefix_;  // "/bucket" for path-style, "" for virtual-hosted.
  std::unique_ptr<HttpClient> http_;
  std::mutex region_mu_;
  std::string region_;  // May be corrected once from the server's answer when not configured.
};

}  // namespace meridian::objstore::s3
