#pragma once
// The hashes S3 requests need (OpenSSL underneath): SHA-256 for SigV4 payload hashes and
// signing keys, MD5 for Content-MD5, hex and base64 spellings of them.

#include <memory>
#include <string>
#include <string_view>

namespace meridian::objstore::s3 {

std::string HexEncode(std::string_view raw);  // lower-case
std::string Base64Encode(std::string_view raw);
std::string Sha256Raw(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string Md5Raw(std::string_view data);
std::string HmacSha256Raw(std::string_view key, std::string_view data);

// SHA-256 and MD5 of a stream fed in pieces (uploads of large files are hashed before they
// are sent, without holding them in memory).
class StreamDigest {
 public:
  StreamDigest();
  ~StreamDigest();
  StreamDigest(const StreamDigest&) = delete;
  StreamDigest& operator=(const StreamDigest&) = delete;

  void Update(std::string_view piece);
  // Finishes both digests; call once.
  void Finish(std::string* sha256_hex, std::string* md5_base64);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::objstore::s3
