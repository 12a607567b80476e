// The S3 client's HTTP behaviour (retries, timeouts, error mapping, headers) against a small
// scripted HTTP server on loopback. The full protocol against a real S3 server is covered by
// the s3rver integration test.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "objstore/s3/digest.h"
#include "objstore/s3/s3_bucket.h"

namespace meridian::objstore::s3 {
namespace {

class ScriptedServer {
 public:
  ScriptedServer() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScriptedServer() {
    server_.stop();
    thread_.join();
  }
  httplib::Server& server() { return server_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Recomputes the V4 signature of a request from what actually arrived on the wire (request
// target, headers, body), as S3 does. Empty when it matches, else what differs.
std::string VerifySignatureOnWire(const httplib::Request& req, const Credentials& creds) {
  const std::string auth = req.get_header_value("Authorization");
  auto field = [&](const std::string& name) {
    size_t b = auth.find(name + "=");
    if (b == std::string::npos) return std::string();
    b += name.size() + 1;
    size_t e = auth.find(',', b);
    return auth.substr(b, e == std::string::npos ? std::string::npos : e - b);
  };
  const std::string credential = field("Credential");
  const std::string signed_headers = field("SignedHeaders");
  const std::string signature = field("Signature");
  // AK/20130524/us-east-1/s3/aws4_request
  std::vector<std::string> scope;
  for (size_t b = 0, e; b <= credential.size(); b = e + 1) {
    e = credential.find('/', b);
    if (e == std::string::npos) e = credential.size();
    scope.push_back(credential.substr(b, e - b));
  }
  if (scope.size() != 5 || scope[0] != creds.access_key) return "bad credential scope: " + credential;

  SigningInput in;
  in.method = req.method;
  const size_t q = req.target.find('?');
  in.canonical_uri = req.target.substr(0, q);
  if (q != std::string::npos) {
    const std::string query = req.target.substr(q + 1);
    for (size_t b = 0, e; b < query.size(); b = e + 1) {
      e = query.find('&', b);
      if (e == std::string::npos) e = query.size();
      std::string kv = query.substr(b, e - b);
      size_t eq = kv.find('=');
      in.query.emplace_back(PercentDecode(kv.substr(0, eq)),
                            eq == std::string::npos ? "" : PercentDecode(kv.substr(eq + 1)));
    }
  }
  for (size_t b = 0, e; b < signed_headers.size(); b = e + 1) {
    e = signed_headers.find(';', b);
    if (e == std::string::npos) e = signed_headers.size();
    std::string name = signed_headers.substr(b, e - b);
    if (!req.has_header(name.c_str())) return "signed header missing on the wire: " + name;
    in.headers.emplace_back(name, req.get_header_value(name.c_str()));
  }
  in.payload_hash = req.get_header_value("x-amz-content-sha256");
  if (in.payload_hash != Sha256Hex(req.body)) return "payload hash does not match the body";
  in.amz_date = req.get_header_value("x-amz-date");
  in.region = scope[2];
  in.service = scope[3];
  SignedRequest want = SignV4(in, creds);
  if (want.signature != signature) return "signature mismatch; canonical request:\n" + want.canonical_request;
  return "";
}

S3Config ConfigFor(const std::string& endpoint) {
  S3Config c;
  c.bucket = "blocks";
  c.endpoint = endpoint;
  c.insecure = true;
  c.access_key = "AK";
  c.secret_key = "SK";
  c.bucket_lookup_type = BucketLookup::kPath;
  return c;
}

S3BucketOptions FastRetries(int attempts) {
  S3BucketOptions o;
  o.max_attempts = attempts;
  o.backoff_base = std::chrono::milliseconds(5);
  o.backoff_max = std::chrono::milliseconds(20);
  return o;
}

std::unique_ptr<S3Bucket> MakeBucket(const S3Config& c, S3BucketOptions o) {
  auto b = S3Bucket::Create(c, std::move(o));
  EXPECT_TRUE(b.ok()) << b.status().message();
  return b.ok() ? std::move(*b) : nullptr;
}

TEST(S3Http, RetriesServerErrorsThenSucceeds) {
  ScriptedServer srv;
  std::atomic<int> calls{0};
  srv.server().Get("/blocks/dir/obj", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls <= 2) {
      res.status = 500;
      res.set_content("<Error><Code>InternalError</Code><Message>oops</Message></Error>", "application/xml");
      return;
    }
    res.set_content("hello", "application/octet-stream");
  });
  auto b = MakeBucket(ConfigFor(srv.endpoint()), FastRetries(5));
  auto got = b->Get("dir/obj");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, "hello");
  EXPECT_EQ(calls.load(), 3);
}

TEST(S3Http, GivesUpAfterBoundedAttemptsWithAClearError) {
  ScriptedServer srv;
  std::atomic<int> calls{0};
  srv.server().Get("/blocks/obj", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 503;
    res.set_content("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
                    "application/xml");
  });
  auto b = MakeBucket(ConfigFor(srv.endpoint()), FastRetries(3));
  auto got = b->Get("obj");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  const std::string& m = got.status().message();
  EXPECT_NE(m.find("\"blocks\""), std::string::npos) << m;
  EXPECT_NE(m.find("\"obj\""), std::string::npos) << m;
  EXPECT_NE(m.find("HTTP 503 SlowDown"), std::string::npos) << m;
  EXPECT_NE(m.find("giving up after 3 attempts"), std::string::npos) << m;
}

TEST(S3Http, NotFoundAndClientErrorsAreNotRetried) {
  ScriptedServer srv;
  std::atomic<int> calls{0};
  srv.server().Get("/blocks/missing", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 404;
    res.set_content("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
                    "application/xml");
  });
  srv.server().Get("/blocks/secret", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 403;
    res.set_content("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", "application/xml");
  });
  auto b = MakeBucket(ConfigFor(srv.endpoint()), FastRetries(4));
  auto got = b->Get("missing");
  EXPECT_TRUE(IsObjNotFound(got.status())) << got.status().message();
  EXPECT_EQ(calls.load(), 1);
  auto denied = b->Get("secret");
  EXPECT_EQ(denied.status().code(), StatusCode::kInternal);
  EXPECT_NE(denied.status().message().find("HTTP 403 AccessDenied: Access Denied"), std::string::npos)
      << denied.status().message();
  EXPECT_EQ(calls.load(), 2);
  // HEAD answers carry no body: a bare 404 still means "no such object".
  auto exists = b->Exists("missing");
  ASSERT_TRUE(exists.ok()) << exists.status().message();
  EXPECT_FALSE(*exists);
}

