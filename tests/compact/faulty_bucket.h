#pragma once
// A bucket that stops working at a chosen point, to stand for a compactor killed there: after
// `writes_allowed` mutating calls (Upload, UploadFile, Delete), every call fails. Or one that
// fails the first `transient_failures` calls with kUnavailable, as an S3 endpoint that drops
// connections does.

#include <atomic>
#include <memory>

#include "objstore/bucket.h"

namespace meridian::compact::testing {

class FaultyBucket final : public objstore::Bucket {
 public:
  explicit FaultyBucket(objstore::Bucket& inner) : inner_(inner) {}

  void KillAfterWrites(int64_t n) { writes_allowed_ = n; }
  void FailTransiently(int64_t n) { transient_ = n; }
  int64_t writes() const { return writes_.load(); }
  bool killed() const { return killed_.load(); }

  Status Iter(const std::string& dir, const objstore::IterCallback& f, objstore::IterOptions o) override {
    if (Status s = Check(false); !s.ok()) return s;
    return inner_.Iter(dir, f, o);
  }
  StatusOr<std::string> Get(const std::string& name) override {
    if (Status s = Check(false); !s.ok()) return s;
    return inner_.Get(name);
  }
  StatusOr<std::string> GetRange(const std::string& name, int64_t off, int64_t len) override {
    if (Status s = Check(false); !s.ok()) return s;
    return inner_.GetRange(name, off, len);
  }
  StatusOr<objstore::ObjectAttributes> Attributes(const std::string& name) override {
    if (Status s = Check(false); !s.ok()) return s;
    return inner_.Attributes(name);
  }
  StatusOr<bool> Exists(const std::string& name) override {
    if (Status s = Check(false); !s.ok()) return s;
    return inner_.Exists(name);
  }
  Status Upload(const std::string& name, std::string_view data) override {
    if (Status s = Check(true); !s.ok()) return s;
    return inner_.Upload(name, data);
  }
  Status UploadFile(const std::string& name, const std::string& path) override {
    if (Status s = Check(true); !s.ok()) return s;
    return inner_.UploadFile(name, path);
  }
  Status Delete(const std::string& name) override {
    if (Status s = Check(true); !s.ok()) return s;
    return inner_.Delete(name);
  }
  std::string Name() const override { return "faulty " + inner_.Name(); }

 private:
  Status Check(bool write) {
    if (transient_.load() > 0 && transient_.fetch_sub(1) > 0) return UnavailableError("connection refused (injected)");
    if (killed_.load()) return InternalError("process killed (injected)");
    if (write) {
      if (writes_allowed_ >= 0 && writes_.load() >= writes_allowed_) {
        killed_.store(true);
        return InternalError("process killed (injected)");
      }
      ++writes_;
    }
    return Status::Ok();
  }

  objstore::Bucket& inner_;
  int64_t writes_allowed_ = -1;
  std::atomic<int64_t> writes_{0};
  std::atomic<int64_t> transient_{0};
  std::atomic<bool> killed_{false};
};

}  // namespace meridian::compact::testing
