#include "objstore/filesystem/filesystem_bucket.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "objstore/object_name.h"
#include "tests/objstore/temp_dir.h"

namespace meridian::objstore {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::vector<std::string> List(Bucket& b, const std::string& dir, bool recursive = false) {
  std::vector<std::string> out;
  Status s = b.Iter(dir, [&](const std::string& n) {
    out.push_back(n);
    return Status::Ok();
  }, IterOptions{recursive});
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

class FilesystemBucketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    root_ = tmp_.path() + "/bucket";
    auto b = FilesystemBucket::Open(root_);
    ASSERT_TRUE(b.ok()) << b.status().message();
    bucket_ = std::move(*b);
  }
  void Put(const std::string& name, const std::string& data) {
    Status s = bucket_->Upload(name, data);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  TempDir tmp_;
  std::string root_;
  std::unique_ptr<FilesystemBucket> bucket_;
};

TEST_F(FilesystemBucketTest, UploadThenReadBack) {
  Put("01ABC/meta.json", "{\"version\":1}");
  auto got = bucket_->Get("01ABC/meta.json");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, "{\"version\":1}");
  EXPECT_TRUE(fs::is_regular_file(root_ + "/01ABC/meta.json"));

  auto attrs = bucket_->Attributes("01ABC/meta.json");
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->size, 13);
  EXPECT_GT(attrs->last_modified_ms, 1600000000000);
  EXPECT_EQ(*bucket_->Size("01ABC/meta.json"), 13);
  EXPECT_TRUE(*bucket_->Exists("01ABC/meta.json"));
  EXPECT_FALSE(*bucket_->Exists("01ABC"));  // A directory is not an object.
  EXPECT_FALSE(*bucket_->Exists("nope"));

  Put("01ABC/meta.json", "v2");  // Replace.
  EXPECT_EQ(*bucket_->Get("01ABC/meta.json"), "v2");
  Put("empty", "");
  EXPECT_EQ(*bucket_->Get("empty"), "");
}

TEST_F(FilesystemBucketTest, GetRange) {
  Put("chunks/000001", "0123456789");
  EXPECT_EQ(*bucket_->GetRange("chunks/000001", 0, 3), "012");
  EXPECT_EQ(*bucket_->GetRange("chunks/000001", 7, 3), "789");
  EXPECT_EQ(*bucket_->GetRange("chunks/000001", 8, 100), "89");  // Short at the end.
  EXPECT_EQ(*bucket_->GetRange("chunks/000001", 4, 0), "");
  auto past = bucket_->GetRange("chunks/000001", 10, 1);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), StatusCode::kBadData);
  EXPECT_NE(past.status().message().find("size 10"), std::string::npos);
  EXPECT_EQ(bucket_->GetRange("chunks/000001", -1, 1).status().code(), StatusCode::kBadData);
  EXPECT_EQ(bucket_->GetRange("chunks/000001", 0, -1).status().code(), StatusCode::kBadData);
}

TEST_F(FilesystemBucketTest, MissingObjectsAreNotFound) {
  Put("dir/x", "1");
  EXPECT_TRUE(IsObjNotFound(bucket_->Get("missing").status()));
  EXPECT_TRUE(IsObjNotFound(bucket_->GetRange("missing", 0, 1).status()));
  EXPECT_TRUE(IsObjNotFound(bucket_->Attributes("missing").status()));
  EXPECT_TRUE(IsObjNotFound(bucket_->Get("dir").status()));       // directory
  EXPECT_TRUE(IsObjNotFound(bucket_->Get("dir/x/y").status()));   // under a file
  auto s = bucket_->Get("missing").status();
  EXPECT_NE(s.message().find(root_), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("missing"), std::string::npos) << s.message();
}

