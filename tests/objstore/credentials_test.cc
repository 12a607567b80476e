#include "objstore/s3/credentials.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "objstore/s3/s3_config.h"
#include "tests/objstore/temp_dir.h"

namespace meridian::objstore::s3 {
namespace {

// Sets the AWS variables for one test and restores a clean slate afterwards.
class AwsEnv : public ::testing::Test {
 protected:
  void SetUp() override { Clear(); }
  void TearDown() override { Clear(); }
  static void Clear() {
    for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
                          "AWS_SESSION_TOKEN", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"}) {
      ::unsetenv(v);
    }
  }
  std::string WriteFile(const std::string& content) {
    const std::string path = tmp_.path() + "/credentials";
    std::ofstream(path) << content;
    return path;
  }
  testing::TempDir tmp_;
};

const char* kFile = R"(# comment
[default]
aws_access_key_id = DEFAULTKEY
aws_secret_access_key=DEFAULTSECRET

[ci]
aws_access_key_id = CIKEY
aws_secret_access_key = CISECRET
aws_session_token = CITOKEN
)";

TEST_F(AwsEnv, StaticKeysFromTheConfigWin) {
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  S3Config c;
  c.access_key = "CFG";
  c.secret_key = "CFGSECRET";
  c.session_token = "T";
  Credentials got = ResolveCredentials(c);
  EXPECT_EQ(got.access_key, "CFG");
  EXPECT_EQ(got.secret_key, "CFGSECRET");
  EXPECT_EQ(got.session_token, "T");
}

TEST_F(AwsEnv, EnvironmentBeforeSharedFile) {
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", WriteFile(kFile).c_str(), 1);
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  ::setenv("AWS_SESSION_TOKEN", "ENVTOKEN", 1);
  Credentials got = ResolveCredentials(S3Config{});
  EXPECT_EQ(got.access_key, "ENVKEY");
  EXPECT_EQ(got.secret_key, "ENVSECRET");
  EXPECT_EQ(got.session_token, "ENVTOKEN");
}

TEST_F(AwsEnv, SharedFileDefaultAndNamedProfile) {
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", WriteFile(kFile).c_str(), 1);
  Credentials got = ResolveCredentials(S3Config{});
  EXPECT_EQ(got.access_key, "DEFAULTKEY");
  EXPECT_EQ(got.secret_key, "DEFAULTSECRET");
  EXPECT_EQ(got.session_token, "");
  ::setenv("AWS_PROFILE", "ci", 1);
  got = ResolveCredentials(S3Config{});
  EXPECT_EQ(got.access_key, "CIKEY");
  EXPECT_EQ(got.session_token, "CITOKEN");
  ::setenv("AWS_PROFILE", "absent", 1);
  EXPECT_EQ(ResolveCredentials(S3Config{}).access_key, "");
}

TEST_F(AwsEnv, NothingMeansAnonymous) {
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", (tmp_.path() + "/missing").c_str(), 1);
  Credentials got = ResolveCredentials(S3Config{});
  EXPECT_EQ(got.access_key, "");
  EXPECT_EQ(got.secret_key, "");
  EXPECT_EQ(ReadSharedCredentialsFile(tmp_.path() + "/missing", "default").access_key, "");
}

}  // namespace
}  // namespace meridian::objstore::s3
