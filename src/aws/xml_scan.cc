#include "aws/xml_scan.h"

#include <cstdint>

namespace imps::aws {
namespace {

Error malformed(std::string what, size_t at) {
  return make_error(ErrorKind::Invalid, "malformed XML: " + std::move(what) + " at byte " + std::to_string(at));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_name_char(char c) {
  return !is_space(c) && c != '<' && c != '>' && c != '/' && c != '=' && c != '"' && c != '\'' && c != '&';
}

std::string_view local_name(std::string_view qualified) {
  size_t colon = qualified.rfind(':');
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes one entity starting at doc[pos] == '&'; returns the index after ';' or 0 on error.
size_t decode_entity(std::string_view doc, size_t pos, std::string& out) {
  constexpr size_t kMaxEntityLength = 10;  // "&#x10FFFF;"
  size_t semi = doc.find(';', pos);
  if (semi == std::string_view::npos || semi - pos > kMaxEntityLength) return 0;
  std::string_view name = doc.substr(pos + 1, semi - pos - 1);
  static constexpr struct {
    std::string_view name;
    char value;
  } kNamed[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  for (const auto& entity : kNamed) {
    if (name == entity.name) {
      out += entity.value;
      return semi + 1;
    }
  }
  if (name.size() < 2 || name[0] != '#') return 0;
  bool hex = name[1] == 'x';
  std::string_view digits = name.substr(hex ? 2 : 1);
  if (digits.empty()) return 0;
  uint32_t cp = 0;
  for (char c : digits) {
    int v = (c >= '0' && c <= '9') ? c - '0'
            : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                            : -1;
    if (v < 0) return 0;
    cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
    if (cp > 0x10FFFF) return 0;
  }
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  append_utf8(out, cp);
  return semi + 1;
}

}  // namespace

Result<std::vector<XmlElement>> scan_xml(std::string_view doc) {
  if (doc.size() > kMaxXmlBytes)
    return make_error(ErrorKind::TooLarge, "XML document exceeds " + std::to_string(kMaxXmlBytes) + " bytes");
  std::vector<XmlElement> elements;
  std::vector<std::pair<std::string_view, size_t>> open;  // qualified name, index in `elements`
  bool root_closed = false;
  size_t pos = 0;
  while (pos < doc.size()) {
    char c = doc[pos];
    if (c != '<') {
      if (open.empty()) {
        if (!is_space(c)) return malformed("text outside the root element", pos);
        ++pos;
      } else if (c == '&') {
        size_t next = decode_entity(doc, pos, elements[open.back().second].text);
        if (next == 0) return malformed("unknown or malformed entity", pos);
        pos = next;
      } else {
        elements[open.back().second].text += c;
        ++pos;
      }
      continue;
    }
    std::string_view rest = doc.substr(pos);
    if (rest.starts_with("<?")) {
      size_t end = doc.find("?>", pos + 2);
      if (end == std::string_view::npos || !elements.empty()) return malformed("misplaced or unterminated <?", pos);
      pos = end + 2;
    } else if (rest.starts_with("<!--")) {
      size_t end = doc.find("-->", pos + 4);
      if (end == std::string_view::npos) return malformed("unterminated comment", pos);
      pos = end + 3;
    } else if (rest.starts_with("<!")) {
      return malformed("DTDs and CDATA are not supported", pos);
    } else if (rest.starts_with("</")) {
      size_t start = pos + 2;
      size_t end = start;
      while (end < doc.size() && is_name_char(doc[end])) ++end;
      std::string_view name = doc.substr(start, end - start);
      while (end < doc.size() && is_space(doc[end])) ++end;
      if (end >= doc.size() || doc[end] != '>') return malformed("unterminated end tag", pos);
      if (open.empty() || open.back().first != name) return malformed("mismatched end tag", pos);
      open.pop_back();
      root_closed = open.empty();
      pos = end + 1;
    } else {
      if (root_closed) return malformed("second root element", pos);
      size_t start = pos + 1;
      size_t end = start;
      while (end < doc.size() && is_name_char(doc[end])) ++end;
      std::string_view name = doc.substr(start, end - start);
      if (name.empty()) return malformed("empty element name", pos);
      char quote = 0;  // skip attributes, honouring quoted '>' and '/'
      while (end < doc.size() && (quote || (doc[end] != '>' && !doc.substr(end).starts_with("/>")))) {
        if (doc[end] == '<') return malformed("'<' inside a tag", end);  // XML forbids it in values too
        if (quote && doc[end] == quote) quote = 0;
        else if (!quote && (doc[end] == '"' || doc[end] == '\'')) quote = doc[end];
        ++end;
      }
      if (end >= doc.size()) return malformed("unterminated start tag", pos);
      if (elements.size() >= kMaxXmlElements) return make_error(ErrorKind::TooLarge, "XML has too many elements");
      if (open.size() >= kMaxXmlDepth) return make_error(ErrorKind::TooLarge, "XML nests too deeply");
      elements.push_back(XmlElement{std::string(local_name(name)), {}, open.size()});
      bool self_closing = doc[end] == '/';
      if (self_closing) {
        root_closed = open.empty();
      } else {
        open.emplace_back(name, elements.size() - 1);
      }
      pos = end + (self_closing ? 2 : 1);
    }
  }
  if (!open.empty()) return malformed("unclosed element <" + std::string(open.back().first.substr(0, 64)) + ">", pos);
  if (elements.empty()) return malformed("no root element", pos);
  return elements;
}

const XmlElement* xml_find(const std::vector<XmlElement>& elements, std::string_view name) {
  for (const auto& e : elements)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace imps::aws