TEST(S3Http, ConnectionRefusedIsRetriedThenUnavailable) {
  std::string endpoint;
  {
    ScriptedServer srv;  // Take a free port, then close it so nothing listens there.
    endpoint = srv.endpoint();
  }
  auto b = MakeBucket(ConfigFor(endpoint), FastRetries(3));
  auto start = std::chrono::steady_clock::now();
  auto got = b->Get("obj");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(got.status().message().find("giving up after 3 attempts"), std::string::npos)
      << got.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(S3Http, StalledServerTimesOut) {
  ScriptedServer srv;
  srv.server().Get("/blocks/slow", [&](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3500));
    res.set_content("late", "text/plain");
  });
  S3BucketOptions o = FastRetries(1);
  o.stall_timeout_ms = 1000;
  auto b = MakeBucket(ConfigFor(srv.endpoint()), o);
  auto got = b->Get("slow");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(got.status().message().find("timed out"), std::string::npos) << got.status().message();
}

TEST(S3Http, SendsExplicitRangeAndCopesWithServersThatIgnoreIt) {
  ScriptedServer srv;
  std::string range_seen;
  srv.server().Get("/blocks/obj", [&](const httplib::Request& req, httplib::Response& res) {
    range_seen = req.get_header_value("Range");
    // httplib would apply the range itself; drop its parsed ranges so that this server
    // behaves like one without range support and answers 200 with the whole object.
    const_cast<httplib::Request&>(req).ranges.clear();
    res.status = 200;
    res.set_content("0123456789", "application/octet-stream");
  });
  auto b = MakeBucket(ConfigFor(srv.endpoint()), FastRetries(1));
  auto got = b->GetRange("obj", 3, 4);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, "3456");
  EXPECT_EQ(range_seen, "bytes=3-6");
  EXPECT_EQ(b->GetRange("obj", 10, 1).status().code(), StatusCode::kBadData);
}