TEST_F(FilesystemBucketTest, IterReportsDirectoriesWithTrailingSlash) {
  Put("a/meta.json", "1");
  Put("a/chunks/000001", "1");
  Put("a/chunks/000002", "1");
  Put("b/index", "1");
  Put("top", "1");
  fs::create_directories(root_ + "/emptydir");
  fs::create_directories(root_ + "/a/empty");

  EXPECT_EQ(List(*bucket_, ""), (std::vector<std::string>{"a/", "b/", "top"}));
  EXPECT_EQ(List(*bucket_, "a"), (std::vector<std::string>{"a/chunks/", "a/meta.json"}));
  EXPECT_EQ(List(*bucket_, "a/"), (std::vector<std::string>{"a/chunks/", "a/meta.json"}));
  EXPECT_EQ(List(*bucket_, "", true),
            (std::vector<std::string>{"a/chunks/000001", "a/chunks/000002", "a/meta.json",
                                      "b/index", "top"}));
  EXPECT_EQ(List(*bucket_, "a/chunks", true),
            (std::vector<std::string>{"a/chunks/000001", "a/chunks/000002"}));
  EXPECT_TRUE(List(*bucket_, "nothing-here").empty());
  EXPECT_TRUE(List(*bucket_, "top").empty());  // An object is not a directory.
}

TEST_F(FilesystemBucketTest, IterOnMissingRootIsEmpty) {
  EXPECT_TRUE(List(*bucket_, "").empty());
}

TEST_F(FilesystemBucketTest, IterStopsOnCallbackError) {
  Put("a", "1");
  Put("b", "1");
  int calls = 0;
  Status s = bucket_->Iter("", [&](const std::string&) {
    ++calls;
    return ExecutionError("stop here");
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.code(), StatusCode::kExecution);
  EXPECT_EQ(s.message(), "stop here");
}

TEST_F(FilesystemBucketTest, DeleteRemovesEmptyParentsButNotRoot) {
  Put("blk/chunks/000001", "1");
  Put("blk/index", "1");
  ASSERT_TRUE(bucket_->Delete("blk/chunks/000001").ok());
  EXPECT_FALSE(fs::exists(root_ + "/blk/chunks"));  // Left empty, so removed.
  EXPECT_TRUE(fs::exists(root_ + "/blk/index"));
  ASSERT_TRUE(bucket_->Delete("blk/index").ok());
  EXPECT_FALSE(fs::exists(root_ + "/blk"));
  EXPECT_TRUE(fs::exists(root_));  // The bucket directory itself stays.
  EXPECT_TRUE(List(*bucket_, "").empty());
  EXPECT_TRUE(bucket_->Delete("never-existed").ok());
}

TEST_F(FilesystemBucketTest, DeleteOfADirectoryNameRemovesItsContent) {
  // Thanos's filesystem Delete removes everything under the name.
  Put("blk/chunks/000001", "1");
  Put("blk/meta.json", "1");
  Put("other", "1");
  ASSERT_TRUE(bucket_->Delete("blk").ok());
  EXPECT_EQ(List(*bucket_, "", true), (std::vector<std::string>{"other"}));
}

TEST_F(FilesystemBucketTest, PathTraversalIsRejected) {
  fs::create_directories(tmp_.path() + "/outside");
  std::ofstream(tmp_.path() + "/outside/secret") << "s";
  for (const std::string name : {"../outside/secret", "a/../../outside/secret", "..", "a/.."}) {
    EXPECT_EQ(bucket_->Get(name).status().code(), StatusCode::kBadData) << name;
    EXPECT_EQ(bucket_->Upload(name, "x").code(), StatusCode::kBadData) << name;
    EXPECT_EQ(bucket_->Delete(name).code(), StatusCode::kBadData) << name;
    EXPECT_EQ(bucket_->Exists(name).status().code(), StatusCode::kBadData) << name;
    EXPECT_EQ(bucket_->Iter(name, [](const std::string&) { return Status::Ok(); }).code(),
              StatusCode::kBadData)
        << name;
  }
  EXPECT_TRUE(fs::exists(tmp_.path() + "/outside/secret"));
  EXPECT_EQ(bucket_->Get("").status().code(), StatusCode::kBadData);
  EXPECT_EQ(bucket_->Delete("").code(), StatusCode::kBadData);
  EXPECT_EQ(bucket_->Delete("/").code(), StatusCode::kBadData);
  EXPECT_TRUE(fs::exists(tmp_.path()));
}

TEST_F(FilesystemBucketTest, UploadIsAtomicAndLeavesNoTempFiles) {
  Put("x/obj", std::string(1 << 20, 'a'));
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i) {
    writers.emplace_back([&, i] {
      for (int j = 0; j < 20; ++j) {
        EXPECT_TRUE(bucket_->Upload("x/obj", std::string(1 << 20, static_cast<char>('b' + i))).ok());
      }
    });
  }
  // Every read sees one complete version, never a mix or a truncated file.
  for (int j = 0; j < 50; ++j) {
    auto got = bucket_->Get("x/obj");
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 1u << 20);
    EXPECT_EQ(got->find_first_not_of((*got)[0]), std::string::npos);
  }
  for (auto& t : writers) t.join();
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(FilesystemBucketTest, TempFilesAreHiddenAndTheirNamesReserved) {
  Put("d/a", "1");
  std::ofstream(root_ + "/d/" + std::string(FilesystemBucket::kTempPrefix) + "123") << "partial";
  EXPECT_EQ(List(*bucket_, "d"), (std::vector<std::string>{"d/a"}));
  EXPECT_EQ(bucket_->Upload("d/" + std::string(FilesystemBucket::kTempPrefix) + "x", "1").code(),
            StatusCode::kBadData);
}

