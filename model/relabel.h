#pragma once
// Prometheus relabelling (model/relabel): a list of steps applied to a label set in order,
// each able to rewrite, keep or drop it. Thanos components use it as a selector over blocks
// (--selector.relabel-config): the input is a block's external labels plus `__block_id`, and a
// block is kept when the label set survives the steps. That is how several compactors or
// store-gateways split one bucket (hashmod on __block_id or a label).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "model/labels.h"
#include "model/status.h"

namespace meridian {

enum class RelabelAction { kReplace, kKeep, kDrop, kKeepEqual, kDropEqual, kHashMod, kLabelMap, kLabelDrop, kLabelKeep, kLowercase, kUppercase };

struct RelabelStep {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string regex = "(.*)";  // fully anchored, as Prometheus anchors it
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  RelabelAction action = RelabelAction::kReplace;
  std::shared_ptr<const RE2> compiled;  // set by ParseRelabelConfig / Compile
  Status Compile();
};

// The YAML list of relabel_configs (Prometheus's field names); empty text gives no steps.
StatusOr<std::vector<RelabelStep>> ParseRelabelConfig(const std::string& yaml);

// Applies the steps; nullopt when a step dropped the label set.
std::optional<Labels> Relabel(const Labels& in, const std::vector<RelabelStep>& steps);

}  // namespace meridian
