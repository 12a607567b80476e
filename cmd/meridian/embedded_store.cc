#include "cmd/meridian/embedded_store.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "objstore/config.h"
#include "storeapi/gateway/bucket_store.h"

namespace meridian::cli {

namespace {

// How often the embedded store looks for new and deleted blocks.
constexpr std::chrono::minutes kSyncInterval{1};

class BucketEmbeddedStore : public EmbeddedStore {
 public:
  explicit BucketEmbeddedStore(std::shared_ptr<storeapi::gateway::BucketStore> store) : store_(std::move(store)) {
    loop_ = std::thread([this] {
      std::unique_lock<std::mutex> l(mu_);
      while (!cv_.wait_for(l, kSyncInterval, [this] { return stop_; })) {
        l.unlock();
        if (Status s = store_->Sync(); !s.ok()) spdlog::warn("embedded store sync: {}", s.message());
        l.lock();
      }
    });
  }
  ~BucketEmbeddedStore() override {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    loop_.join();
  }
  std::shared_ptr<storeapi::Store> store() override { return store_; }

 private:
  std::shared_ptr<storeapi::gateway::BucketStore> store_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread loop_;
};

}  // namespace

StatusOr<std::shared_ptr<EmbeddedStore>> StartEmbeddedStore(const std::string& config_file,
                                                            const std::string& config_yaml,
                                                            const std::string& data_dir) {
  auto yaml = objstore::ResolveObjstoreConfig(config_file, config_yaml);
  if (!yaml.ok()) return yaml.status();
  auto bucket = objstore::NewBucketFromConfig(*yaml);
  if (!bucket.ok()) return bucket.status();
  storeapi::gateway::BucketStoreOptions opts;
  opts.name = "embedded-bucket-store";
  opts.data_dir = data_dir;
  auto store = storeapi::gateway::BucketStore::New(std::shared_ptr<objstore::Bucket>(std::move(*bucket)), opts);
  if (!store.ok()) return store.status();
  if (Status s = (*store)->Sync(); !s.ok()) return s.Wrap("first sync of the bucket");
  return std::shared_ptr<EmbeddedStore>(std::make_shared<BucketEmbeddedStore>(std::move(*store)));
}

}  // namespace meridian::cli