TEST_F(FilesystemBucketTest, UploadFileStreamsAFile) {
  const std::string src = tmp_.path() + "/src.bin";
  std::string content;
  for (int i = 0; i < 3 * (1 << 20) + 17; ++i) content += static_cast<char>(i * 7);
  std::ofstream(src, std::ios::binary) << content;
  ASSERT_TRUE(bucket_->UploadFile("blk/chunks/000001", src).ok());
  EXPECT_EQ(*bucket_->Get("blk/chunks/000001"), content);
  EXPECT_EQ(*bucket_->GetRange("blk/chunks/000001", 3 << 20, 100), content.substr(3 << 20));
  EXPECT_EQ(bucket_->UploadFile("y", tmp_.path() + "/no-such-file").code(), StatusCode::kBadData);
  EXPECT_FALSE(*bucket_->Exists("y"));
}

TEST_F(FilesystemBucketTest, NamesAreNormalised) {
  Put("a//b/./c", "1");
  EXPECT_EQ(*bucket_->Get("a/b/c"), "1");
  EXPECT_EQ(List(*bucket_, "", true), (std::vector<std::string>{"a/b/c"}));
}

TEST(FilesystemBucketOpen, NameAndErrors) {
  auto b = FilesystemBucket::Open("relative/dir/");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->Name(), "fs: " + (fs::current_path() / "relative/dir").string());
  EXPECT_EQ(FilesystemBucket::Open("").status().code(), StatusCode::kBadData);
}

TEST(ObjectName, Clean) {
  EXPECT_EQ(*CleanObjectName("a/b"), "a/b");
  EXPECT_EQ(*CleanObjectName("/a//b/"), "a/b");
  EXPECT_EQ(*CleanObjectName("./a/./b"), "a/b");
  EXPECT_EQ(*CleanObjectName(""), "");
  EXPECT_EQ(*CleanObjectName("a..b/..c"), "a..b/..c");  // Dots inside a segment are fine.
  EXPECT_FALSE(CleanObjectName("a/../b").ok());
  EXPECT_FALSE(CleanObjectName("..").ok());
  EXPECT_FALSE(CleanObjectName(std::string("a\0b", 3)).ok());
}

}  // namespace
}  // namespace meridian::objstore
