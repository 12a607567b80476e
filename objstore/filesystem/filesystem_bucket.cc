#include "objstore/filesystem/filesystem_bucket.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <system_error>
#include <utility>
#include <vector>

#include "objstore/object_name.h"

namespace meridian::objstore {
namespace fs = std::filesystem;

namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

// Closes a descriptor on every path out of a function.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return InternalError("write: " + ErrnoText(errno));
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

// Reads up to `length` bytes at `offset`; stops early at end of file.
Status PreadAll(int fd, int64_t offset, int64_t length, std::string* out) {
  out->resize(static_cast<size_t>(length));
  size_t got = 0;
  while (got < out->size()) {
    ssize_t r = ::pread(fd, out->data() + got, out->size() - got, offset + static_cast<int64_t>(got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return InternalError("read: " + ErrnoText(errno));
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out->resize(got);
  return Status::Ok();
}

std::string TempSuffix() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t v = rng() ^ (counter.fetch_add(1) * 0x9E3779B97F4A7C15ULL);
  static const char* kHex = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = kHex[v & 0xf];
  return s;
}

bool IsTempName(const std::string& base) {
  return base.compare(0, FilesystemBucket::kTempPrefix.size(), FilesystemBucket::kTempPrefix) == 0;
}

// A directory with no entries at all (Thanos lists directories only when they hold something).
bool IsEmptyDir(const fs::path& p) {
  std::error_code ec;
  fs::directory_iterator it(p, ec);
  if (ec) return ec == std::errc::no_such_file_or_directory;
  return it == fs::directory_iterator();
}

}  // namespace

StatusOr<std::unique_ptr<FilesystemBucket>> FilesystemBucket::Open(const std::string& directory) {
  if (directory.empty()) return BadData("missing directory for filesystem bucket");
  std::error_code ec;
  fs::path abs = fs::absolute(directory, ec);
  if (ec) return BadData("filesystem bucket directory " + directory + ": " + ec.message());
  std::string root = abs.lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return std::unique_ptr<FilesystemBucket>(new FilesystemBucket(std::move(root)));
}

StatusOr<std::string> FilesystemBucket::ObjectPath(const std::string& name, const char* op) const {
  auto clean = CleanObjectName(name);
  if (!clean.ok()) return clean.status().Wrap(Name() + ": " + op);
  if (clean->empty()) return BadData(Name() + ": " + op + ": object name is empty");
  return root_ + "/" + *clean;
}

Status FilesystemBucket::Iter(const std::string& dir, const IterCallback& f, IterOptions opts) {
  auto clean = CleanObjectName(dir);
  if (!clean.ok()) return clean.status().Wrap(Name() + ": iter");
  return IterDir(*clean, f, opts.recursive);
}

Status FilesystemBucket::IterDir(const std::string& rel_dir, const IterCallback& f,
                                 bool recursive) {
  fs::path abs = rel_dir.empty() ? fs::path(root_) : fs::path(root_) / rel_dir;
  std::error_code ec;
  auto st = fs::symlink_status(abs, ec);
  if (ec || !fs::is_directory(st)) {
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
      return InternalError(Name() + ": iter " + rel_dir + ": " + ec.message());
    }
    return Status::Ok();  // Nothing listed under a missing directory or a plain object.
  }

  struct Entry {
    std::string name;  // As reported: directories end with '/'.
    bool is_dir;
  };
  std::vector<Entry> entries;
  fs::directory_iterator it(abs, ec);
  if (ec) return InternalError(Name() + ": iter " + rel_dir + ": " + ec.message());
  const std::string prefix = rel_dir.empty() ? "" : rel_dir + "/";
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return InternalError(Name() + ": iter " + rel_dir + ": " + ec.message());
    std::string base = it->path().filename().string();
    if (IsTempName(base)) continue;
    std::error_code sec;
    bool is_dir = it->is_directory(sec) && !it->is_symlink(sec);
    if (is_dir) {
      if (IsEmptyDir(it->path())) continue;
      entries.push_back({prefix + base + "/", true});
    } else {
      entries.push_back({prefix + base, false});
    }
  }
  // Byte order of the reported names, as an S3 listing returns them.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  for (const Entry& e : entries) {
    if (e.is_dir && recursive) {
      Status s = IterDir(e.name.substr(0, e.name.size() - 1), f, true);
      if (!s.ok()) return s;
      continue;
    }
    Status s = f(e.name);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<std::string> FilesystemBucket::Get(const std::string& name) {
  auto path = ObjectPath(name, "get");
  if (!path.ok()) return path.status();
  int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return NotFoundError(Name() + ": get " + name + ": object not found");
    }
    return InternalError(Name() + ": get " + name + ": " + ErrnoText(err));
  }
  FdCloser closer(fd);
  struct stat st{};
  if (::fstat(fd, &st) != 0) return InternalError(Name() + ": get " + name + ": " + ErrnoText(errno));
  if (S_ISDIR(st.st_mode)) {
    return NotFoundError(Name() + ": get " + name + ": object not found (it is a directory)");
  }
  std::string out;
  Status s = PreadAll(fd, 0, st.st_size, &out);
  if (!s.ok()) return s.Wrap(Name() + ": get " + name);
  return out;
}

