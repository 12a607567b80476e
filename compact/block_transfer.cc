#include "compact/block_transfer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "compact/markers.h"
#include "tsdb/block_meta.h"

namespace meridian::compact {
namespace fs = std::filesystem;
namespace {
constexpr int64_t kRangeBytes = 32 << 20;
}  // namespace

Status DownloadBlock(objstore::Bucket& bucket, const tsdb::Ulid& id, const std::string& dir) {
  const std::string name = id.ToString();
  const std::string prefix = name + "/";
  std::vector<std::string> objects;
  Status listed = bucket.Iter(prefix, [&](const std::string& obj) {
    objects.push_back(obj);
    return Status::Ok();
  }, objstore::IterOptions{.recursive = true});
  if (!listed.ok()) return listed.Wrap("download block " + name);
  const fs::path root = fs::path(dir) / name;
  std::error_code ec;
  fs::remove_all(root, ec);
  for (const auto& obj : objects) {
    const std::string rel = obj.substr(prefix.size());
    if (rel.empty() || rel.back() == '/') continue;
    const fs::path local = root / rel;
    fs::create_directories(local.parent_path(), ec);
    if (ec) return UnavailableError("download block " + name + ": create " + local.parent_path().string() + ": " + ec.message());
    auto size = bucket.Size(obj);
    if (!size.ok()) return size.status().Wrap("download block " + name + ": " + rel);
    std::FILE* f = std::fopen(local.c_str(), "wb");
    if (!f) return UnavailableError("download block " + name + ": create " + local.string() + ": " + std::strerror(errno));
    Status st;
    for (int64_t off = 0; off < *size && st.ok(); off += kRangeBytes) {
      auto part = bucket.GetRange(obj, off, std::min<int64_t>(kRangeBytes, *size - off));
      if (!part.ok()) {
        st = part.status().Wrap("download block " + name + ": " + rel);
        break;
      }
      if (std::fwrite(part->data(), 1, part->size(), f) != part->size()) {
        st = UnavailableError("download block " + name + ": write " + local.string() + ": " + std::strerror(errno));
      }
    }
    if (std::fclose(f) != 0 && st.ok()) st = UnavailableError("download block " + name + ": close " + local.string());
    if (!st.ok()) return st;
  }
  if (!fs::exists(root / std::string(tsdb::kMetaFilename), ec)) {
    return NotFoundError("download block " + name + ": no meta.json in the bucket");
  }
  return Status::Ok();
}

Status DeleteBlock(objstore::Bucket& bucket, const tsdb::Ulid& id) {
  const std::string prefix = id.ToString() + "/";
  const std::string meta = prefix + std::string(tsdb::kMetaFilename);
  const std::string mark = MarkerObjectName(id, MarkerKind::kDeletion);
  if (Status s = bucket.Delete(meta); !s.ok() && !objstore::IsObjNotFound(s)) {
    return s.Wrap("delete block " + id.ToString());
  }
  std::vector<std::string> objects;
  Status listed = bucket.Iter(prefix, [&](const std::string& obj) {
    objects.push_back(obj);
    return Status::Ok();
  }, objstore::IterOptions{.recursive = true});
  if (!listed.ok()) return listed.Wrap("delete block " + id.ToString());
  for (const auto& obj : objects) {
    if (obj == mark || obj.back() == '/') continue;
    if (Status s = bucket.Delete(obj); !s.ok() && !objstore::IsObjNotFound(s)) {
      return s.Wrap("delete block " + id.ToString());
    }
  }
  if (Status s = bucket.Delete(mark); !s.ok() && !objstore::IsObjNotFound(s)) {
    return s.Wrap("delete block " + id.ToString());
  }
  return Status::Ok();
}

}  // namespace meridian::compact
