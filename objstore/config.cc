#include "objstore/config.h"

#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "objstore/filesystem/filesystem_bucket.h"
#include "objstore/prefixed_bucket.h"
#include "objstore/s3/s3_bucket.h"
#include "objstore/s3/s3_config.h"
#include "objstore/yaml_fields.h"

namespace meridian::objstore {

namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

StatusOr<std::unique_ptr<Bucket>> NewFilesystemBucket(const YAML::Node& config) {
  // Thanos decodes this provider's config leniently (yaml.Unmarshal): unknown keys are ignored.
  StrictFields f(config, "filesystem.Config", /*strict=*/false);
  if (Status s = f.Check({"directory"}); !s.ok()) return s;
  std::string dir;
  if (Status s = f.String("directory", &dir); !s.ok()) return s;
  auto b = FilesystemBucket::Open(dir);
  if (!b.ok()) return b.status();
  return std::unique_ptr<Bucket>(std::move(*b));
}

StatusOr<std::unique_ptr<Bucket>> NewS3Bucket(const YAML::Node& config) {
  auto c = s3::ParseS3Config(config);
  if (!c.ok()) return c.status();
  auto b = s3::S3Bucket::Create(*c);
  if (!b.ok()) return b.status();
  return std::unique_ptr<Bucket>(std::move(*b));
}

}  // namespace

StatusOr<std::unique_ptr<Bucket>> NewBucketFromConfig(const std::string& yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return BadData("parsing config YAML file: " + std::string(e.what()));
  }
  try {
    StrictFields top(root, "client.BucketConfig");
    if (Status s = top.Check({"type", "config", "prefix"}); !s.ok()) {
      return s.Wrap("parsing config YAML file");
    }
    std::string type, prefix;
    if (Status s = top.String("type", &type); !s.ok()) return s.Wrap("parsing config YAML file");
    if (Status s = top.String("prefix", &prefix); !s.ok()) return s.Wrap("parsing config YAML file");
    const YAML::Node config = top.Sub("config");

    StatusOr<std::unique_ptr<Bucket>> bucket = Status(StatusCode::kInternal, "unset");
    const std::string upper = Upper(type);
    if (upper == "FILESYSTEM") {
      bucket = NewFilesystemBucket(config);
    } else if (upper == "S3") {
      bucket = NewS3Bucket(config);
    } else if (upper == "GCS" || upper == "AZURE" || upper == "SWIFT" || upper == "COS" ||
               upper == "ALIYUNOSS" || upper == "BOS" || upper == "OCI" || upper == "OBS") {
      return BadData("bucket with type " + type +
                     " is not supported by Meridian (supported: FILESYSTEM, S3)");
    } else {
      return BadData("bucket with type " + type + " is not supported");
    }
    if (!bucket.ok()) return bucket.status().Wrap("create " + type + " client");
    return PrefixedBucket::WrapWithPrefix(std::move(*bucket), prefix);
  } catch (const YAML::Exception& e) {
    // yaml-cpp can throw on malformed nodes while walking them; keep it inside the module.
    return BadData("parsing config YAML file: " + std::string(e.what()));
  }
}

StatusOr<std::string> ResolveObjstoreConfig(const std::string& config_file,
                                            const std::string& config_inline) {
  if (!config_file.empty() && !config_inline.empty()) {
    return BadData("both --objstore.config-file and --objstore.config flags set.");
  }
  if (config_inline.empty() && config_file.empty()) return std::string();
  if (!config_inline.empty()) return config_inline;
  std::ifstream in(config_file, std::ios::binary);
  if (!in) return BadData("could not read objstore config file " + config_file);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return BadData("could not read objstore config file " + config_file);
  return ss.str();
}

}  // namespace meridian::objstore
