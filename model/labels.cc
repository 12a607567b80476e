#include "model/labels.h"

#include <algorithm>
#include <xxhash.h>

#include "model/strings.h"

namespace meridian {

namespace {
constexpr char kSep = '\xff';

void Append(std::string& buf, const Label& l) {
  buf.append(l.name);
  buf.push_back(kSep);
  buf.append(l.value);
  buf.push_back(kSep);
}

uint64_t HashBuffer(const std::string& buf) { return XXH64(buf.data(), buf.size(), 0); }

bool Contains(const std::vector<std::string>& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}
}  // namespace

Labels::Labels(std::initializer_list<Label> labels) : Labels(FromUnsorted(labels)) {}

Labels Labels::FromUnsorted(std::vector<Label> labels) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  // Keep the last of duplicate names: later assignments win.
  std::vector<Label> out;
  out.reserve(labels.size());
  for (auto& l : labels) {
    if (!out.empty() && out.back().name == l.name) {
      out.back() = std::move(l);
    } else {
      out.push_back(std::move(l));
    }
  }
  Labels r;
  r.labels_ = std::move(out);
  return r;
}

Labels Labels::FromSorted(std::vector<Label> labels) {
  Labels r;
  r.labels_ = std::move(labels);
  return r;
}

std::string_view Labels::Get(std::string_view name) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels_.end() && it->name == name) return it->value;
  return {};
}

bool Labels::Has(std::string_view name) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  return it != labels_.end() && it->name == name;
}

uint64_t Labels::Hash() const {
  std::string buf;
  for (const auto& l : labels_) Append(buf, l);
  return HashBuffer(buf);
}

uint64_t Labels::HashForLabels(const std::vector<std::string>& names) const {
  std::string buf;
  for (const auto& l : labels_) {
    if (Contains(names, l.name)) Append(buf, l);
  }
  return HashBuffer(buf);
}

uint64_t Labels::HashWithoutLabels(const std::vector<std::string>& names) const {
  std::string buf;
  for (const auto& l : labels_) {
    if (l.name == kMetricName || Contains(names, l.name)) continue;
    Append(buf, l);
  }
  return HashBuffer(buf);
}

Labels Labels::With(std::string_view name, std::string_view value) const {
  return LabelsBuilder(*this).Set(name, value).Build();
}

Labels Labels::Without(std::string_view name) const {
  Labels r;
  r.labels_.reserve(labels_.size());
  for (const auto& l : labels_) {
    if (l.name != name) r.labels_.push_back(l);
  }
  return r;
}

Labels Labels::WithoutNames(const std::vector<std::string>& names) const {
  Labels r;
  for (const auto& l : labels_) {
    if (!Contains(names, l.name)) r.labels_.push_back(l);
  }
  return r;
}

Labels Labels::KeepOnly(const std::vector<std::string>& names) const {
  Labels r;
  for (const auto& l : labels_) {
    if (Contains(names, l.name)) r.labels_.push_back(l);
  }
  return r;
}

std::string Labels::ToString() const {
  std::string out;
  std::string_view metric = MetricName();
  out.append(metric);
  bool first = true;
  out.push_back('{');
  for (const auto& l : labels_) {
    if (l.name == kMetricName) continue;
    if (!first) out.append(", ");
    first = false;
    if (IsValidLegacyLabelName(l.name)) {
      out.append(l.name);
    } else {
      out.append(GoQuote(l.name));
    }
    out.push_back('=');
    out.append(GoQuote(l.value));
  }
  out.push_back('}');
  if (!metric.empty() && first) out.resize(out.size() - 2);
  return out;
}

int Compare(const Labels& a, const Labels& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = a[i].name.compare(b[i].name); c != 0) return c < 0 ? -1 : 1;
    if (int c = a[i].value.compare(b[i].value); c != 0) return c < 0 ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) return Del(name);
  std::erase_if(del_, [&](const std::string& d) { return d == name; });
  for (auto& l : add_) {
    if (l.name == name) {
      l.value = value;
      return *this;
    }
  }
  add_.push_back({std::string(name), std::string(value)});
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) {
  std::erase_if(add_, [&](const Label& l) { return l.name == name; });
  if (!Contains(del_, name)) del_.emplace_back(name);
  return *this;
}

Labels LabelsBuilder::Build() const {
  std::vector<Label> out;
  out.reserve(base_.size() + add_.size());
  for (const auto& l : base_) {
    if (Contains(del_, l.name)) continue;
    bool replaced = std::any_of(add_.begin(), add_.end(), [&](const Label& a) { return a.name == l.name; });
    if (!replaced) out.push_back(l);
  }
  out.insert(out.end(), add_.begin(), add_.end());
  return Labels::FromUnsorted(std::move(out));
}

}  // namespace meridian
