// The S3 provider against a real S3 server: npm's s3rver on loopback, started once for the
// whole binary (see tests/support/s3rver_process.h). Run through ctest (label `integration`), which installs
// s3rver first and tells this binary where it is (MERIDIAN_S3RVER).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

#include "objstore/config.h"
#include "objstore/s3/s3_bucket.h"
#include "tests/support/s3rver_process.h"
#include "tests/objstore/temp_dir.h"

namespace meridian::objstore {
namespace {

using meridian::testing::S3rverProcess;
using testing::TempDir;

constexpr const char* kBucket = "meridian-test";

class S3rverEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    // Loopback only: a proxy from the environment must not get in the way.
    for (const char* v : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
      ::unsetenv(v);
    }
    const char* bin = std::getenv("MERIDIAN_S3RVER");
    ASSERT_NE(bin, nullptr) << "MERIDIAN_S3RVER is not set: run this test through ctest";
    tmp_ = std::make_unique<TempDir>();
    std::filesystem::create_directories(tmp_->path() + "/data");
    auto p = S3rverProcess::Start(bin, tmp_->path() + "/data", {kBucket});
    ASSERT_TRUE(p.ok()) << p.status().message();
    process_ = std::move(*p);
  }
  void TearDown() override {
    process_.reset();
    tmp_.reset();
  }
  static std::string Endpoint() { return process_ ? process_->endpoint() : "127.0.0.1:1"; }

 private:
  std::unique_ptr<TempDir> tmp_;
  static std::unique_ptr<S3rverProcess> process_;
};
std::unique_ptr<S3rverProcess> S3rverEnvironment::process_;

s3::S3Config Config(const std::string& bucket = kBucket) {
  s3::S3Config c;
  c.bucket = bucket;
  c.endpoint = S3rverEnvironment::Endpoint();
  c.insecure = true;
  c.access_key = S3rverProcess::kAccessKey;
  c.secret_key = S3rverProcess::kSecretKey;
  return c;
}

std::unique_ptr<s3::S3Bucket> Open(s3::S3Config c = Config(), s3::S3BucketOptions o = {}) {
  auto b = s3::S3Bucket::Create(c, std::move(o));
  EXPECT_TRUE(b.ok()) << b.status().message();
  return b.ok() ? std::move(*b) : nullptr;
}

std::vector<std::string> List(Bucket& b, const std::string& dir, bool recursive = false) {
  std::vector<std::string> out;
  Status s = b.Iter(dir, [&](const std::string& n) {
    out.push_back(n);
    return Status::Ok();
  }, IterOptions{recursive});
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

TEST(S3rver, UploadGetAttributesExists) {
  auto b = Open();
  const std::string data = Pattern(100000);
  ASSERT_TRUE(b->Upload("roundtrip/01HABC/meta.json", data).ok());
  auto got = b->Get("roundtrip/01HABC/meta.json");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, data);
  auto attrs = b->Attributes("roundtrip/01HABC/meta.json");
  ASSERT_TRUE(attrs.ok()) << attrs.status().message();
  EXPECT_EQ(attrs->size, 100000);
  EXPECT_GT(attrs->last_modified_ms, 1600000000000);
  EXPECT_TRUE(*b->Exists("roundtrip/01HABC/meta.json"));
  EXPECT_FALSE(*b->Exists("roundtrip/01HABC"));
  ASSERT_TRUE(b->Upload("roundtrip/empty", "").ok());
  EXPECT_EQ(*b->Get("roundtrip/empty"), "");
  EXPECT_EQ(*b->Size("roundtrip/empty"), 0);
}

TEST(S3rver, KeysThatNeedEncoding) {
  auto b = Open();
  const std::vector<std::string> keys = {"enc/a b", "enc/plus+sign", "enc/dollar$&=;,", "enc/ключ",
                                         "enc/tilde~_-.", "enc/(paren)'quote'!*"};
  for (const auto& k : keys) {
    Status s = b->Upload(k, "v:" + k);
    ASSERT_TRUE(s.ok()) << k << ": " << s.message();
  }
  for (const auto& k : keys) {
    auto got = b->Get(k);
    ASSERT_TRUE(got.ok()) << k << ": " << got.status().message();
    EXPECT_EQ(*got, "v:" + k);
  }
  std::vector<std::string> want = keys;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(List(*b, "enc"), want);
}

TEST(S3rver, RangedReads) {
  auto b = Open();
  const std::string data = Pattern(5000);
  ASSERT_TRUE(b->Upload("range/obj", data).ok());
  EXPECT_EQ(*b->GetRange("range/obj", 0, 10), data.substr(0, 10));
  EXPECT_EQ(*b->GetRange("range/obj", 1234, 1000), data.substr(1234, 1000));
  EXPECT_EQ(*b->GetRange("range/obj", 4990, 10), data.substr(4990));
  EXPECT_EQ(*b->GetRange("range/obj", 4990, 100), data.substr(4990));  // Past the end: short.
  EXPECT_EQ(*b->GetRange("range/obj", 100, 0), "");
  auto past = b->GetRange("range/obj", 5000, 10);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), StatusCode::kBadData) << past.status().message();
  EXPECT_NE(past.status().message().find("HTTP 416"), std::string::npos) << past.status().message();
}

