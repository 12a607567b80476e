#include "objstore/s3/credentials.h"

#include <cstdlib>
#include <fstream>

#include "objstore/s3/s3_config.h"

namespace meridian::objstore::s3 {

namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

Credentials ReadSharedCredentialsFile(const std::string& path, const std::string& profile) {
  Credentials c;
  std::ifstream in(path);
  if (!in) return c;
  std::string line;
  bool in_profile = false;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_profile = Trim(line.substr(1, line.size() - 2)) == profile;
      continue;
    }
    if (!in_profile) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = Trim(line.substr(0, eq));
    const std::string value = Trim(line.substr(eq + 1));
    if (key == "aws_access_key_id") c.access_key = value;
    else if (key == "aws_secret_access_key") c.secret_key = value;
    else if (key == "aws_session_token") c.session_token = value;
  }
  return c;
}

Credentials ResolveCredentials(const S3Config& config) {
  if (!config.access_key.empty()) {
    return Credentials{config.access_key, config.secret_key, config.session_token};
  }
  Credentials env;
  env.access_key = Env("AWS_ACCESS_KEY_ID");
  if (env.access_key.empty()) env.access_key = Env("AWS_ACCESS_KEY");
  env.secret_key = Env("AWS_SECRET_ACCESS_KEY");
  if (env.secret_key.empty()) env.secret_key = Env("AWS_SECRET_KEY");
  env.session_token = Env("AWS_SESSION_TOKEN");
  if (!env.access_key.empty() && !env.secret_key.empty()) return env;

  std::string path = Env("AWS_SHARED_CREDENTIALS_FILE");
  if (path.empty()) {
    const std::string home = Env("HOME");
    if (home.empty()) return Credentials{};
    path = home + "/.aws/credentials";
  }
  std::string profile = Env("AWS_PROFILE");
  if (profile.empty()) profile = "default";
  Credentials file = ReadSharedCredentialsFile(path, profile);
  if (!file.access_key.empty() && !file.secret_key.empty()) return file;
  return Credentials{};
}

}  // namespace meridian::objstore::s3
