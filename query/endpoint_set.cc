#include "query/endpoint_set.h"

#include <fstream>
#include <future>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "storeapi/convert.h"
#include "storeapi/remote_store.h"

namespace meridian::query {

StatusOr<std::vector<EndpointSpec>> ParseEndpointConfig(const std::string& yaml) {
  std::vector<EndpointSpec> out;
  try {
    YAML::Node root = YAML::Load(yaml);
    if (!root || root.IsNull()) return out;
    if (!root.IsMap()) return BadData("endpoint config: expected a mapping with an 'endpoints' list");
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      if (key != "endpoints" && key != "default_client_config") {
        return BadData("endpoint config: unknown field \"" + key + "\"");
      }
    }
    YAML::Node list = root["endpoints"];
    if (!list) return out;
    if (!list.IsSequence()) return BadData("endpoint config: 'endpoints' must be a list");
    for (const auto& e : list) {
      if (!e.IsMap() || !e["address"]) return BadData("endpoint config: every endpoint needs an 'address'");
      EndpointSpec spec;
      spec.address = e["address"].as<std::string>();
      if (e["strict"]) spec.strict = e["strict"].as<bool>();
      if (e["group"] && e["group"].as<bool>()) {
        return BadData("endpoint config: endpoint groups are not supported yet (" + spec.address + ")");
      }
      if (spec.address.empty()) return BadData("endpoint config: empty address");
      out.push_back(std::move(spec));
    }
  } catch (const YAML::Exception& e) {
    return BadData(std::string("endpoint config: ") + e.what());
  }
  return out;
}

EndpointSet::EndpointSet(EndpointSetOptions opts) : opts_(std::move(opts)) {
  if (!opts_.dial) {
    opts_.dial = [](const std::string& addr) { return std::make_shared<storeapi::RemoteStore>(addr); };
  }
  std::vector<EndpointSpec> specs;
  for (const auto& a : opts_.static_addresses) specs.push_back({a, false});
  ApplySpecs(specs);
}

EndpointSet::~EndpointSet() {
  {
    std::lock_guard<std::mutex> l(loop_mu_);
    stop_ = true;
  }
  loop_cv_.notify_all();
  if (loop_.joinable()) loop_.join();
}

void EndpointSet::AddLocal(std::shared_ptr<storeapi::Store> store) {
  std::lock_guard<std::mutex> l(mu_);
  Entry e;
  e.store = std::move(store);
  e.local = true;
  e.status.name = e.store->Name();
  entries_[e.status.name] = std::move(e);
}

void EndpointSet::ApplySpecs(const std::vector<EndpointSpec>& specs) {
  std::lock_guard<std::mutex> l(mu_);
  std::set<std::string> wanted;
  for (const auto& s : specs) {
    wanted.insert(s.address);
    auto it = entries_.find(s.address);
    if (it != entries_.end()) {
      it->second.strict = s.strict;
      continue;
    }
    Entry e;
    e.store = opts_.dial(s.address);
    e.strict = s.strict;
    e.status.name = s.address;
    entries_[s.address] = std::move(e);
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    bool keep = it->second.local || wanted.count(it->first) > 0;
    it = keep ? std::next(it) : entries_.erase(it);
  }
}

Status EndpointSet::ReloadConfig() {
  std::string yaml;
  if (!opts_.sd_config.empty()) {
    if (inline_applied_) return Status::Ok();
    inline_applied_ = true;
    yaml = opts_.sd_config;
  } else if (!opts_.sd_config_file.empty()) {
    std::error_code ec;
    auto mtime = std::filesystem::last_write_time(opts_.sd_config_file, ec);
    if (ec) return BadData("endpoint config file " + opts_.sd_config_file + ": " + ec.message());
    if (sd_mtime_ && *sd_mtime_ == mtime) return Status::Ok();
    std::ifstream in(opts_.sd_config_file);
    std::stringstream ss;
    ss << in.rdbuf();
    yaml = ss.str();
    sd_mtime_ = mtime;
  } else {
    return Status::Ok();
  }
  auto specs = ParseEndpointConfig(yaml);
  if (!specs.ok()) return specs.status();
  for (const auto& a : opts_.static_addresses) specs->push_back({a, false});
  ApplySpecs(*specs);
  return Status::Ok();
}

Status EndpointSet::Refresh() {
  Status config = ReloadConfig();
  if (!config.ok()) spdlog::warn("endpoint config not reloaded: {}", config.message());

  std::vector<std::pair<std::string, std::shared_ptr<storeapi::Store>>> targets;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [name, e] : entries_) targets.emplace_back(name, e.store);
  }
  std::vector<std::future<StatusOr<thanos::info::InfoResponse>>> calls;
  for (const auto& [name, store] : targets) {
    calls.push_back(std::async(std::launch::async, [store = store, this] {
      storeapi::CallContext ctx;
      ctx.deadline = std::chrono::steady_clock::now() + opts_.info_timeout;
      if (!opts_.self_instance_id.empty()) ctx.via.push_back(opts_.self_instance_id);
      return store->Info(ctx);
    }));
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    auto info = calls[i].get();
    std::lock_guard<std::mutex> l(mu_);
    auto it = entries_.find(targets[i].first);
    if (it == entries_.end()) continue;  // removed by a concurrent reload
    Entry& e = it->second;
    e.status.last_check = std::chrono::system_clock::now();
    if (!info.ok()) {
      if (e.status.healthy) spdlog::warn("endpoint {} unhealthy: {}", e.status.name, info.status().message());
      e.status.healthy = false;
      e.status.last_error = info.status().message();
      continue;
    }
    StoreEndpoint ep;
    ep.store = e.store;
    for (const auto& set : info->label_sets()) ep.label_sets.push_back(storeapi::LabelsFromProto(set.labels()));
    if (info->has_store()) {
      ep.min_time = info->store().min_time();
      ep.max_time = info->store().max_time();
      ep.supports_without_replica_labels = info->store().supports_without_replica_labels();
    }
    e.status.healthy = info->has_store();
    e.status.last_error = info->has_store() ? "" : "endpoint does not serve the StoreAPI";
    e.status.component_type = info->componenttype();
    e.status.label_sets = ep.label_sets;
    e.status.min_time = ep.min_time;
    e.status.max_time = ep.max_time;
    e.info = std::move(ep);
  }
  return config;
}

void EndpointSet::Start() {
  Refresh();
  loop_ = std::thread([this] {
    std::unique_lock<std::mutex> l(loop_mu_);
    while (!loop_cv_.wait_for(l, opts_.refresh_interval, [this] { return stop_; })) {
      l.unlock();
      Refresh();
      l.lock();
    }
  });
}

std::vector<StoreEndpoint> EndpointSet::Healthy() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<StoreEndpoint> out;
  for (const auto& [name, e] : entries_) {
    if (e.status.healthy && e.info) {
      out.push_back(*e.info);
    } else if (e.strict) {
      // Strict endpoints are queried regardless; without any Info yet, assume everything.
      StoreEndpoint ep = e.info.value_or(StoreEndpoint{});
      ep.store = e.store;
      out.push_back(std::move(ep));
    }
  }
  return out;
}

std::vector<EndpointStatus> EndpointSet::Statuses() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<EndpointStatus> out;
  for (const auto& [name, e] : entries_) out.push_back(e.status);
  return out;
}

}  // namespace meridian::query
