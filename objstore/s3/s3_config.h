#pragma once
// The `config:` section of a `type: S3` objstore YAML, with Thanos's keys and defaults
// (thanos-io/objstore providers/s3/s3.go and exthttp/transport.go). Decoded strictly like
// Thanos: an unknown key is an error. Options Meridian does not implement are rejected with an
// error that names them rather than silently ignored (signature_version2, aws_sdk_auth,
// sse_config, tls_config.server_name).
//
// Accepted but without effect, because they tune machinery this client does not have:
// disable_dualstack (no dual-stack endpoints are derived), part_size and disable_multipart
// (uploads are single PUTs, up to 5 GiB), sts_endpoint (no IAM/STS credentials),
// http_config.{expect_continue_timeout (no 100-continue), max_idle_conns, max_conns_per_host,
// force_attempt_http2, disable_compression, tls_config.trust_root_ca}.

#include <cstdint>
#include <map>
#include <string>

#include <yaml-cpp/yaml.h>

#include "model/status.h"

namespace meridian::objstore::s3 {

enum class BucketLookup { kAuto, kVirtualHosted, kPath };

struct TlsConfig {
  std::string ca_file;
  bool trust_root_ca = false;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool insecure_skip_verify = false;
};

struct HttpConfig {
  int64_t idle_conn_timeout_ms = 90000;
  int64_t response_header_timeout_ms = 120000;
  bool insecure_skip_verify = false;
  int64_t tls_handshake_timeout_ms = 10000;
  int64_t expect_continue_timeout_ms = 1000;
  int64_t max_idle_conns = 100;
  int64_t max_idle_conns_per_host = 100;
  int64_t max_conns_per_host = 0;
  TlsConfig tls_config;
  bool force_attempt_http2 = false;
  bool disable_compression = false;
};

struct SseConfig {
  std::string type;
  std::string kms_key_id;
  std::map<std::string, std::string> kms_encryption_context;
  std::string encryption_key;
};

struct S3Config {
  std::string bucket;
  std::string endpoint;  // host[:port], no scheme
  std::string region;
  bool disable_dualstack = false;
  bool aws_sdk_auth = false;
  std::string access_key;
  bool insecure = false;  // plain http
  bool signature_version2 = false;
  std::string secret_key;
  std::string session_token;
  std::map<std::string, std::string> put_user_metadata;
  HttpConfig http_config;
  bool trace_enable = false;
  std::string list_objects_version;
  BucketLookup bucket_lookup_type = BucketLookup::kAuto;
  bool send_content_md5 = true;
  bool disable_multipart = false;
  uint64_t part_size = 64ull << 20;
  SseConfig sse_config;
  std::string sts_endpoint;
};

// Decodes and validates (the checks of Thanos's validate() plus Meridian's own limits).
StatusOr<S3Config> ParseS3Config(const YAML::Node& node);

}  // namespace meridian::objstore::s3
