#include "objstore/s3/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace meridian::objstore::s3 {

std::string HexEncode(std::string_view raw) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

std::string Base64Encode(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(raw.data()),
                          static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

namespace {

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(buf), len);
}

}  // namespace

std::string Sha256Raw(std::string_view data) { return Digest(EVP_sha256(), data); }
std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256Raw(data)); }
std::string Md5Raw(std::string_view data) { return Digest(EVP_md5(), data); }

std::string HmacSha256Raw(std::string_view key, std::string_view data) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), buf, &len);
  return std::string(reinterpret_cast<char*>(buf), len);
}

struct StreamDigest::Impl {
  EVP_MD_CTX* sha = EVP_MD_CTX_new();
  EVP_MD_CTX* md5 = EVP_MD_CTX_new();
  ~Impl() {
    EVP_MD_CTX_free(sha);
    EVP_MD_CTX_free(md5);
  }
};

StreamDigest::StreamDigest() : impl_(std::make_unique<Impl>()) {
  EVP_DigestInit_ex(impl_->sha, EVP_sha256(), nullptr);
  EVP_DigestInit_ex(impl_->md5, EVP_md5(), nullptr);
}

StreamDigest::~StreamDigest() = default;

void StreamDigest::Update(std::string_view piece) {
  EVP_DigestUpdate(impl_->sha, piece.data(), piece.size());
  EVP_DigestUpdate(impl_->md5, piece.data(), piece.size());
}

void StreamDigest::Finish(std::string* sha256_hex, std::string* md5_base64) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->sha, buf, &len);
  *sha256_hex = HexEncode(std::string_view(reinterpret_cast<char*>(buf), len));
  EVP_DigestFinal_ex(impl_->md5, buf, &len);
  *md5_base64 = Base64Encode(std::string_view(reinterpret_cast<char*>(buf), len));
}

}  // namespace meridian::objstore::s3
