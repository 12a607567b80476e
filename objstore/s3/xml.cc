#include "objstore/s3/xml.h"

#include <cstdint>

namespace meridian::objstore::s3 {

const XmlElement* XmlElement::Child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::string XmlElement::ChildText(std::string_view child_name) const {
  const XmlElement* c = Child(child_name);
  return c ? c->text : std::string();
}

namespace {

constexpr int kMaxDepth = 64;

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view doc) : s_(doc) {}

  StatusOr<XmlElement> Document() {
    Status st = SkipMisc();
    if (!st.ok()) return st;
    if (!Peek('<')) return Error("expected a root element");
    XmlElement root;
    st = Element(&root, 0);
    if (!st.ok()) return st;
    st = SkipMisc();
    if (!st.ok()) return st;
    if (pos_ != s_.size()) return Error("unexpected content after the root element");
    return root;
  }

 private:
  Status Error(const std::string& what) const {
    return CorruptError("malformed XML at byte " + std::to_string(pos_) + ": " + what);
  }
  bool Peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool StartsWith(std::string_view p) const { return s_.substr(pos_, p.size()) == p; }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n')) {
      ++pos_;
    }
  }
  Status SkipPast(std::string_view terminator) {
    size_t end = s_.find(terminator, pos_);
    if (end == std::string_view::npos) return Error("unterminated construct");
    pos_ = end + terminator.size();
    return Status::Ok();
  }
  // Whitespace, the <?xml ...?> prolog, comments and a DOCTYPE around the root element.
  Status SkipMisc() {
    while (true) {
      SkipSpace();
      if (StartsWith("<?")) {
        if (Status s = SkipPast("?>"); !s.ok()) return s;
      } else if (StartsWith("<!--")) {
        if (Status s = SkipPast("-->"); !s.ok()) return s;
      } else if (StartsWith("<!DOCTYPE")) {
        if (Status s = SkipPast(">"); !s.ok()) return s;
      } else {
        return Status::Ok();
      }
    }
  }
  static bool IsNameChar(char c) {
    return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '>' && c != '/' && c != '=' &&
           c != '<' && c != '"' && c != '\'';
  }
  std::string_view Name() {
    size_t start = pos_;
    while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  Status Element(XmlElement* el, int depth) {
    if (depth > kMaxDepth) return Error("elements nested too deeply");
    ++pos_;  // '<'
    std::string_view name = Name();
    if (name.empty()) return Error("element without a name");
    el->name = std::string(name);
    // Attributes: skipped, but quoted values may hold '>' or '/'.
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size()) return Error("unterminated start tag <" + el->name + ">");
      char c = s_[pos_];
      if (c == '>') {
        ++pos_;
        break;
      }
      if (c == '/') {
        if (!StartsWith("/>")) return Error("stray '/' in start tag");
        pos_ += 2;
        return Status::Ok();
      }
      if (Name().empty()) return Error("bad attribute in <" + el->name + ">");
      SkipSpace();
      if (!Peek('=')) return Error("attribute without a value in <" + el->name + ">");
      ++pos_;
      SkipSpace();
      if (!Peek('"') && !Peek('\'')) return Error("unquoted attribute value");
      char q = s_[pos_++];
      size_t end = s_.find(q, pos_);
      if (end == std::string_view::npos) return Error("unterminated attribute value");
      pos_ = end + 1;
    }
    // Content.
    while (true) {
      if (pos_ >= s_.size()) return Error("missing </" + el->name + ">");
      if (StartsWith("</")) {
        pos_ += 2;
        std::string_view close = Name();
        if (close != el->name) {
          return Error("</" + std::string(close) + "> closes <" + el->name + ">");
        }
        SkipSpace();
        if (!Peek('>')) return Error("unterminated end tag");
        ++pos_;
        return Status::Ok();
      }
      if (StartsWith("<!--")) {
        if (Status s = SkipPast("-->"); !s.ok()) return s;
      } else if (StartsWith("<![CDATA[")) {
        pos_ += 9;
        size_t end = s_.find("]]>", pos_);
        if (end == std::string_view::npos) return Error("unterminated CDATA");
        el->text.append(s_.substr(pos_, end - pos_));
        pos_ = end + 3;
      } else if (StartsWith("<?")) {
        if (Status s = SkipPast("?>"); !s.ok()) return s;
      } else if (Peek('<')) {
        el->children.emplace_back();
        if (Status s = Element(&el->children.back(), depth + 1); !s.ok()) return s;
      } else if (Peek('&')) {
        if (Status s = Entity(&el->text); !s.ok()) return s;
      } else {
        size_t end = s_.find_first_of("<&", pos_);
        if (end == std::string_view::npos) end = s_.size();
        el->text.append(s_.substr(pos_, end - pos_));
        pos_ = end;
      }
    }
  }

  Status Entity(std::string* out) {
    size_t end = s_.find(';', pos_);
    if (end == std::string_view::npos || end - pos_ > 12) return Error("bad entity reference");
    std::string_view ent = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    if (ent == "amp") *out += '&';
    else if (ent == "lt") *out += '<';
    else if (ent == "gt") *out += '>';
    else if (ent == "quot") *out += '"';
    else if (ent == "apos") *out += '\'';
    else if (ent.size() >= 2 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty()) return Error("empty character reference");
      uint32_t cp = 0;
      for (char c : digits) {
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return Error("bad character reference &" + std::string(ent) + ";");
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
        if (cp > 0x10FFFF) return Error("character reference out of range");
      }
      AppendUtf8(cp, out);
    } else {
      return Error("unknown entity &" + std::string(ent) + ";");
    }
    return Status::Ok();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

StatusOr<XmlElement> ParseXml(std::string_view doc) { return Parser(doc).Document(); }

}  // namespace meridian::objstore::s3
