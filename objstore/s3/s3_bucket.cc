#include "objstore/s3/s3_bucket.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <thread>
#include <vector>

#include "objstore/s3/credentials.h"
#include "objstore/s3/digest.h"
#include "objstore/s3/xml.h"

namespace meridian::objstore::s3 {

namespace {

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The host part of "host[:port]" (IPv6 literals keep their brackets).
std::string HostOnly(const std::string& endpoint) {
  if (!endpoint.empty() && endpoint[0] == '[') {
    size_t close = endpoint.find(']');
    return close == std::string::npos ? endpoint : endpoint.substr(0, close + 1);
  }
  size_t colon = endpoint.rfind(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}

struct S3ErrorBody {
  std::string code;
  std::string message;
  std::string region;  // Set by AuthorizationHeaderMalformed when the region is wrong.
};

S3ErrorBody ParseErrorBody(const std::string& body) {
  S3ErrorBody e;
  if (body.empty()) return e;
  auto doc = ParseXml(body);
  if (!doc.ok() || doc->name != "Error") return e;
  e.code = doc->ChildText("Code");
  e.message = doc->ChildText("Message");
  e.region = doc->ChildText("Region");
  return e;
}

bool RetryableStatus(const HttpResponse& resp) {
  if (resp.status >= 500 || resp.status == 429) return true;
  if (resp.status == 400) {
    std::string code = ParseErrorBody(resp.body).code;
    return code == "RequestTimeout" || code == "SlowDown";
  }
  return false;
}

int64_t ParseHttpDateMs(const std::string& v) {
  std::tm tm{};
  const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (end == nullptr) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

}  // namespace

StatusOr<std::unique_ptr<S3Bucket>> S3Bucket::Create(const S3Config& config, S3BucketOptions opts) {
  if (config.bucket.empty()) return BadData("no s3 bucket in config file");
  if (config.endpoint.empty()) return BadData("no s3 endpoint in config file");
  if (opts.max_attempts < 1) return BadData("s3 bucket options: max_attempts must be at least 1");
  if (opts.list_max_keys < 1 || opts.list_max_keys > 1000) {
    return BadData("s3 bucket options: list_max_keys must be in [1, 1000]");
  }
  Credentials creds = ResolveCredentials(config);
  return std::unique_ptr<S3Bucket>(new S3Bucket(config, std::move(opts), std::move(creds)));
}

S3Bucket::S3Bucket(S3Config config, S3BucketOptions opts, Credentials creds)
    : config_(std::move(config)), opts_(std::move(opts)), creds_(std::move(creds)) {
  anonymous_ = creds_.access_key.empty() || creds_.secret_key.empty();
  scheme_ = config_.insecure ? "http" : "https";
  bool virtual_hosted = config_.bucket_lookup_type == BucketLookup::kVirtualHosted;
  if (config_.bucket_lookup_type == BucketLookup::kAuto) {
    // minio-go's auto rule: DNS-style for AWS endpoints (bucket names with dots break TLS
    // wildcard certificates there, so those stay path-style), path-style everywhere else.
    virtual_hosted = EndsWith(HostOnly(config_.endpoint), "amazonaws.com") &&
                     config_.bucket.find('.') == std::string::npos;
  }
  if (virtual_hosted) {
    host_ = config_.bucket + "." + config_.endpoint;
  } else {
    host_ = config_.endpoint;
    path_prefix_ = "/" + UriEncode(config_.bucket, false);
  }
  region_ = config_.region.empty() ? "us-east-1" : config_.region;

  HttpClientOptions http;
  const HttpConfig& hc = config_.http_config;
  http.connect_timeout_ms = 30000 + hc.tls_handshake_timeout_ms;  // Go's dialer uses 30s.
  http.stall_timeout_ms = opts_.stall_timeout_ms > 0 ? opts_.stall_timeout_ms
                                                     : (hc.response_header_timeout_ms > 0
                                                            ? hc.response_header_timeout_ms
                                                            : 120000);
  http.max_idle_age_ms = hc.idle_conn_timeout_ms;
  http.ca_file = hc.tls_config.ca_file;
  http.cert_file = hc.tls_config.cert_file;
  http.key_file = hc.tls_config.key_file;
  http.insecure_skip_verify = hc.insecure_skip_verify || hc.tls_config.insecure_skip_verify;
  http.max_idle_handles = static_cast<size_t>(std::clamp<int64_t>(hc.max_idle_conns_per_host, 1, 256));
  http_ = std::make_unique<HttpClient>(http);
}

std::string S3Bucket::Region() {
  std::lock_guard<std::mutex> lock(region_mu_);
  return region_;
}

HttpRequest S3Bucket::Build(const Request& req) {
  const std::string path = path_prefix_ + "/" + UriEncode(req.key, true);
  const std::string query = CanonicalQueryString(req.query);
  const std::string amz_date = FormatAmzDate(opts_.clock());

  HttpRequest out;
  out.method = req.method;
  out.url = scheme_ + "://" + host_ + path + (query.empty() ? "" : "?" + query);
  out.body = req.body;
  out.body_file = req.body_file;
  out.body_file_size = req.body_file_size;

  NameValues headers = req.headers;
  headers.emplace_back("Host", host_);
  headers.emplace_back("x-amz-date", amz_date);
  headers.emplace_back("x-amz-content-sha256", req.payload_sha256);
  if (!anonymous_ && !creds_.session_token.empty()) {
    headers.emplace_back("x-amz-security-token", creds_.session_token);
  }
  if (!anonymous_) {
    SigningInput in;
    in.method = req.method;
    in.canonical_uri = path;
    in.query = req.query;
    in.headers = headers;
    in.payload_hash = req.payload_sha256;
    in.amz_date = amz_date;
    in.region = Region();
    headers.emplace_back("Authorization", SignV4(in, creds_).authorization);
  }
  out.headers = std::move(headers);
  return out;
}

Status S3Bucket::ResponseError(const HttpResponse& resp, const std::string& what) const {
  S3ErrorBody e = ParseErrorBody(resp.body);
  std::string msg = "s3 bucket " + Quote(config_.bucket) + ": " + what + ": HTTP " +
                    std::to_string(resp.status);
  if (!e.code.empty()) msg += " " + e.code;
  if (!e.message.empty()) msg += ": " + e.message;
  if (resp.status == 404 && (e.code.empty() || e.code == "NoSuchKey")) {
    return NotFoundError(msg + (e.code.empty() ? " (object not found)" : ""));
  }
  if (resp.status == 416) return BadData(msg);
  if (resp.status >= 500 || resp.status == 429) return UnavailableError(msg);
  return InternalError(msg);
}

StatusOr<HttpResponse> S3Bucket::Execute(const Request& req, const std::string& what) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  Status last;
  bool region_fixed = false;
  for (int attempt = 1; attempt <= opts_.max_attempts; ++attempt) {
    if (attempt > 1) {
      auto backoff = opts_.backoff_base * (1LL << std::min(attempt - 2, 20));
      backoff = std::min<std::chrono::milliseconds>(backoff, opts_.backoff_max);
      // Jitter in [backoff/2, backoff] keeps many clients from retrying in lockstep.
      std::uniform_int_distribution<int64_t> jitter(backoff.count() / 2, backoff.count());
      std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
    }
    auto resp = http_->Do(Build(req));
    if (!resp.ok()) {
      if (resp.status().code() != StatusCode::kUnavailable) {
        return resp.status().Wrap("s3 bucket " + Quote(config_.bucket) + ": " + what);
      }
      last = resp.status();
    } else {
      if (config_.trace_enable) {
        std::fprintf(stderr, "s3 trace: %s %s%s -> HTTP %ld (attempt %d)\n", req.method.c_str(),
                     host_.c_str(), (path_prefix_ + "/" + req.key).c_str(), resp->status, attempt);
      }
      if (resp->status == 400 && config_.region.empty() && !region_fixed) {
        // No region configured and the server names the right one: adopt it (minio-go looks
        // the bucket location up for the same reason).
        S3ErrorBody e = ParseErrorBody(resp->body);
        if (e.code == "AuthorizationHeaderMalformed" && !e.region.empty() && e.region != Region()) {
          {
            std::lock_guard<std::mutex> lock(region_mu_);
            region_ = e.region;
          }
          region_fixed = true;
          --attempt;  // A corrected request is not a retry.
          continue;
        }
      }
      if (!RetryableStatus(*resp)) return resp;
      last = ResponseError(*resp, what);
      if (attempt == opts_.max_attempts) break;
      continue;
    }
  }
  return Status(StatusCode::kUnavailable,
                "s3 bucket " + Quote(config_.bucket) + ": " + what + ": giving up after " +
                    std::to_string(opts_.max_attempts) + " attempts: " + last.message());
}

Status S3Bucket::Iter(const std::string& dir_in, const IterCallback& f, IterOptions opts) {
  // As Thanos: a non-empty dir always ends with the delimiter, so "a" lists "a/..." and not
  // "ab".
  std::string dir = dir_in;
  if (!dir.empty() && dir.back() != kDirDelim) dir += kDirDelim;
  const std::string what = "list " + Quote(dir);
  const bool v1 = config_.list_objects_version == "v1";
  std::string token;  // v2: continuation token; v1: marker.
  while (true) {
    Request req;
    req.method = "GET";
    req.query = {{"prefix", dir}, {"max-keys", std::to_string(opts_.list_max_keys)}};
    if (!v1) req.query.emplace_back("list-type", "2");
    if (!opts.recursive) req.query.emplace_back("delimiter", std::string(1, kDirDelim));
    if (!token.empty()) req.query.emplace_back(v1 ? "marker" : "continuation-token", token);
    auto resp = Execute(req, what);
    if (!resp.ok()) return resp.status();
    if (resp->status != 200) return ResponseError(*resp, what);
    auto doc = ParseXml(resp->body);
    if (!doc.ok()) return doc.status().Wrap("s3 bucket " + Quote(config_.bucket) + ": " + what);
    if (doc->name != "ListBucketResult") {
      return CorruptError("s3 bucket " + Quote(config_.bucket) + ": " + what +
                          ": expected <ListBucketResult>, got <" + doc->name + ">");
    }
    // One page holds objects and common prefixes in separate lists; merged, they come out in
    // key order, and pages follow each other in key order too.
    std::vector<std::string> names;
    std::string last_seen;  // The greatest key or prefix of the page (v1 marker fallback).
    for (const XmlElement& c : doc->children) {
      std::string n;
      if (c.name == "Contents") {
        n = c.ChildText("Key");
      } else if (c.name == "CommonPrefixes") {
        n = c.ChildText("Prefix");
      } else {
        continue;
      }
      last_seen = std::max(last_seen, n);
      if (!n.empty() && n != dir) names.push_back(std::move(n));
    }
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      if (Status s = f(n); !s.ok()) return s;
    }
    if (doc->ChildText("IsTruncated") != "true") return Status::Ok();
    // v1 servers send NextMarker only with a delimiter; otherwise the last key is the marker.
    std::string next = v1 ? doc->ChildText("NextMarker") : doc->ChildText("NextContinuationToken");
    if (v1 && next.empty()) next = last_seen;
    if (next.empty() || next == token) {
      return CorruptError("s3 bucket " + Quote(config_.bucket) + ": " + what +
                          ": truncated listing without a new " +
                          (v1 ? "marker" : "NextContinuationToken"));
    }
    token = std::move(next);
  }
}

StatusOr<std::string> S3Bucket::Get(const std::string& name) {
  if (name.empty()) return BadData("s3 bucket " + Quote(config_.bucket) + ": get: object name is empty");
  const std::string what = "get object " + Quote(name);
  Request req;
  req.method = "GET";
  req.key = name;
  auto resp = Execute(req, what);
  if (!resp.ok()) return resp.status();
  if (resp->status != 200) return ResponseError(*resp, what);
  return std::move(resp->body);
}

StatusOr<std::string> S3Bucket::GetRange(const std::string& name, int64_t offset, int64_t length) {
  const std::string what = "get range [" + std::to_string(offset) + ", +" + std::to_string(length) +
                           ") of " + Quote(name);
  if (name.empty()) return BadData("s3 bucket " + Quote(config_.bucket) + ": " + what + ": object name is empty");
  if (offset < 0 || length < 0 || length > INT64_MAX - offset) {
    return BadData("s3 bucket " + Quote(config_.bucket) + ": " + what +
                   ": offset and length must be non-negative");
  }
  if (length == 0) {
    // No byte range can express "nothing"; still report a missing object as missing.
    auto attrs = Attributes(name);
    if (!attrs.ok()) return attrs.status();
    return std::string();
  }
  Request req;
  req.method = "GET";
  req.key = name;
  // Always both ends: some servers (s3rver among them) mishandle the other forms.
  req.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" +
                                        std::to_string(offset + length - 1));
  auto resp = Execute(req, what);
  if (!resp.ok()) return resp.status();
  if (resp->status == 206) {
    // "bytes <first>-<last>/<total>": a server that answered another range would silently
    // hand back the wrong bytes, so check where the answer starts.
    const std::string cr = resp->Header("content-range");
    const std::string want = "bytes " + std::to_string(offset) + "-";
    if (!cr.empty() && cr.compare(0, want.size(), want) != 0) {
      return CorruptError("s3 bucket " + Quote(config_.bucket) + ": " + what +
                          ": server answered with Content-Range \"" + cr + "\"");
    }
    if (resp->body.size() > static_cast<uint64_t>(length)) {
      return CorruptError("s3 bucket " + Quote(config_.bucket) + ": " + what + ": server sent " +
                          std::to_string(resp->body.size()) + " bytes");
    }
    return std::move(resp->body);
  }
  if (resp->status == 200) {
    // The server ignored the Range header and sent the whole object: cut the range out.
    const std::string& body = resp->body;
    if (static_cast<uint64_t>(offset) >= body.size()) {
      return BadData("s3 bucket " + Quote(config_.bucket) + ": " + what +
                     ": offset is at or past the end of the object (size " +
                     std::to_string(body.size()) + ")");
    }
    return body.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
  }
  return ResponseError(*resp, what);
}

