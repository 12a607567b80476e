#include "objstore/s3/s3_config.h"

#include "objstore/yaml_fields.h"

namespace meridian::objstore::s3 {

namespace {

Status ParseTls(const YAML::Node& node, TlsConfig* c) {
  StrictFields f(node, "exthttp.TLSConfig");
  if (Status s = f.Check({"ca_file", "trust_root_ca", "cert_file", "key_file", "server_name",
                          "insecure_skip_verify"});
      !s.ok()) {
    return s;
  }
  for (Status s : {f.String("ca_file", &c->ca_file), f.Bool("trust_root_ca", &c->trust_root_ca),
                   f.String("cert_file", &c->cert_file), f.String("key_file", &c->key_file),
                   f.String("server_name", &c->server_name),
                   f.Bool("insecure_skip_verify", &c->insecure_skip_verify)}) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ParseHttp(const YAML::Node& node, HttpConfig* c) {
  StrictFields f(node, "exthttp.HTTPConfig");
  if (Status s = f.Check({"idle_conn_timeout", "response_header_timeout", "insecure_skip_verify",
                          "tls_handshake_timeout", "expect_continue_timeout", "max_idle_conns",
                          "max_idle_conns_per_host", "max_conns_per_host", "tls_config",
                          "force_attempt_http2", "disable_compression"});
      !s.ok()) {
    return s;
  }
  for (Status s : {f.Duration("idle_conn_timeout", &c->idle_conn_timeout_ms),
                   f.Duration("response_header_timeout", &c->response_header_timeout_ms),
                   f.Bool("insecure_skip_verify", &c->insecure_skip_verify),
                   f.Duration("tls_handshake_timeout", &c->tls_handshake_timeout_ms),
                   f.Duration("expect_continue_timeout", &c->expect_continue_timeout_ms),
                   f.Int("max_idle_conns", &c->max_idle_conns),
                   f.Int("max_idle_conns_per_host", &c->max_idle_conns_per_host),
                   f.Int("max_conns_per_host", &c->max_conns_per_host),
                   f.Bool("force_attempt_http2", &c->force_attempt_http2),
                   f.Bool("disable_compression", &c->disable_compression),
                   ParseTls(f.Sub("tls_config"), &c->tls_config)}) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ParseSse(const YAML::Node& node, SseConfig* c) {
  StrictFields f(node, "s3.SSEConfig");
  if (Status s = f.Check({"type", "kms_key_id", "kms_encryption_context", "encryption_key"}); !s.ok()) {
    return s;
  }
  for (Status s : {f.String("type", &c->type), f.String("kms_key_id", &c->kms_key_id),
                   f.StringMap("kms_encryption_context", &c->kms_encryption_context),
                   f.String("encryption_key", &c->encryption_key)}) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ParseTrace(const YAML::Node& node, bool* enable) {
  StrictFields f(node, "s3.TraceConfig");
  if (Status s = f.Check({"enable"}); !s.ok()) return s;
  return f.Bool("enable", enable);
}

Status ParseLookup(const StrictFields& f, BucketLookup* out) {
  std::string v;
  if (Status s = f.String("bucket_lookup_type", &v); !s.ok()) return s;
  if (v.empty() || v == "auto") {
    *out = BucketLookup::kAuto;
  } else if (v == "virtual-hosted") {
    *out = BucketLookup::kVirtualHosted;
  } else if (v == "path") {
    *out = BucketLookup::kPath;
  } else {
    return BadData("unsupported bucket lookup type: " + v);
  }
  return Status::Ok();
}

// Thanos's validate(), then what Meridian cannot do yet: refused by name so nobody believes
// an option took effect when it did not.
Status Validate(const S3Config& c) {
  if (c.endpoint.empty()) return BadData("no s3 endpoint in config file");
  if (c.aws_sdk_auth && !c.access_key.empty()) {
    return BadData("aws_sdk_auth and access_key are mutually exclusive configurations");
  }
  if (c.access_key.empty() && !c.secret_key.empty()) {
    return BadData("no s3 access_key specified while secret_key is present in config file; either "
                   "both should be present in config or envvars/IAM should be used.");
  }
  if (!c.access_key.empty() && c.secret_key.empty()) {
    return BadData("no s3 secret_key specified while access_key is present in config file; either "
                   "both should be present in config or envvars/IAM should be used.");
  }
  if (c.sse_config.type == "SSE-C" && c.sse_config.encryption_key.empty()) {
    return BadData("encryption_key must be set if sse_config.type is set to 'SSE-C'");
  }
  if (c.sse_config.type == "SSE-KMS" && c.sse_config.kms_key_id.empty()) {
    return BadData("kms_key_id must be set if sse_config.type is set to 'SSE-KMS'");
  }
  if (!c.list_objects_version.empty() && c.list_objects_version != "v1" &&
      c.list_objects_version != "v2") {
    return BadData("Initialize s3 client list objects version: Unsupported version \"" +
                   c.list_objects_version + "\" was provided. Supported values are v1, v2");
  }
  if (!c.sse_config.type.empty() && c.sse_config.type != "SSE-S3" && c.sse_config.type != "SSE-KMS" &&
      c.sse_config.type != "SSE-C") {
    return BadData("Initialize s3 client SSE Config: Unsupported type \"" + c.sse_config.type +
                   "\" was provided. Supported types are SSE-S3, SSE-KMS, SSE-C");
  }
  if (c.endpoint.find("://") != std::string::npos || c.endpoint.find('/') != std::string::npos) {
    return BadData("s3 endpoint \"" + c.endpoint +
                   "\" must be host[:port] without a scheme or path (use insecure: true for http)");
  }
  if (c.bucket.empty()) return BadData("no s3 bucket in config file");

  auto unsupported = [](const std::string& what) {
    return BadData("s3 config: " + what + " is not supported by Meridian");
  };
  if (c.signature_version2) {
    return unsupported("signature_version2: true (AWS signature v2; only v4 is implemented)");
  }
  if (c.aws_sdk_auth) return unsupported("aws_sdk_auth");
  if (!c.sse_config.type.empty()) return unsupported("sse_config (server-side encryption)");
  if (!c.http_config.tls_config.server_name.empty()) {
    return unsupported("http_config.tls_config.server_name");
  }
  if (c.http_config.tls_config.key_file.empty() != c.http_config.tls_config.cert_file.empty()) {
    return BadData("s3 config: http_config.tls_config needs both cert_file and key_file, or neither");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<S3Config> ParseS3Config(const YAML::Node& node) {
  S3Config c;
  StrictFields f(node, "s3.Config");
  if (Status s = f.Check({"bucket", "endpoint", "region", "disable_dualstack", "aws_sdk_auth",
                          "access_key", "insecure", "signature_version2", "secret_key",
                          "session_token", "put_user_metadata", "http_config", "trace",
                          "list_objects_version", "bucket_lookup_type", "send_content_md5",
                          "disable_multipart", "part_size", "sse_config", "sts_endpoint"});
      !s.ok()) {
    return s;
  }
  for (Status s : {f.String("bucket", &c.bucket), f.String("endpoint", &c.endpoint),
                   f.String("region", &c.region), f.Bool("disable_dualstack", &c.disable_dualstack),
                   f.Bool("aws_sdk_auth", &c.aws_sdk_auth), f.String("access_key", &c.access_key),
                   f.Bool("insecure", &c.insecure),
                   f.Bool("signature_version2", &c.signature_version2),
                   f.String("secret_key", &c.secret_key), f.String("session_token", &c.session_token),
                   f.StringMap("put_user_metadata", &c.put_user_metadata),
                   ParseHttp(f.Sub("http_config"), &c.http_config),
                   ParseTrace(f.Sub("trace"), &c.trace_enable),
                   f.String("list_objects_version", &c.list_objects_version),
                   ParseLookup(f, &c.bucket_lookup_type),
                   f.Bool("send_content_md5", &c.send_content_md5),
                   f.Bool("disable_multipart", &c.disable_multipart),
                   f.Uint("part_size", &c.part_size), ParseSse(f.Sub("sse_config"), &c.sse_config),
                   f.String("sts_endpoint", &c.sts_endpoint)}) {
    if (!s.ok()) return s;
  }
  if (Status s = Validate(c); !s.ok()) return s;
  return c;
}

}  // namespace meridian::objstore::s3
