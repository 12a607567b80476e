#include "storeapi/gateway/block_upload.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "tsdb/block_meta.h"

namespace meridian::storeapi::gateway {

Status UploadBlock(objstore::Bucket& bucket, const std::string& block_dir, const std::string& prefix) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path root(block_dir);
  const std::string ulid = root.filename().string();
  if (!fs::exists(root / std::string(tsdb::kMetaFilename), ec)) {
    return BadData("upload of " + block_dir + ": no meta.json");
  }
  std::vector<std::string> files;
  for (fs::recursive_directory_iterator it(root, ec), end; it != end && !ec; it.increment(ec)) {
    std::error_code file_ec;
    if (it->is_regular_file(file_ec)) files.push_back(it->path().lexically_relative(root).generic_string());
  }
  if (ec) return InternalError("upload of " + block_dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& rel : files) {
    if (rel != "index" && rel.rfind("chunks/", 0) != 0) continue;
    if (Status s = bucket.UploadFile(prefix + ulid + "/" + rel, (root / rel).string()); !s.ok()) return s;
  }
  return bucket.UploadFile(prefix + ulid + "/" + std::string(tsdb::kMetaFilename),
                           (root / std::string(tsdb::kMetaFilename)).string());
}

}  // namespace meridian::storeapi::gateway
