#pragma once
// Where S3 keys come from when the config has none, following the minio-go chain Thanos sets
// up: static keys from the config, then the AWS environment variables, then the shared
// credentials file (~/.aws/credentials). Nothing found means anonymous requests. (Thanos's
// last link, the EC2/ECS instance metadata service, is not implemented.)

#include <string>

#include "objstore/s3/sigv4.h"

namespace meridian::objstore::s3 {

struct S3Config;

Credentials ResolveCredentials(const S3Config& config);

// The named profile of an AWS shared credentials file (INI: [profile] then
// aws_access_key_id / aws_secret_access_key / aws_session_token). Empty keys when the file or
// the profile is missing.
Credentials ReadSharedCredentialsFile(const std::string& path, const std::string& profile);

}  // namespace meridian::objstore::s3