StatusOr<ObjectAttributes> S3Bucket::Attributes(const std::string& name) {
  const std::string what = "stat object " + Quote(name);
  if (name.empty()) return BadData("s3 bucket " + Quote(config_.bucket) + ": " + what + ": object name is empty");
  Request req;
  req.method = "HEAD";
  req.key = name;
  auto resp = Execute(req, what);
  if (!resp.ok()) return resp.status();
  if (resp->status != 200) return ResponseError(*resp, what);
  ObjectAttributes a;
  std::string len = resp->Header("content-length");
  char* end = nullptr;
  a.size = std::strtoll(len.c_str(), &end, 10);
  if (len.empty() || *end != '\0' || a.size < 0) {
    return CorruptError("s3 bucket " + Quote(config_.bucket) + ": " + what +
                        ": bad Content-Length \"" + len + "\"");
  }
  a.last_modified_ms = ParseHttpDateMs(resp->Header("last-modified"));
  return a;
}

StatusOr<bool> S3Bucket::Exists(const std::string& name) {
  auto a = Attributes(name);
  if (a.ok()) return true;
  if (IsObjNotFound(a.status())) return false;
  return a.status();
}

Status S3Bucket::PutObject(const std::string& name, Request req, int64_t size) {
  const std::string what = "upload object " + Quote(name);
  if (name.empty()) return BadData("s3 bucket " + Quote(config_.bucket) + ": " + what + ": object name is empty");
  if (size > kMaxSinglePutBytes) {
    return BadData("s3 bucket " + Quote(config_.bucket) + ": " + what + ": " + std::to_string(size) +
                   " bytes exceed the 5 GiB single-PUT limit (multipart upload is not implemented)");
  }
  req.method = "PUT";
  req.key = name;
  for (const auto& [k, v] : config_.put_user_metadata) {
    std::string lower = k;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "x-amz-storage-class") {
      req.headers.emplace_back("x-amz-storage-class", v);
    } else {
      req.headers.emplace_back("x-amz-meta-" + k, v);
    }
  }
  auto resp = Execute(req, what);
  if (!resp.ok()) return resp.status();
  if (resp->status != 200) return ResponseError(*resp, what);
  return Status::Ok();
}

