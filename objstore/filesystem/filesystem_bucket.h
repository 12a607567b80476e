#pragma once
// A bucket kept in a local directory (Thanos's FILESYSTEM provider): used for tests, for
// development and for blocks on a shared filesystem. Objects are files; '/' in a name is a
// sub-directory. Safe to use from several threads; objects are assumed immutable once written.

#include <memory>
#include <string>

#include "objstore/bucket.h"

namespace meridian::objstore {

class FilesystemBucket final : public Bucket {
 public:
  // `directory` may be relative (made absolute now) and need not exist yet: the first upload
  // creates it. An empty directory is kBadData.
  static StatusOr<std::unique_ptr<FilesystemBucket>> Open(const std::string& directory);

  Status Iter(const std::string& dir, const IterCallback& f, IterOptions opts = {}) override;
  StatusOr<std::string> Get(const std::string& name) override;
  StatusOr<std::string> GetRange(const std::string& name, int64_t offset,
                                 int64_t length) override;
  StatusOr<ObjectAttributes> Attributes(const std::string& name) override;
  StatusOr<bool> Exists(const std::string& name) override;
  Status Upload(const std::string& name, std::string_view data) override;
  Status UploadFile(const std::string& name, const std::string& local_path) override;
  Status Delete(const std::string& name) override;
  std::string Name() const override { return "fs: " + root_; }

  const std::string& root() const { return root_; }

  // Uploads are written to a file with this name prefix next to the target and renamed into
  // place; listings never show such files, and object names may not use the prefix.
  static constexpr std::string_view kTempPrefix = ".meridian-upload-";

 private:
  explicit FilesystemBucket(std::string root) : root_(std::move(root)) {}

  // Resolves an object name to its absolute path; rejects traversal and the empty name.
  StatusOr<std::string> ObjectPath(const std::string& name, const char* op) const;
  Status IterDir(const std::string& rel_dir, const IterCallback& f, bool recursive);
  // Writes through `fill` into a fresh temp file beside `path`, then renames it over `path`.
  Status WriteAtomically(const std::string& name, const std::string& path,
                         const std::function<Status(int fd)>& fill);

  std::string root_;
};

}  // namespace meridian::objstore
