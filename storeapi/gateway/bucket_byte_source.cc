#include "storeapi/gateway/bucket_byte_source.h"

#include <algorithm>
#include <cstring>

namespace meridian::storeapi::gateway {

BucketByteSource::BucketByteSource(std::shared_ptr<objstore::Bucket> bucket, std::string object,
                                   uint64_t size, std::shared_ptr<ByteCache> cache, uint64_t cache_object,
                                   RangeReadOptions opts, std::shared_ptr<FetchCounters> counters)
    : bucket_(std::move(bucket)),
      object_(std::move(object)),
      cache_object_(cache_object),
      size_(size),
      cache_(std::move(cache)),
      opts_(opts),
      counters_(std::move(counters)) {
  if (opts_.page_size == 0) opts_.page_size = 16 << 10;
  if (!counters_) counters_ = std::make_shared<FetchCounters>();
}

void BucketByteSource::SetLocal(std::unique_ptr<tsdb::ByteSource> local,
                                std::vector<LocalRegion> regions) {
  local_ = std::move(local);
  regions_ = std::move(regions);
}

void BucketByteSource::Invalidate(uint64_t offset, uint64_t length) const {
  if (length == 0) return;
  for (uint64_t p = offset / opts_.page_size; p <= (offset + length - 1) / opts_.page_size; ++p) {
    cache_->Erase(PageKey(p));
  }
}

CacheKey BucketByteSource::PageKey(uint64_t page) const { return CacheKey{cache_object_, page}; }

Status BucketByteSource::FetchPages(uint64_t lo, uint64_t hi, uint64_t first,
                                    std::vector<std::shared_ptr<const std::string>>* out) const {
  const uint64_t ps = opts_.page_size;
  const uint64_t begin = lo * ps;
  const uint64_t end = std::min(size_, (hi + 1) * ps);
  auto data = bucket_->GetRange(object_, static_cast<int64_t>(begin), static_cast<int64_t>(end - begin));
  counters_->requests.fetch_add(1, std::memory_order_relaxed);
  if (!data.ok()) return data.status().Wrap(object_);
  counters_->bytes.fetch_add(data->size(), std::memory_order_relaxed);
  if (data->size() != end - begin) {
    return CorruptError(object_ + ": short read at offset " + std::to_string(begin) + ": got " +
                        std::to_string(data->size()) + " of " + std::to_string(end - begin) +
                        " bytes (object changed or truncated?)");
  }
  for (uint64_t p = lo; p <= hi; ++p) {
    uint64_t at = (p - lo) * ps;
    auto page = std::make_shared<const std::string>(data->substr(at, std::min(ps, data->size() - at)));
    cache_->Put(PageKey(p), page);
    if (out && p >= first && p - first < out->size()) (*out)[p - first] = std::move(page);
  }
  return Status::Ok();
}

StatusOr<std::string_view> BucketByteSource::Read(uint64_t offset, uint64_t length,
                                                  std::string* scratch) const {
  if (offset > size_ || length > size_ - offset) {
    return CorruptError(object_ + ": read of " + std::to_string(length) + " bytes at offset " +
                        std::to_string(offset) + " is past the end (" + std::to_string(size_) +
                        " bytes)");
  }
  if (length == 0) return std::string_view();
  for (const auto& r : regions_) {
    if (offset >= r.offset && offset + length <= r.offset + r.length) {
      return local_->Read(r.local_offset + (offset - r.offset), length, scratch);
    }
  }
  const uint64_t ps = opts_.page_size;
  const uint64_t first = offset / ps;
  const uint64_t last = (offset + length - 1) / ps;
  std::vector<std::shared_ptr<const std::string>> pages(last - first + 1);
  uint64_t miss_lo = UINT64_MAX, miss_hi = 0;
  for (uint64_t p = first; p <= last; ++p) {
    pages[p - first] = cache_->Get(PageKey(p));
    if (!pages[p - first]) {
      miss_lo = std::min(miss_lo, p);
      miss_hi = p;
    }
  }
  if (miss_lo != UINT64_MAX) {
    // One GET over the missing span; pages in between that were cached are simply refreshed.
    if (Status s = FetchPages(miss_lo, miss_hi, first, &pages); !s.ok()) return s;
  }
  scratch->resize(length);
  uint64_t pos = offset;
  char* dst = scratch->data();
  while (pos < offset + length) {
    uint64_t p = pos / ps;
    const std::string& page = *pages[p - first];
    uint64_t in_page = pos - p * ps;
    uint64_t n = std::min<uint64_t>(offset + length - pos, page.size() - in_page);
    if (in_page >= page.size() || n == 0) {
      return CorruptError(object_ + ": cached page " + std::to_string(p) + " is short");
    }
    std::memcpy(dst, page.data() + in_page, n);
    dst += n;
    pos += n;
  }
  return std::string_view(*scratch);
}

Status BucketByteSource::Prefetch(std::vector<ByteRange> ranges) const {
  const uint64_t ps = opts_.page_size;
  std::vector<uint64_t> pages;
  for (auto [off, len] : ranges) {
    if (off >= size_ || len == 0) continue;
    len = std::min(len, size_ - off);
    bool local = false;
    for (const auto& r : regions_) {
      if (off >= r.offset && off + len <= r.offset + r.length) local = true;
    }
    if (local) continue;
    for (uint64_t p = off / ps; p <= (off + len - 1) / ps; ++p) pages.push_back(p);
  }
  std::sort(pages.begin(), pages.end());
  pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
  std::vector<uint64_t> missing;
  for (uint64_t p : pages) {
    if (!cache_->Get(PageKey(p))) missing.push_back(p);
  }
  const uint64_t budget = cache_->max_bytes() / 2;
  uint64_t fetched = 0;
  const uint64_t gap_pages = opts_.max_gap / ps;
  for (size_t i = 0; i < missing.size() && fetched < budget;) {
    size_t j = i;
    while (j + 1 < missing.size() && missing[j + 1] - missing[j] - 1 <= gap_pages &&
           (missing[j + 1] - missing[i] + 1) * ps <= budget) {
      ++j;
    }
    if (Status s = FetchPages(missing[i], missing[j], 0, nullptr); !s.ok()) return s;
    fetched += (missing[j] - missing[i] + 1) * ps;
    i = j + 1;
  }
  return Status::Ok();
}

}  // namespace meridian::storeapi::gateway
