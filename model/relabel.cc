#include "model/relabel.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <map>

#include <yaml-cpp/yaml.h>

namespace meridian {
namespace {

std::optional<RelabelAction> ParseAction(std::string a) {
  std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::map<std::string, RelabelAction> kActions = {
      {"replace", RelabelAction::kReplace},     {"keep", RelabelAction::kKeep},
      {"drop", RelabelAction::kDrop},           {"keepequal", RelabelAction::kKeepEqual},
      {"dropequal", RelabelAction::kDropEqual}, {"hashmod", RelabelAction::kHashMod},
      {"labelmap", RelabelAction::kLabelMap},   {"labeldrop", RelabelAction::kLabelDrop},
      {"labelkeep", RelabelAction::kLabelKeep}, {"lowercase", RelabelAction::kLowercase},
      {"uppercase", RelabelAction::kUppercase}};
  auto it = kActions.find(a);
  if (it == kActions.end()) return std::nullopt;
  return it->second;
}

// Prometheus's hashmod: the last 8 bytes of the MD5 of the value, big-endian, modulo.
uint64_t HashMod(const std::string& v, uint64_t modulus) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(v.data(), v.size(), md, &len, EVP_md5(), nullptr);
  uint64_t x = 0;
  for (int i = 8; i < 16; ++i) x = x << 8 | md[i];
  return x % modulus;
}

// "$1", "${1}", "$name" expansion as RE2::Rewrite does for numbered groups; Prometheus uses Go's
// Regexp.Expand, whose numbered groups are what relabel configs use in practice.
std::string Expand(const RE2& re, const std::string& replacement, const std::string& input) {
  const int n = re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n) + 1);
  if (!re.Match(input, 0, input.size(), RE2::ANCHOR_BOTH, groups.data(), n + 1)) return "";
  std::string out;
  for (size_t i = 0; i < replacement.size(); ++i) {
    char c = replacement[i];
    if (c != '$' || i + 1 >= replacement.size()) {
      out += c;
      continue;
    }
    if (replacement[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool braced = replacement[j] == '{';
    if (braced) ++j;
    size_t start = j;
    while (j < replacement.size() && (std::isalnum(static_cast<unsigned char>(replacement[j])) || replacement[j] == '_')) ++j;
    std::string name = replacement.substr(start, j - start);
    if (braced) {
      if (j >= replacement.size() || replacement[j] != '}') {
        out += c;
        continue;
      }
      ++j;
    }
    if (name.empty()) {
      out += c;
      continue;
    }
    int idx = -1;
    if (std::all_of(name.begin(), name.end(), [](unsigned char ch) { return std::isdigit(ch); })) {
      idx = std::stoi(name);
    } else {
      auto named = re.NamedCapturingGroups();
      if (auto it = named.find(name); it != named.end()) idx = it->second;
    }
    if (idx >= 0 && idx <= n && groups[static_cast<size_t>(idx)].data() != nullptr) {
      out.append(groups[static_cast<size_t>(idx)].data(), groups[static_cast<size_t>(idx)].size());
    }
    i = j - 1;
  }
  return out;
}

bool ValidLabelName(const std::string& s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!(std::isalpha(c) || c == '_' || (i > 0 && std::isdigit(c)))) return false;
  }
  return true;
}

}  // namespace

Status RelabelStep::Compile() {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_shared<RE2>("^(?:" + regex + ")$", o);
  if (!re->ok()) return BadData("relabel: invalid regex \"" + regex + "\": " + re->error());
  compiled = re;
  switch (action) {
    case RelabelAction::kHashMod:
      if (modulus == 0) return BadData("relabel: hashmod needs a modulus");
      [[fallthrough]];
    case RelabelAction::kReplace:
    case RelabelAction::kLowercase:
    case RelabelAction::kUppercase:
    case RelabelAction::kKeepEqual:
    case RelabelAction::kDropEqual:
      if (target_label.empty()) return BadData("relabel: action needs a target_label");
      break;
    default:
      break;
  }
  return Status::Ok();
}

