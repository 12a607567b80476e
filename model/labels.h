#pragma once
// A series' identity: a set of name/value pairs kept sorted by name, as in Prometheus.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meridian {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string name;
  std::string value;

  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

// Immutable-by-convention sorted label set. Names are unique. Comparison follows Prometheus's
// labels.Compare: pairwise by name then value, shorter set first on a common prefix.
class Labels {
 public:
  Labels() = default;
  Labels(std::initializer_list<Label> labels);
  // Sorts and keeps the last value for duplicate names.
  static Labels FromUnsorted(std::vector<Label> labels);
  // Takes labels already sorted by name with unique names (not checked in release builds).
  static Labels FromSorted(std::vector<Label> labels);

  bool empty() const { return labels_.empty(); }
  size_t size() const { return labels_.size(); }
  const Label& operator[](size_t i) const { return labels_[i]; }
  auto begin() const { return labels_.begin(); }
  auto end() const { return labels_.end(); }
  const std::vector<Label>& items() const { return labels_; }

  // Empty string when absent, as Prometheus treats a missing label as an empty one.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricName); }

  // Stable 64-bit hash (xxhash64 over name/value with separators).
  uint64_t Hash() const;
  // Hash of only the named labels (names sorted) / of all but the named labels.
  uint64_t HashForLabels(const std::vector<std::string>& names) const;
  uint64_t HashWithoutLabels(const std::vector<std::string>& names) const;

  Labels With(std::string_view name, std::string_view value) const;
  Labels Without(std::string_view name) const;
  Labels WithoutNames(const std::vector<std::string>& names) const;
  Labels KeepOnly(const std::vector<std::string>& names) const;
  Labels WithoutMetricName() const { return Without(kMetricName); }

  // {a="b", c="d"} with Go-style quoting of values; metric name printed in front when present.
  std::string ToString() const;

  friend bool operator==(const Labels& a, const Labels& b) { return a.labels_ == b.labels_; }
  friend int Compare(const Labels& a, const Labels& b);
  friend bool operator<(const Labels& a, const Labels& b) { return Compare(a, b) < 0; }

 private:
  std::vector<Label> labels_;
};

// Accumulates edits against a base set, then produces a sorted Labels.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base) : base_(base) {}
  LabelsBuilder& Set(std::string_view name, std::string_view value);  // empty value deletes
  LabelsBuilder& Del(std::string_view name);
  Labels Build() const;

 private:
  Labels base_;
  std::vector<Label> add_;
  std::vector<std::string> del_;
};

}  // namespace meridian
