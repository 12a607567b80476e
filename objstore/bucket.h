#pragma once
// The object storage seam: what Meridian needs from a bucket holding TSDB blocks, shaped
// after Thanos's objstore.Bucket so the same YAML configs and directory conventions work.
//
// Object names use '/' as the directory delimiter. Listing models directories the way Thanos
// does: a non-recursive Iter reports each "sub-directory" once, as its name plus a trailing
// '/'. Every call returns Status/StatusOr and never throws; a missing object is reported with
// StatusCode::kNotFound (see IsObjNotFound), everything else keeps its own code.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "model/status.h"

namespace meridian::objstore {

inline constexpr char kDirDelim = '/';

struct IterOptions {
  // List every object below the directory (no trailing-'/' directory entries).
  bool recursive = false;
};

struct ObjectAttributes {
  int64_t size = 0;
  // Milliseconds since the Unix epoch; 0 when the provider does not report it.
  int64_t last_modified_ms = 0;
};

// Receives full object names (including the listed directory). A non-OK return stops the
// iteration and is returned by Iter unchanged.
using IterCallback = std::function<Status(const std::string& name)>;

class Bucket {
 public:
  virtual ~Bucket() = default;

  // Calls `f` for each entry under `dir` ("" is the bucket root; a trailing '/' is optional).
  // A directory that does not exist lists nothing and is not an error.
  virtual Status Iter(const std::string& dir, const IterCallback& f, IterOptions opts = {}) = 0;

  // The whole object. Meant for small objects (meta.json, tombstones); readers of index and
  // chunk files use GetRange.
  virtual StatusOr<std::string> Get(const std::string& name) = 0;

  // Bytes [offset, offset+length) of the object; fewer when the object ends sooner. Only
  // explicit ranges: offset >= 0, length >= 0; an offset at or past the end is kBadData.
  virtual StatusOr<std::string> GetRange(const std::string& name, int64_t offset,
                                         int64_t length) = 0;

  virtual StatusOr<ObjectAttributes> Attributes(const std::string& name) = 0;
  StatusOr<int64_t> Size(const std::string& name) {
    auto attrs = Attributes(name);
    if (!attrs.ok()) return attrs.status();
    return attrs->size;
  }

  // True for an object; false when there is none (a "directory" is not an object).
  virtual StatusOr<bool> Exists(const std::string& name) = 0;

  // Creates or replaces the object. Readers never observe a partly written object.
  virtual Status Upload(const std::string& name, std::string_view data) = 0;
  // Same, streaming the content of a local file so large files are not held in memory.
  virtual Status UploadFile(const std::string& name, const std::string& local_path) = 0;

  // Removes the object. Deleting an object that does not exist is not an error (as in S3).
  virtual Status Delete(const std::string& name) = 0;

  // Human-readable identity for logs and errors: the S3 bucket name, "fs: <dir>", ...
  virtual std::string Name() const = 0;
};

// The IsObjNotFoundErr of Thanos: true when the status says the object does not exist.
inline bool IsObjNotFound(const Status& s) { return s.code() == StatusCode::kNotFound; }

}  // namespace meridian::objstore
