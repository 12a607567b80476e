#pragma once
// AWS Signature Version 4 for header-based authentication (the "Authorization:
// AWS4-HMAC-SHA256 ..." form S3 accepts). Pure functions of their inputs, so the published
// AWS examples serve as tests.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meridian::objstore::s3 {

// The hash S3 expects in x-amz-content-sha256 for an empty body.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// RFC 3986 percent-encoding as SigV4 defines it: A-Z a-z 0-9 - . _ ~ stay, every other byte is
// %XX in upper-case hex. '/' stays when `keep_slash` (object key paths), else it is %2F.
std::string UriEncode(std::string_view s, bool keep_slash);

// "20130524T000000Z"
std::string FormatAmzDate(std::chrono::system_clock::time_point t);

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // Sent and signed as x-amz-security-token when non-empty.
};

using NameValues = std::vector<std::pair<std::string, std::string>>;

struct SigningInput {
  std::string method;          // "GET"
  std::string canonical_uri;   // Already URI-encoded path: "/bucket/a%20key"
  NameValues query;            // Raw (not yet encoded) parameter names and values.
  NameValues headers;          // Every header to sign; must include host and x-amz-date.
  std::string payload_hash;    // Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
  std::string amz_date;        // Same value as the x-amz-date header.
  std::string region;          // "us-east-1"
  std::string service = "s3";
};

struct SignedRequest {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;range;x-amz-content-sha256;x-amz-date"
  std::string signature;       // lower-case hex
  std::string authorization;   // Value of the Authorization header.
};

// Encoded names and values, sorted by name then value, joined with '&'. Also the form the
// query takes on the wire, so what is sent is exactly what was signed.
std::string CanonicalQueryString(const NameValues& query);

SignedRequest SignV4(const SigningInput& in, const Credentials& creds);

}  // namespace meridian::objstore::s3
