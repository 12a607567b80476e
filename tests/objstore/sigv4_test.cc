// SigV4 against the examples AWS publishes: the S3 header-based auth examples
// (sig-v4-header-based-auth, 2013-05-24, examplebucket) and the generic test suite's
// get-vanilla case (2015-08-30, service "service").
#include "objstore/s3/sigv4.h"

#include <gtest/gtest.h>

#include "objstore/s3/digest.h"

namespace meridian::objstore::s3 {
namespace {

const Credentials kS3DocCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

SigningInput S3DocRequest(std::string method, std::string uri, std::string payload_hash) {
  SigningInput in;
  in.method = std::move(method);
  in.canonical_uri = std::move(uri);
  in.payload_hash = payload_hash;
  in.amz_date = "20130524T000000Z";
  in.region = "us-east-1";
  in.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                {"x-amz-date", "20130524T000000Z"},
                {"x-amz-content-sha256", payload_hash}};
  return in;
}

TEST(SigV4, S3DocGetObjectWithRange) {
  SigningInput in = S3DocRequest("GET", "/test.txt", std::string(kEmptySha256));
  in.headers.emplace_back("Range", "bytes=0-9");
  SignedRequest s = SignV4(in, kS3DocCreds);
  EXPECT_EQ(s.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.signed_headers, "host;range;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3DocPutObjectEncodesDollarInKey) {
  const std::string body = "Welcome to Amazon S3.";
  const std::string hash = Sha256Hex(body);
  ASSERT_EQ(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigningInput in = S3DocRequest("PUT", "/" + UriEncode("test$file.text", true), hash);
  in.headers.emplace_back("Date", "Fri, 24 May 2013 00:00:00 GMT");
  in.headers.emplace_back("x-amz-storage-class", "REDUCED_REDUNDANCY");
  SignedRequest s = SignV4(in, kS3DocCreds);
  EXPECT_EQ(in.canonical_uri, "/test%24file.text");
  EXPECT_EQ(s.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, S3DocGetBucketLifecycleValuelessParameter) {
  SigningInput in = S3DocRequest("GET", "/", std::string(kEmptySha256));
  in.query = {{"lifecycle", ""}};
  EXPECT_EQ(SignV4(in, kS3DocCreds).signature,
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, S3DocListObjectsSortsQuery) {
  SigningInput in = S3DocRequest("GET", "/", std::string(kEmptySha256));
  in.query = {{"prefix", "J"}, {"max-keys", "2"}};  // Deliberately unsorted.
  SignedRequest s = SignV4(in, kS3DocCreds);
  EXPECT_NE(s.canonical_request.find("\nmax-keys=2&prefix=J\n"), std::string::npos);
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, TestSuiteGetVanilla) {
  SigningInput in;
  in.method = "GET";
  in.canonical_uri = "/";
  in.payload_hash = std::string(kEmptySha256);
  in.amz_date = "20150830T123600Z";
  in.region = "us-east-1";
  in.service = "service";
  in.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  SignedRequest s =
      SignV4(in, Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""});
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, HeaderValuesAreTrimmedAndSpacesCollapsed) {
  SigningInput a = S3DocRequest("GET", "/k", std::string(kEmptySha256));
  SigningInput b = a;
  a.headers.emplace_back("X-Custom", "a  b");
  b.headers.emplace_back("x-custom", "  a b  ");
  EXPECT_EQ(SignV4(a, kS3DocCreds).signature, SignV4(b, kS3DocCreds).signature);
}

TEST(SigV4, UriEncode) {
  EXPECT_EQ(UriEncode("a b+c", false), "a%20b%2Bc");
  EXPECT_EQ(UriEncode("A-z_0.9~", false), "A-z_0.9~");
  EXPECT_EQ(UriEncode("dir/sub/x", true), "dir/sub/x");
  EXPECT_EQ(UriEncode("dir/sub", false), "dir%2Fsub");
  EXPECT_EQ(UriEncode("=&?#%", false), "%3D%26%3F%23%25");
  EXPECT_EQ(UriEncode("ключ", true), "%D0%BA%D0%BB%D1%8E%D1%87");
}

TEST(SigV4, CanonicalQueryEncodesAndSorts) {
  EXPECT_EQ(CanonicalQueryString({{"prefix", "a b/"}, {"delimiter", "/"}, {"list-type", "2"}}),
            "delimiter=%2F&list-type=2&prefix=a%20b%2F");
  EXPECT_EQ(CanonicalQueryString({}), "");
}

TEST(SigV4, FormatAmzDate) {
  // 2013-05-24T00:00:00Z
  auto t = std::chrono::system_clock::from_time_t(1369353600);
  EXPECT_EQ(FormatAmzDate(t), "20130524T000000Z");
}

TEST(Digest, KnownValues) {
  EXPECT_EQ(Sha256Hex(""), std::string(kEmptySha256));
  EXPECT_EQ(Base64Encode(Md5Raw("")), "1B2M2Y8AsgTpgAmY7PhCfg==");
  StreamDigest d;
  d.Update("Welcome to ");
  d.Update("Amazon S3.");
  std::string sha, md5;
  d.Finish(&sha, &md5);
  EXPECT_EQ(sha, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(md5, Base64Encode(Md5Raw("Welcome to Amazon S3.")));
}

}  // namespace
}  // namespace meridian::objstore::s3