StatusOr<std::vector<RelabelStep>> ParseRelabelConfig(const std::string& yaml) {
  std::vector<RelabelStep> out;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return BadData(std::string("relabel config: ") + e.what());
  }
  if (!root || root.IsNull()) return out;
  if (!root.IsSequence()) return BadData("relabel config: expected a list of relabel steps");
  for (const auto& n : root) {
    if (!n.IsMap()) return BadData("relabel config: each step must be a map");
    RelabelStep s;
    try {
      for (const auto& kv : n) {
        const std::string key = kv.first.as<std::string>();
        const YAML::Node& v = kv.second;
        if (key == "source_labels") {
          if (!v.IsSequence()) return BadData("relabel config: source_labels must be a list");
          for (const auto& l : v) s.source_labels.push_back(l.as<std::string>());
        } else if (key == "separator") {
          s.separator = v.as<std::string>();
        } else if (key == "regex") {
          s.regex = v.as<std::string>();
        } else if (key == "modulus") {
          s.modulus = v.as<uint64_t>();
        } else if (key == "target_label") {
          s.target_label = v.as<std::string>();
        } else if (key == "replacement") {
          s.replacement = v.as<std::string>();
        } else if (key == "action") {
          auto a = ParseAction(v.as<std::string>());
          if (!a) return BadData("relabel config: unknown action \"" + v.as<std::string>() + "\"");
          s.action = *a;
        } else {
          return BadData("relabel config: unknown field \"" + key + "\"");
        }
      }
    } catch (const YAML::Exception& e) {
      return BadData(std::string("relabel config: ") + e.what());
    }
    if (Status st = s.Compile(); !st.ok()) return st;
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<Labels> Relabel(const Labels& in, const std::vector<RelabelStep>& steps) {
  Labels cur = in;
  for (const RelabelStep& s : steps) {
    const RE2& re = *s.compiled;
    std::string val;
    for (size_t i = 0; i < s.source_labels.size(); ++i) {
      if (i > 0) val += s.separator;
      val += std::string(cur.Get(s.source_labels[i]));
    }
    switch (s.action) {
      case RelabelAction::kDrop:
        if (RE2::FullMatch(val, re)) return std::nullopt;
        break;
      case RelabelAction::kKeep:
        if (!RE2::FullMatch(val, re)) return std::nullopt;
        break;
      case RelabelAction::kDropEqual:
        if (cur.Get(s.target_label) == val) return std::nullopt;
        break;
      case RelabelAction::kKeepEqual:
        if (cur.Get(s.target_label) != val) return std::nullopt;
        break;
      case RelabelAction::kReplace: {
        if (!RE2::FullMatch(val, re)) break;
        std::string target = Expand(re, s.target_label, val);
        if (!ValidLabelName(target)) break;
        std::string value = Expand(re, s.replacement, val);
        cur = value.empty() ? cur.Without(target) : cur.With(target, value);
        break;
      }
      case RelabelAction::kLowercase:
      case RelabelAction::kUppercase: {
        std::string v = val;
        for (auto& c : v) {
          c = static_cast<char>(s.action == RelabelAction::kLowercase ? std::tolower(static_cast<unsigned char>(c))
                                                                     : std::toupper(static_cast<unsigned char>(c)));
        }
        cur = cur.With(s.target_label, v);
        break;
      }
      case RelabelAction::kHashMod:
        cur = cur.With(s.target_label, std::to_string(HashMod(val, s.modulus)));
        break;
      case RelabelAction::kLabelMap: {
        std::vector<Label> add;
        for (const Label& l : cur) {
          if (RE2::FullMatch(l.name, re)) add.push_back({Expand(re, s.replacement, l.name), l.value});
        }
        for (const auto& l : add) cur = cur.With(l.name, l.value);
        break;
      }
      case RelabelAction::kLabelDrop:
      case RelabelAction::kLabelKeep: {
        std::vector<Label> kept;
        for (const Label& l : cur) {
          bool match = RE2::FullMatch(l.name, re);
          if (match == (s.action == RelabelAction::kLabelKeep)) kept.push_back(l);
        }
        cur = Labels::FromSorted(std::move(kept));
        break;
      }
    }
  }
  return cur;
}

}  // namespace meridian