Status S3Bucket::Upload(const std::string& name, std::string_view data) {
  Request req;
  req.body = data;
  req.payload_sha256 = Sha256Hex(data);
  if (config_.send_content_md5) req.headers.emplace_back("Content-MD5", Base64Encode(Md5Raw(data)));
  return PutObject(name, std::move(req), static_cast<int64_t>(data.size()));
}

Status S3Bucket::UploadFile(const std::string& name, const std::string& local_path) {
  const std::string what = "upload object " + Quote(name) + " from " + local_path;
  FILE* f = std::fopen(local_path.c_str(), "rb");
  if (f == nullptr) {
    return BadData("s3 bucket " + Quote(config_.bucket) + ": " + what + ": " + std::strerror(errno));
  }
  // Hash first (SigV4 signs the payload hash), then stream the file again for each attempt.
  StreamDigest digest;
  std::vector<char> buf(1 << 20);
  int64_t size = 0;
  while (true) {
    size_t n = std::fread(buf.data(), 1, buf.size(), f);
    if (n == 0) break;
    digest.Update(std::string_view(buf.data(), n));
    size += static_cast<int64_t>(n);
  }
  bool read_error = std::ferror(f) != 0;
  std::fclose(f);
  if (read_error) return InternalError("s3 bucket " + Quote(config_.bucket) + ": " + what + ": read error");
  Request req;
  std::string md5;
  digest.Finish(&req.payload_sha256, &md5);
  if (config_.send_content_md5) req.headers.emplace_back("Content-MD5", md5);
  req.body_file = local_path;
  req.body_file_size = size;
  return PutObject(name, std::move(req), size);
}

Status S3Bucket::Delete(const std::string& name) {
  const std::string what = "delete object " + Quote(name);
  if (name.empty()) return BadData("s3 bucket " + Quote(config_.bucket) + ": " + what + ": object name is empty");
  Request req;
  req.method = "DELETE";
  req.key = name;
  auto resp = Execute(req, what);
  if (!resp.ok()) return resp.status();
  if (resp->status == 204 || resp->status == 200) return Status::Ok();
  Status s = ResponseError(*resp, what);
  if (IsObjNotFound(s)) return Status::Ok();
  return s;
}

}  // namespace meridian::objstore::s3
