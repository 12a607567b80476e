#include "tsdb/byte_source.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace meridian::tsdb {
namespace {

Status OutOfRange(const std::string& name, uint64_t offset, uint64_t length, uint64_t size) {
  return CorruptError(name + ": read of " + std::to_string(length) + " bytes at offset " +
                      std::to_string(offset) + " is past the end of the file (" +
                      std::to_string(size) + " bytes)");
}

bool InRange(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

class MmapByteSource final : public ByteSource {
 public:
  MmapByteSource(const char* data, uint64_t size, std::string name)
      : data_(data), size_(size), name_(std::move(name)) {}
  ~MmapByteSource() override {
    if (size_ > 0) munmap(const_cast<char*>(data_), size_);
  }

  uint64_t Size() const override { return size_; }
  StatusOr<std::string_view> Read(uint64_t offset, uint64_t length, std::string*) const override {
    if (!InRange(offset, length, size_)) return OutOfRange(name_, offset, length, size_);
    return std::string_view(data_ + offset, length);
  }
  const std::string& name() const override { return name_; }

 private:
  const char* data_;
  uint64_t size_;
  std::string name_;
};

class MemoryByteSource final : public ByteSource {
 public:
  MemoryByteSource(std::string data, std::string name)
      : data_(std::move(data)), name_(std::move(name)) {}
  uint64_t Size() const override { return data_.size(); }
  StatusOr<std::string_view> Read(uint64_t offset, uint64_t length, std::string*) const override {
    if (!InRange(offset, length, data_.size())) {
      return OutOfRange(name_, offset, length, data_.size());
    }
    return std::string_view(data_).substr(offset, length);
  }
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  std::string name_;
};

}  // namespace

StatusOr<std::unique_ptr<ByteSource>> OpenFileByteSource(const std::string& path,
                                                         std::string display_name) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    std::string msg = "open " + path + ": " + std::strerror(e);
    return e == ENOENT ? NotFoundError(msg) : UnavailableError(msg);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    std::string msg = "stat " + path + ": " + std::strerror(errno);
    ::close(fd);
    return UnavailableError(msg);
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  const char* data = nullptr;
  if (size > 0) {
    void* m = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
      std::string msg = "mmap " + path + ": " + std::strerror(errno);
      ::close(fd);
      return UnavailableError(msg);
    }
    data = static_cast<const char*>(m);
  }
  ::close(fd);  // the mapping keeps the file contents reachable
  return std::unique_ptr<ByteSource>(new MmapByteSource(data, size, std::move(display_name)));
}

std::unique_ptr<ByteSource> NewMemoryByteSource(std::string data, std::string display_name) {
  return std::make_unique<MemoryByteSource>(std::move(data), std::move(display_name));
}

}  // namespace meridian::tsdb
