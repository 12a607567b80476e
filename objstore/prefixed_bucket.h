#pragma once
// Thanos's `prefix:` option: every object of the wrapped bucket lives under "<prefix>/", and
// the callers see names without it.

#include <memory>
#include <string>

#include "objstore/bucket.h"

namespace meridian::objstore {

class PrefixedBucket final : public Bucket {
 public:
  // `prefix` loses leading and trailing '/'; an empty result means no wrapping is needed and
  // WrapWithPrefix returns `inner` itself.
  static std::unique_ptr<Bucket> WrapWithPrefix(std::unique_ptr<Bucket> inner, std::string prefix);

  Status Iter(const std::string& dir, const IterCallback& f, IterOptions opts = {}) override;
  StatusOr<std::string> Get(const std::string& name) override { return inner_->Get(Full(name)); }
  StatusOr<std::string> GetRange(const std::string& name, int64_t offset, int64_t length) override {
    return inner_->GetRange(Full(name), offset, length);
  }
  StatusOr<ObjectAttributes> Attributes(const std::string& name) override {
    return inner_->Attributes(Full(name));
  }
  StatusOr<bool> Exists(const std::string& name) override { return inner_->Exists(Full(name)); }
  Status Upload(const std::string& name, std::string_view data) override {
    return inner_->Upload(Full(name), data);
  }
  Status UploadFile(const std::string& name, const std::string& local_path) override {
    return inner_->UploadFile(Full(name), local_path);
  }
  Status Delete(const std::string& name) override { return inner_->Delete(Full(name)); }
  std::string Name() const override { return inner_->Name(); }

  const std::string& prefix() const { return prefix_; }

 private:
  PrefixedBucket(std::unique_ptr<Bucket> inner, std::string prefix)
      : inner_(std::move(inner)), prefix_(std::move(prefix)) {}
  std::string Full(const std::string& name) const { return prefix_ + kDirDelim + name; }

  std::unique_ptr<Bucket> inner_;
  std::string prefix_;
};

}  // namespace meridian::objstore