TEST(S3rver, MissingObjectsAreNotFound) {
  auto b = Open();
  auto get = b->Get("nothing/here");
  ASSERT_FALSE(get.ok());
  EXPECT_TRUE(IsObjNotFound(get.status())) << get.status().message();
  EXPECT_NE(get.status().message().find("\"meridian-test\""), std::string::npos);
  EXPECT_NE(get.status().message().find("\"nothing/here\""), std::string::npos);
  EXPECT_NE(get.status().message().find("HTTP 404 NoSuchKey"), std::string::npos) << get.status().message();
  EXPECT_TRUE(IsObjNotFound(b->GetRange("nothing/here", 0, 5).status()));
  EXPECT_TRUE(IsObjNotFound(b->GetRange("nothing/here", 0, 0).status()));
  EXPECT_TRUE(IsObjNotFound(b->Attributes("nothing/here").status()));
  auto exists = b->Exists("nothing/here");
  ASSERT_TRUE(exists.ok());
  EXPECT_FALSE(*exists);
}

TEST(S3rver, Delete) {
  auto b = Open();
  ASSERT_TRUE(b->Upload("del/a", "1").ok());
  ASSERT_TRUE(b->Upload("del/b", "2").ok());
  ASSERT_TRUE(b->Delete("del/a").ok());
  EXPECT_TRUE(IsObjNotFound(b->Get("del/a").status()));
  EXPECT_EQ(List(*b, "del"), std::vector<std::string>{"del/b"});
  EXPECT_TRUE(b->Delete("del/never-existed").ok());
}

TEST(S3rver, IterDirectorySemantics) {
  auto b = Open();
  for (const char* k : {"iter/01A/meta.json", "iter/01A/index", "iter/01A/chunks/000001",
                        "iter/01A/chunks/000002", "iter/01B/meta.json", "iter/top", "iterator-not-in-dir"}) {
    ASSERT_TRUE(b->Upload(k, k).ok()) << k;
  }
  EXPECT_EQ(List(*b, "iter"), (std::vector<std::string>{"iter/01A/", "iter/01B/", "iter/top"}));
  EXPECT_EQ(List(*b, "iter/"), (std::vector<std::string>{"iter/01A/", "iter/01B/", "iter/top"}));
  EXPECT_EQ(List(*b, "iter/01A"),
            (std::vector<std::string>{"iter/01A/chunks/", "iter/01A/index", "iter/01A/meta.json"}));
  EXPECT_EQ(List(*b, "iter", true),
            (std::vector<std::string>{"iter/01A/chunks/000001", "iter/01A/chunks/000002",
                                      "iter/01A/index", "iter/01A/meta.json", "iter/01B/meta.json",
                                      "iter/top"}));
  EXPECT_TRUE(List(*b, "iter/nothing").empty());
  std::vector<std::string> root = List(*b, "");
  EXPECT_NE(std::find(root.begin(), root.end(), "iter/"), root.end());
  EXPECT_NE(std::find(root.begin(), root.end(), "iterator-not-in-dir"), root.end());
}

TEST(S3rver, PagesThroughContinuationTokens) {
  // A small page size: many pages, each mixing objects and directories.
  s3::S3BucketOptions o;
  o.list_max_keys = 7;
  auto b = Open(Config(), o);
  std::vector<std::string> want_flat, want_dirs;
  for (int i = 0; i < 40; ++i) {
    char name[64];
    std::snprintf(name, sizeof(name), "paged/obj-%03d", i);
    ASSERT_TRUE(b->Upload(name, "x").ok());
    want_flat.push_back(name);
    want_dirs.push_back(name);
    if (i % 5 == 0) {
      std::snprintf(name, sizeof(name), "paged/dir-%03d/inner", i);
      ASSERT_TRUE(b->Upload(name, "y").ok());
      want_flat.push_back(name);
      std::snprintf(name, sizeof(name), "paged/dir-%03d/", i);
      want_dirs.push_back(name);
    }
  }
  std::sort(want_flat.begin(), want_flat.end());
  std::sort(want_dirs.begin(), want_dirs.end());
  EXPECT_EQ(List(*b, "paged", true), want_flat);
  EXPECT_EQ(List(*b, "paged"), want_dirs);
}

