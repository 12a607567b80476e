#include "objstore/prefixed_bucket.h"

namespace meridian::objstore {

std::unique_ptr<Bucket> PrefixedBucket::WrapWithPrefix(std::unique_ptr<Bucket> inner,
                                                       std::string prefix) {
  size_t begin = prefix.find_first_not_of(kDirDelim);
  if (begin == std::string::npos) return inner;
  size_t end = prefix.find_last_not_of(kDirDelim);
  prefix = prefix.substr(begin, end - begin + 1);
  return std::unique_ptr<Bucket>(new PrefixedBucket(std::move(inner), std::move(prefix)));
}

Status PrefixedBucket::Iter(const std::string& dir, const IterCallback& f, IterOptions opts) {
  const std::string strip = prefix_ + kDirDelim;
  return inner_->Iter(Full(dir), [&](const std::string& name) -> Status {
    if (name.compare(0, strip.size(), strip) != 0) {
      return InternalError(Name() + ": listing under prefix \"" + prefix_ +
                           "\" returned an object outside it: " + name);
    }
    return f(name.substr(strip.size()));
  }, opts);
}

}  // namespace meridian::objstore