TEST(S3Http, RejectsAPartialAnswerForAnotherRange) {
  ScriptedServer srv;
  srv.server().Get("/blocks/obj", [&](const httplib::Request& req, httplib::Response& res) {
    const_cast<httplib::Request&>(req).ranges.clear();
    res.status = 206;
    res.set_header("Content-Range", "bytes 0-3/10");
    res.set_content("0123", "application/octet-stream");
  });
  auto b = MakeBucket(ConfigFor(srv.endpoint()), FastRetries(1));
  auto got = b->GetRange("obj", 4, 4);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(got.status().message().find("Content-Range \"bytes 0-3/10\""), std::string::npos)
      << got.status().message();
}

TEST(S3Http, PutCarriesPayloadHashMd5AndMetadata) {
  ScriptedServer srv;
  httplib::Headers seen;
  std::string body_seen;
  srv.server().Put("/blocks/dir/a%20b", [&](const httplib::Request& req, httplib::Response& res) {
    seen = req.headers;
    body_seen = req.body;
    res.status = 200;
  });
  // httplib matches the decoded path; register that too.
  srv.server().Put("/blocks/dir/a b", [&](const httplib::Request& req, httplib::Response& res) {
    seen = req.headers;
    body_seen = req.body;
    res.status = 200;
  });
  S3Config c = ConfigFor(srv.endpoint());
  c.put_user_metadata = {{"team", "obs"}, {"X-Amz-Storage-Class", "STANDARD_IA"}};
  auto b = MakeBucket(c, FastRetries(1));
  Status s = b->Upload("dir/a b", "payload");
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(body_seen, "payload");
  auto header = [&](const char* name) {
    auto it = seen.find(name);
    return it == seen.end() ? std::string("<none>") : it->second;
  };
  EXPECT_EQ(header("x-amz-content-sha256"), Sha256Hex("payload"));
  EXPECT_EQ(header("Content-MD5"), Base64Encode(Md5Raw("payload")));
  EXPECT_EQ(header("x-amz-meta-team"), "obs");
  EXPECT_EQ(header("x-amz-storage-class"), "STANDARD_IA");
  EXPECT_NE(header("Authorization").find("AWS4-HMAC-SHA256 Credential=AK/"), std::string::npos);
  EXPECT_NE(header("Authorization").find("x-amz-meta-team"), std::string::npos);
  EXPECT_EQ(header("Expect"), "<none>");
}

TEST(S3Http, SignaturesHoldForWhatIsActuallySent) {
  ScriptedServer srv;
  const Credentials creds{"AK", "SK", ""};
  std::vector<std::string> problems;
  std::atomic<int> requests{0};
  auto check = [&](const httplib::Request& req, httplib::Response& res) {
    ++requests;
    std::string why = VerifySignatureOnWire(req, creds);
    if (!why.empty()) problems.push_back(req.method + " " + req.target + ": " + why);
    if (req.method == "PUT") {
      res.status = 200;
    } else if (req.path == "/blocks/") {
      // Two pages, so the continuation token (with characters that need encoding) is sent.
      if (req.has_param("continuation-token")) {
        res.set_content("<ListBucketResult><IsTruncated>false</IsTruncated>"
                        "<Contents><Key>dir x/b</Key></Contents></ListBucketResult>", "application/xml");
      } else {
        res.set_content("<ListBucketResult><IsTruncated>true</IsTruncated>"
                        "<NextContinuationToken>a+b/c=d e</NextContinuationToken>"
                        "<Contents><Key>dir x/a</Key></Contents></ListBucketResult>", "application/xml");
      }
    } else {
      res.set_content("content", "application/octet-stream");
    }
  };
  srv.server().Get(".*", check);
  srv.server().Put(".*", check);
  auto b = MakeBucket(ConfigFor(srv.endpoint()), FastRetries(1));
  const std::string key = "dir x/we!rd $key+(1)*='~;,";
  ASSERT_TRUE(b->Upload(key, "body bytes").ok());
  ASSERT_TRUE(b->Get(key).ok());
  ASSERT_TRUE(b->GetRange(key, 2, 3).ok());
  ASSERT_TRUE(b->Exists(key).ok());
  std::vector<std::string> names;
  ASSERT_TRUE(b->Iter("dir x", [&](const std::string& n) {
    names.push_back(n);
    return Status::Ok();
  }, IterOptions{true}).ok());
  EXPECT_EQ(names, (std::vector<std::string>{"dir x/a", "dir x/b"}));
  EXPECT_EQ(requests.load(), 6);
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(S3Http, VirtualHostedAddressingPutsTheBucketInTheHostName) {
  ScriptedServer srv;
  std::string host_seen, path_seen;
  srv.server().Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
    host_seen = req.get_header_value("Host");
    path_seen = req.path;
    res.set_content("v", "text/plain");
  });
  // curl resolves every *.localhost name to loopback without asking DNS.
  S3Config c = ConfigFor("localhost:" + srv.endpoint().substr(srv.endpoint().find(':') + 1));
  c.bucket_lookup_type = BucketLookup::kVirtualHosted;
  auto b = MakeBucket(c, FastRetries(1));
  auto got = b->Get("dir/obj");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(host_seen, "blocks." + c.endpoint);
  EXPECT_EQ(path_seen, "/dir/obj");
}

