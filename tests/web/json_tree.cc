#include "tests/web/json_tree.h"

#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

namespace meridian::web::testing {

namespace {

// SAX handler building a JsonTree; a stack of open containers, each with its pending key.
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  bool Null() { return Add({}); }
  bool Bool(bool b) {
    JsonTree t;
    t.kind = JsonTree::Kind::kBool;
    t.text = b ? "true" : "false";
    return Add(std::move(t));
  }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    JsonTree t;
    t.kind = JsonTree::Kind::kNumber;
    t.text.assign(s, n);
    return Add(std::move(t));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    JsonTree t;
    t.kind = JsonTree::Kind::kString;
    t.text.assign(s, n);
    return Add(std::move(t));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    keys_.back().assign(s, n);
    return true;
  }
  bool StartObject() { return Open(JsonTree::Kind::kObject); }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool StartArray() { return Open(JsonTree::Kind::kArray); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

  JsonTree Take() { return std::move(root_); }

 private:
  bool Open(JsonTree::Kind k) {
    JsonTree t;
    t.kind = k;
    open_.push_back(std::move(t));
    keys_.emplace_back();
    return true;
  }
  bool Close() {
    JsonTree t = std::move(open_.back());
    open_.pop_back();
    keys_.pop_back();
    return Add(std::move(t));
  }
  bool Add(JsonTree t) {
    if (open_.empty()) {
      root_ = std::move(t);
    } else if (open_.back().kind == JsonTree::Kind::kArray) {
      open_.back().items.push_back(std::move(t));
    } else {
      open_.back().members.emplace_back(keys_.back(), std::move(t));
    }
    return true;
  }

  JsonTree root_;
  std::vector<JsonTree> open_;
  std::vector<std::string> keys_;
};

const char* KindName(JsonTree::Kind k) {
  switch (k) {
    case JsonTree::Kind::kNull: return "null";
    case JsonTree::Kind::kBool: return "bool";
    case JsonTree::Kind::kNumber: return "number";
    case JsonTree::Kind::kString: return "string";
    case JsonTree::Kind::kArray: return "array";
    case JsonTree::Kind::kObject: return "object";
  }
  return "?";
}

std::string KeyList(const JsonTree& t) {
  std::string out = "[";
  for (size_t i = 0; i < t.members.size(); ++i) {
    if (i > 0) out += ", ";
    out += t.members[i].first;
  }
  return out + "]";
}

std::optional<double> FiniteNumber(const std::string& s) {
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool CloseNumbers(const std::string& a, const std::string& b, double tolerance) {
  auto x = FiniteNumber(a);
  auto y = FiniteNumber(b);
  if (!x || !y) return false;
  return std::fabs(*x - *y) <= tolerance * std::max(std::fabs(*x), std::fabs(*y));
}

}  // namespace

StatusOr<JsonTree> ParseJsonTree(std::string_view json) {
  TreeBuilder b;
  rapidjson::Reader reader;
  const std::string text(json);  // StringStream reads up to a terminating NUL
  rapidjson::StringStream in(text.c_str());
  rapidjson::ParseResult r =
      reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag>(in, b);
  if (r.IsError()) return BadData("invalid JSON at offset " + std::to_string(r.Offset()));
  return b.Take();
}

std::string FirstDifference(const JsonTree& want, const JsonTree& got, double relative_tolerance,
                            const std::string& path) {
  if (want.kind != got.kind) {
    return path + ": " + KindName(want.kind) + " vs " + KindName(got.kind);
  }
  switch (want.kind) {
    case JsonTree::Kind::kNull: return "";
    case JsonTree::Kind::kBool:
    case JsonTree::Kind::kNumber:
    case JsonTree::Kind::kString:
      if (want.text == got.text) return "";
      if (relative_tolerance > 0 && CloseNumbers(want.text, got.text, relative_tolerance)) return "";
      return path + ": \"" + want.text + "\" vs \"" + got.text + "\"";
    case JsonTree::Kind::kArray:
      for (size_t i = 0; i < want.items.size() && i < got.items.size(); ++i) {
        std::string d = FirstDifference(want.items[i], got.items[i], relative_tolerance, path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      if (want.items.size() != got.items.size()) {
        return path + ": " + std::to_string(want.items.size()) + " items vs " + std::to_string(got.items.size());
      }
      return "";
    case JsonTree::Kind::kObject: {
      bool same_keys = want.members.size() == got.members.size();
      for (size_t i = 0; same_keys && i < want.members.size(); ++i) {
        same_keys = want.members[i].first == got.members[i].first;
      }
      if (!same_keys) return path + ": keys " + KeyList(want) + " vs " + KeyList(got);
      for (size_t i = 0; i < want.members.size(); ++i) {
        std::string d = FirstDifference(want.members[i].second, got.members[i].second, relative_tolerance,
                                        path + "." + want.members[i].first);
        if (!d.empty()) return d;
      }
      return "";
    }
  }
  return "";
}

}  // namespace meridian::web::testing
