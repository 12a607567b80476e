#include "objstore/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "objstore/filesystem/filesystem_bucket.h"
#include "objstore/s3/s3_config.h"
#include "tests/objstore/temp_dir.h"

namespace meridian::objstore {
namespace {

using testing::TempDir;

Status ErrorOf(const std::string& yaml) {
  auto b = NewBucketFromConfig(yaml);
  EXPECT_FALSE(b.ok()) << yaml;
  return b.ok() ? Status::Ok() : b.status();
}

bool Mentions(const Status& s, const std::string& what) {
  return s.message().find(what) != std::string::npos;
}

TEST(ObjstoreConfig, FilesystemBucket) {
  TempDir tmp;
  auto b = NewBucketFromConfig("type: FILESYSTEM\nconfig:\n  directory: " + tmp.path() + "\n");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ((*b)->Name(), "fs: " + tmp.path());
  ASSERT_TRUE((*b)->Upload("x/y", "data").ok());
  EXPECT_EQ(*(*b)->Get("x/y"), "data");
}

TEST(ObjstoreConfig, TypeIsCaseInsensitive) {
  TempDir tmp;
  EXPECT_TRUE(NewBucketFromConfig("type: filesystem\nconfig: {directory: " + tmp.path() + "}").ok());
}

TEST(ObjstoreConfig, FilesystemIgnoresUnknownConfigKeysLikeThanos) {
  TempDir tmp;
  EXPECT_TRUE(NewBucketFromConfig("type: FILESYSTEM\nconfig: {directory: " + tmp.path() +
                                  ", something_else: 1}")
                  .ok());
}

TEST(ObjstoreConfig, FilesystemNeedsADirectory) {
  Status s = ErrorOf("type: FILESYSTEM\nconfig: {}\n");
  EXPECT_EQ(s.code(), StatusCode::kBadData);
  EXPECT_TRUE(Mentions(s, "missing directory for filesystem bucket")) << s.message();
  EXPECT_TRUE(Mentions(s, "create FILESYSTEM client")) << s.message();
}

TEST(ObjstoreConfig, PrefixWrapsTheBucket) {
  TempDir tmp;
  auto b = NewBucketFromConfig("type: FILESYSTEM\nconfig: {directory: " + tmp.path() +
                               "}\nprefix: /tenant-a/\n");
  ASSERT_TRUE(b.ok()) << b.status().message();
  ASSERT_TRUE((*b)->Upload("blk/meta.json", "m").ok());
  std::ifstream in(tmp.path() + "/tenant-a/blk/meta.json");
  std::string content;
  in >> content;
  EXPECT_EQ(content, "m");
  std::vector<std::string> names;
  ASSERT_TRUE((*b)->Iter("", [&](const std::string& n) {
    names.push_back(n);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(names, std::vector<std::string>{"blk/"});
  names.clear();
  ASSERT_TRUE((*b)->Iter("blk", [&](const std::string& n) {
    names.push_back(n);
    return Status::Ok();
  }, IterOptions{true}).ok());
  EXPECT_EQ(names, std::vector<std::string>{"blk/meta.json"});
  EXPECT_EQ(*(*b)->Get("blk/meta.json"), "m");
  EXPECT_TRUE(IsObjNotFound((*b)->Get("tenant-a/blk/meta.json").status()));
}

TEST(ObjstoreConfig, TopLevelIsStrict) {
  Status s = ErrorOf("type: FILESYSTEM\nconfig: {directory: /tmp}\nprefx: a\n");
  EXPECT_EQ(s.code(), StatusCode::kBadData);
  EXPECT_TRUE(Mentions(s, "line 3: field prefx not found")) << s.message();
  s = ErrorOf("type: FILESYSTEM\ntype: S3\n");
  EXPECT_TRUE(Mentions(s, "already set")) << s.message();
}

TEST(ObjstoreConfig, UnsupportedAndUnknownTypes) {
  Status s = ErrorOf("type: GCS\nconfig: {bucket: b}\n");
  EXPECT_TRUE(Mentions(s, "bucket with type GCS is not supported by Meridian")) << s.message();
  s = ErrorOf("type: FTP\n");
  EXPECT_TRUE(Mentions(s, "bucket with type FTP is not supported")) << s.message();
  s = ErrorOf("");
  EXPECT_TRUE(Mentions(s, "is not supported")) << s.message();
}

TEST(ObjstoreConfig, MalformedYaml) {
  Status s = ErrorOf("type: [unclosed\n");
  EXPECT_EQ(s.code(), StatusCode::kBadData);
  EXPECT_TRUE(Mentions(s, "parsing config YAML file")) << s.message();
  s = ErrorOf("- just\n- a list\n");
  EXPECT_TRUE(Mentions(s, "expected a mapping")) << s.message();
  s = ErrorOf("type: {a: b}\n");
  EXPECT_TRUE(Mentions(s, "must be a string")) << s.message();
}

TEST(ObjstoreConfig, ResolveFlags) {
  EXPECT_EQ(*ResolveObjstoreConfig("", ""), "");
  EXPECT_EQ(*ResolveObjstoreConfig("", "type: S3"), "type: S3");
  auto both = ResolveObjstoreConfig("/x", "type: S3");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().message(), "both --objstore.config-file and --objstore.config flags set.");
  TempDir tmp;
  std::ofstream(tmp.path() + "/objstore.yml") << "type: FILESYSTEM\n";
  EXPECT_EQ(*ResolveObjstoreConfig(tmp.path() + "/objstore.yml", ""), "type: FILESYSTEM\n");
  EXPECT_FALSE(ResolveObjstoreConfig(tmp.path() + "/missing.yml", "").ok());
}

StatusOr<s3::S3Config> ParseS3(const std::string& yaml) {
  return s3::ParseS3Config(YAML::Load(yaml));
}

TEST(S3Config, DefaultsFollowThanos) {
  auto c = ParseS3("bucket: b\nendpoint: minio:9000\naccess_key: ak\nsecret_key: sk\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->bucket, "b");
  EXPECT_EQ(c->endpoint, "minio:9000");
  EXPECT_EQ(c->region, "");
  EXPECT_FALSE(c->insecure);
  EXPECT_FALSE(c->signature_version2);
  EXPECT_TRUE(c->send_content_md5);
  EXPECT_EQ(c->part_size, 64u << 20);
  EXPECT_EQ(c->bucket_lookup_type, s3::BucketLookup::kAuto);
  EXPECT_EQ(c->http_config.idle_conn_timeout_ms, 90000);
  EXPECT_EQ(c->http_config.response_header_timeout_ms, 120000);
  EXPECT_EQ(c->http_config.tls_handshake_timeout_ms, 10000);
  EXPECT_EQ(c->http_config.max_idle_conns, 100);
}

TEST(S3Config, ReadsEveryCommonKey) {
  auto c = ParseS3(R"(
bucket: "thanos"
endpoint: "s3.eu-west-1.amazonaws.com"
region: eu-west-1
access_key: AK
secret_key: SK
session_token: tok
insecure: true
put_user_metadata: {X-Amz-Storage-Class: STANDARD_IA, team: obs}
http_config:
  idle_conn_timeout: 1m30s
  response_header_timeout: 30s
  insecure_skip_verify: false
  tls_handshake_timeout: 5s
  max_idle_conns_per_host: 8
  tls_config: {ca_file: /etc/ca.pem}
trace: {enable: false}
list_objects_version: v2
bucket_lookup_type: path
send_content_md5: false
part_size: 134217728
disable_multipart: true
sts_endpoint: ""
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_TRUE(c->insecure);
  EXPECT_EQ(c->put_user_metadata.at("team"), "obs");
  EXPECT_EQ(c->http_config.idle_conn_timeout_ms, 90000);
  EXPECT_EQ(c->http_config.response_header_timeout_ms, 30000);
  EXPECT_EQ(c->http_config.tls_handshake_timeout_ms, 5000);
  EXPECT_EQ(c->http_config.max_idle_conns_per_host, 8);
  EXPECT_EQ(c->http_config.tls_config.ca_file, "/etc/ca.pem");
  EXPECT_EQ(c->bucket_lookup_type, s3::BucketLookup::kPath);
  EXPECT_FALSE(c->send_content_md5);
  EXPECT_EQ(c->part_size, 134217728u);
}

TEST(S3Config, StrictAtEveryLevel) {
  auto c = ParseS3("bucket: b\nendpoint: e\nacess_key: x\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "line 3: field acess_key not found in type s3.Config");
  c = ParseS3("bucket: b\nendpoint: e\nhttp_config:\n  idle_timeout: 1s\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "line 4: field idle_timeout not found in type exthttp.HTTPConfig");
  c = ParseS3("bucket: b\nendpoint: e\nhttp_config: {tls_config: {cafile: x}}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Mentions(c.status(), "field cafile not found in type exthttp.TLSConfig"));
}

TEST(S3Config, BadValues) {
  auto c = ParseS3("bucket: b\nendpoint: e\ninsecure: maybe\n");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Mentions(c.status(), "line 3: cannot unmarshal \"maybe\" into bool")) << c.status().message();
  c = ParseS3("bucket: b\nendpoint: e\nhttp_config: {response_header_timeout: 2 minutes}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Mentions(c.status(), "not a valid duration string")) << c.status().message();
  c = ParseS3("bucket: b\nendpoint: e\npart_size: -5\n");
  EXPECT_FALSE(c.ok());
  c = ParseS3("bucket: b\nendpoint: e\nbucket_lookup_type: dns\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "unsupported bucket lookup type: dns");
}

TEST(S3Config, ValidationMatchesThanos) {
  auto msg = [](const std::string& yaml) {
    auto c = ParseS3(yaml);
    EXPECT_FALSE(c.ok()) << yaml;
    return c.ok() ? std::string() : c.status().message();
  };
  EXPECT_EQ(msg("bucket: b\n"), "no s3 endpoint in config file");
  EXPECT_TRUE(msg("bucket: b\nendpoint: e\nsecret_key: s\n").rfind("no s3 access_key specified", 0) == 0);
  EXPECT_TRUE(msg("bucket: b\nendpoint: e\naccess_key: a\n").rfind("no s3 secret_key specified", 0) == 0);
  EXPECT_EQ(msg("bucket: b\nendpoint: e\naws_sdk_auth: true\naccess_key: a\nsecret_key: s\n"),
            "aws_sdk_auth and access_key are mutually exclusive configurations");
  EXPECT_EQ(msg("bucket: b\nendpoint: e\nsse_config: {type: SSE-C}\n"),
            "encryption_key must be set if sse_config.type is set to 'SSE-C'");
  EXPECT_TRUE(Mentions(Status(StatusCode::kBadData, msg("bucket: b\nendpoint: e\nlist_objects_version: v3\n")),
                       "Unsupported version \"v3\""));
  EXPECT_TRUE(Mentions(Status(StatusCode::kBadData, msg("bucket: b\nendpoint: http://e:9000\n")),
                       "without a scheme"));
  EXPECT_EQ(msg("endpoint: e\n"), "no s3 bucket in config file");
}

TEST(S3Config, UnimplementedOptionsAreRefusedByName) {
  auto c = ParseS3("bucket: b\nendpoint: e\nsignature_version2: true\n");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Mentions(c.status(), "signature_version2")) << c.status().message();
  EXPECT_TRUE(Mentions(c.status(), "not supported")) << c.status().message();
  c = ParseS3("bucket: b\nendpoint: e\nsse_config: {type: SSE-S3}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Mentions(c.status(), "sse_config")) << c.status().message();
  EXPECT_TRUE(ParseS3("bucket: b\nendpoint: e\nlist_objects_version: v1\n").ok());
}

TEST(S3Config, ThroughTheFactory) {
  auto b = NewBucketFromConfig(
      "type: S3\nconfig:\n  bucket: blocks\n  endpoint: 127.0.0.1:9\n  insecure: true\n"
      "  access_key: a\n  secret_key: s\n");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ((*b)->Name(), "blocks");
  Status s = ErrorOf("type: S3\nconfig:\n  bucket: blocks\n  endpoint: e\n  unknown: 1\n");
  EXPECT_TRUE(Mentions(s, "create S3 client: line 5: field unknown not found in type s3.Config"))
      << s.message();
}

}  // namespace
}  // namespace meridian::objstore