TEST(S3rver, PagesWithListObjectsV1Markers) {
  s3::S3Config c = Config();
  c.list_objects_version = "v1";
  s3::S3BucketOptions o;
  o.list_max_keys = 4;
  auto b = Open(c, o);
  std::vector<std::string> want_flat, want_dirs;
  for (int i = 0; i < 15; ++i) {
    char name[64];
    std::snprintf(name, sizeof(name), "v1list/obj-%02d", i);
    ASSERT_TRUE(b->Upload(name, "x").ok());
    want_flat.push_back(name);
    want_dirs.push_back(name);
    if (i % 4 == 0) {
      std::snprintf(name, sizeof(name), "v1list/dir-%02d/a", i);
      ASSERT_TRUE(b->Upload(name, "y").ok());
      want_flat.push_back(name);
      std::snprintf(name, sizeof(name), "v1list/dir-%02d/", i);
      want_dirs.push_back(name);
    }
  }
  std::sort(want_flat.begin(), want_flat.end());
  std::sort(want_dirs.begin(), want_dirs.end());
  EXPECT_EQ(List(*b, "v1list", true), want_flat);
  EXPECT_EQ(List(*b, "v1list"), want_dirs);
}

TEST(S3rver, ListsMoreThanOneThousandObjects) {
  auto b = Open();
  // Uploads in parallel: also shows the client is safe to share between threads.
  constexpr int kObjects = 1100;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kObjects; i += 4) {
        char name[64];
        std::snprintf(name, sizeof(name), "many/%05d", i);
        if (!b->Upload(name, std::to_string(i)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  std::vector<std::string> names = List(*b, "many");
  ASSERT_EQ(names.size(), static_cast<size_t>(kObjects));
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  EXPECT_EQ(names.front(), "many/00000");
  EXPECT_EQ(names.back(), "many/01099");
}

TEST(S3rver, IterCallbackErrorStopsListing) {
  auto b = Open();
  ASSERT_TRUE(b->Upload("stop/a", "1").ok());
  ASSERT_TRUE(b->Upload("stop/b", "1").ok());
  int calls = 0;
  Status s = b->Iter("stop", [&](const std::string&) {
    ++calls;
    return ExecutionError("enough");
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.message(), "enough");
}

TEST(S3rver, UploadFileStreamsLargeObjects) {
  auto b = Open();
  TempDir tmp;
  const std::string src = tmp.path() + "/segment";
  const std::string data = Pattern(24 << 20);  // A chunk-segment-sized file, streamed from disk.
  std::ofstream(src, std::ios::binary) << data;
  Status s = b->UploadFile("large/chunks/000001", src);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(*b->Size("large/chunks/000001"), static_cast<int64_t>(data.size()));
  const int64_t off = (24 << 20) - 4096;
  EXPECT_EQ(*b->GetRange("large/chunks/000001", off, 8192), data.substr(off));
  EXPECT_EQ(*b->GetRange("large/chunks/000001", 12345678, 77), data.substr(12345678, 77));
}

TEST(S3rver, UnknownAccessKeyIsAClearError) {
  // s3rver checks the access key but not V4 signatures themselves; signatures are verified
  // against AWS's published examples and, on the wire, in s3_http_test.
  s3::S3Config c = Config();
  c.access_key = "NOT-S3RVER";
  s3::S3BucketOptions o;
  o.max_attempts = 2;
  auto b = Open(c, o);
  auto got = b->Get("roundtrip/empty");
  ASSERT_FALSE(got.ok());
  EXPECT_FALSE(IsObjNotFound(got.status()));
  EXPECT_NE(got.status().message().find("HTTP 403 InvalidAccessKeyId"), std::string::npos)
      << got.status().message();
}

TEST(S3rver, MissingBucketIsNotAMissingObject) {
  auto b = Open(Config("no-such-bucket"));
  auto got = b->Get("x");
  ASSERT_FALSE(got.ok());
  EXPECT_FALSE(IsObjNotFound(got.status()));
  EXPECT_NE(got.status().message().find("NoSuchBucket"), std::string::npos) << got.status().message();
  std::vector<std::string> names;
  Status s = b->Iter("", [&](const std::string& n) {
    names.push_back(n);
    return Status::Ok();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("NoSuchBucket"), std::string::npos) << s.message();
}

TEST(S3rver, FromThanosYamlWithPrefix) {
  const std::string yaml = std::string("type: s3\nconfig:\n") + "  bucket: " + kBucket + "\n" +
                           "  endpoint: " + S3rverEnvironment::Endpoint() + "\n" +
                           "  insecure: true\n  access_key: S3RVER\n  secret_key: S3RVER\n" +
                           "  http_config: {response_header_timeout: 30s}\n" +
                           "prefix: tenants/a\n";
  auto b = NewBucketFromConfig(yaml);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ((*b)->Name(), kBucket);
  ASSERT_TRUE((*b)->Upload("01X/meta.json", "{}").ok());
  EXPECT_EQ(List(**b, ""), std::vector<std::string>{"01X/"});
  EXPECT_EQ(List(**b, "01X"), std::vector<std::string>{"01X/meta.json"});
  auto raw = Open();
  EXPECT_EQ(*raw->Get("tenants/a/01X/meta.json"), "{}");
}

}  // namespace
}  // namespace meridian::objstore

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new meridian::objstore::S3rverEnvironment);
  return RUN_ALL_TESTS();
}