TEST(S3Http, AdoptsTheRegionTheServerNamesWhenNoneIsConfigured) {
  ScriptedServer srv;
  std::atomic<int> calls{0};
  srv.server().Get("/blocks/obj", [&](const httplib::Request& req, httplib::Response& res) {
    ++calls;
    if (req.get_header_value("Authorization").find("/eu-west-1/s3/") == std::string::npos) {
      res.status = 400;
      res.set_content("<Error><Code>AuthorizationHeaderMalformed</Code><Message>wrong region</Message>"
                      "<Region>eu-west-1</Region></Error>", "application/xml");
      return;
    }
    res.set_content("ok", "text/plain");
  });
  auto b = MakeBucket(ConfigFor(srv.endpoint()), FastRetries(1));
  auto got = b->Get("obj");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(calls.load(), 2);
  ASSERT_TRUE(b->Get("obj").ok());
  EXPECT_EQ(calls.load(), 3);  // Remembered.
}

TEST(S3Http, AnonymousWithoutCredentials) {
  ScriptedServer srv;
  std::string auth = "unset";
  srv.server().Get("/blocks/pub", [&](const httplib::Request& req, httplib::Response& res) {
    auth = req.get_header_value("Authorization");
    res.set_content("p", "text/plain");
  });
  for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"}) {
    ::unsetenv(v);
  }
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/meridian/credentials", 1);
  S3Config c = ConfigFor(srv.endpoint());
  c.access_key.clear();
  c.secret_key.clear();
  auto b = MakeBucket(c, FastRetries(1));
  ASSERT_TRUE(b->Get("pub").ok());
  ::unsetenv("AWS_SHARED_CREDENTIALS_FILE");
  EXPECT_EQ(auth, "");
}

TEST(S3Http, TruncatedListingWithoutTokenIsAnError) {
  ScriptedServer srv;
  srv.server().Get("/blocks/", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key></Contents>"
                    "</ListBucketResult>", "application/xml");
  });
  auto b = MakeBucket(ConfigFor(srv.endpoint()), FastRetries(1));
  std::vector<std::string> names;
  Status s = b->Iter("", [&](const std::string& n) {
    names.push_back(n);
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kCorrupt) << s.message();
  EXPECT_EQ(names, std::vector<std::string>{"a"});
}

TEST(S3Http, BadInputIsRejectedBeforeAnyRequest) {
  auto b = MakeBucket(ConfigFor("127.0.0.1:9"), FastRetries(1));
  EXPECT_EQ(b->Get("").status().code(), StatusCode::kBadData);
  EXPECT_EQ(b->GetRange("x", -1, 2).status().code(), StatusCode::kBadData);
  EXPECT_EQ(b->GetRange("x", 1, -2).status().code(), StatusCode::kBadData);
  EXPECT_EQ(b->GetRange("x", INT64_MAX, 2).status().code(), StatusCode::kBadData);
  EXPECT_EQ(b->UploadFile("x", "/no/such/file").code(), StatusCode::kBadData);
  S3BucketOptions o;
  o.max_attempts = 0;
  EXPECT_FALSE(S3Bucket::Create(ConfigFor("127.0.0.1:9"), o).ok());
}

}  // namespace
}  // namespace meridian::objstore::s3