StatusOr<std::string> FilesystemBucket::GetRange(const std::string& name, int64_t offset,
                                                 int64_t length) {
  if (offset < 0 || length < 0) {
    return BadData(Name() + ": get range of " + name + ": offset " + std::to_string(offset) +
                   " and length " + std::to_string(length) + " must not be negative");
  }
  auto path = ObjectPath(name, "get range");
  if (!path.ok()) return path.status();
  int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return NotFoundError(Name() + ": get range of " + name + ": object not found");
    }
    return InternalError(Name() + ": get range of " + name + ": " + ErrnoText(err));
  }
  FdCloser closer(fd);
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    return InternalError(Name() + ": get range of " + name + ": " + ErrnoText(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    return NotFoundError(Name() + ": get range of " + name + ": object not found (it is a directory)");
  }
  if (length == 0) return std::string();
  if (offset >= st.st_size) {
    return BadData(Name() + ": get range of " + name + ": offset " + std::to_string(offset) +
                   " is at or past the end of the object (size " + std::to_string(st.st_size) + ")");
  }
  std::string out;
  Status s = PreadAll(fd, offset, std::min<int64_t>(length, st.st_size - offset), &out);
  if (!s.ok()) return s.Wrap(Name() + ": get range of " + name);
  return out;
}

StatusOr<ObjectAttributes> FilesystemBucket::Attributes(const std::string& name) {
  auto path = ObjectPath(name, "attributes");
  if (!path.ok()) return path.status();
  struct stat st{};
  if (::stat(path->c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return NotFoundError(Name() + ": attributes of " + name + ": object not found");
    }
    return InternalError(Name() + ": attributes of " + name + ": " + ErrnoText(err));
  }
  if (S_ISDIR(st.st_mode)) {
    return NotFoundError(Name() + ": attributes of " + name + ": object not found (it is a directory)");
  }
  ObjectAttributes a;
  a.size = st.st_size;
  a.last_modified_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  return a;
}

StatusOr<bool> FilesystemBucket::Exists(const std::string& name) {
  auto path = ObjectPath(name, "exists");
  if (!path.ok()) return path.status();
  struct stat st{};
  if (::stat(path->c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return false;
    return InternalError(Name() + ": exists " + name + ": " + ErrnoText(err));
  }
  return !S_ISDIR(st.st_mode);
}

Status FilesystemBucket::WriteAtomically(const std::string& name, const std::string& path,
                                         const std::function<Status(int fd)>& fill) {
  fs::path target(path);
  if (IsTempName(target.filename().string())) {
    return BadData(Name() + ": upload " + name + ": object names may not start with \"" +
                   std::string(kTempPrefix) + "\" (reserved for uploads in progress)");
  }
  fs::path tmp = target.parent_path() / (std::string(kTempPrefix) + TempSuffix());
  int fd = -1;
  // A concurrent Delete may remove the freshly created (still empty) parent directory between
  // our mkdir and open; creating it again once is enough to win that race.
  for (int attempt = 0; attempt < 3 && fd < 0; ++attempt) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return InternalError(Name() + ": upload " + name + ": create directory: " + ec.message());
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno != ENOENT) break;
  }
  if (fd < 0) return InternalError(Name() + ": upload " + name + ": create temp file: " + ErrnoText(errno));
  FdCloser closer(fd);
  auto discard = [&](Status s) {
    ::close(closer.release());
    ::unlink(tmp.c_str());
    return s.Wrap(Name() + ": upload " + name);
  };
  Status s = fill(fd);
  if (!s.ok()) return discard(s);
  if (::close(closer.release()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return InternalError(Name() + ": upload " + name + ": close: " + ErrnoText(err));
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return InternalError(Name() + ": upload " + name + ": rename into place: " + ErrnoText(err));
  }
  return Status::Ok();
}

Status FilesystemBucket::Upload(const std::string& name, std::string_view data) {
  auto path = ObjectPath(name, "upload");
  if (!path.ok()) return path.status();
  return WriteAtomically(name, *path, [&](int fd) { return WriteAll(fd, data.data(), data.size()); });
}

Status FilesystemBucket::UploadFile(const std::string& name, const std::string& local_path) {
  auto path = ObjectPath(name, "upload");
  if (!path.ok()) return path.status();
  int in = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    return BadData(Name() + ": upload " + name + ": open source file " + local_path + ": " +
                   ErrnoText(errno));
  }
  FdCloser in_closer(in);
  return WriteAtomically(name, *path, [&](int fd) -> Status {
    std::vector<char> buf(1 << 20);
    while (true) {
      ssize_t r = ::read(in, buf.data(), buf.size());
      if (r < 0) {
        if (errno == EINTR) continue;
        return InternalError("read source file " + local_path + ": " + ErrnoText(errno));
      }
      if (r == 0) return Status::Ok();
      Status s = WriteAll(fd, buf.data(), static_cast<size_t>(r));
      if (!s.ok()) return s;
    }
  });
}

Status FilesystemBucket::Delete(const std::string& name) {
  auto path = ObjectPath(name, "delete");
  if (!path.ok()) return path.status();
  // Like Thanos: the name and everything below it goes, then each parent directory that is
  // left empty, up to (not including) the bucket root.
  fs::path p(*path);
  const fs::path root(root_);
  std::error_code ec;
  fs::remove_all(p, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return InternalError(Name() + ": delete " + name + ": " + ec.message());
  }
  for (p = p.parent_path(); p != root && p.string().size() > root_.size(); p = p.parent_path()) {
    if (!IsEmptyDir(p)) break;
    // rmdir only removes an empty directory, so a concurrent upload into it is never lost.
    if (::rmdir(p.c_str()) != 0 && errno != ENOENT) break;
  }
  return Status::Ok();
}

}  // namespace meridian::objstore
