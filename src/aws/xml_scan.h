// A tiny, bounded XML reader for the small documents of AWS's Query protocol (STS results and
// ErrorResponse). It checks well-formedness (one root, balanced tags, known entities) and returns
// the elements in document order with their local names (namespace prefixes dropped) and text, so
// callers find elements by name regardless of namespace or order.
// Deliberately not supported: DTDs and custom entities (rejected: they are how XML bombs work),
// CDATA, processing instructions other than the prolog, attribute values (skipped), mixed content
// beyond concatenating an element's direct text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace imps::aws {

// STS answers are about 2 KB; a web-identity result adds a few hundred bytes.
constexpr size_t kMaxXmlBytes = 64 * 1024;
constexpr size_t kMaxXmlElements = 1024;  // an STS result has about 15
constexpr size_t kMaxXmlDepth = 32;       // an STS result nests 4 deep

struct XmlElement {
  std::string name;  // local name: "Credentials" for both <Credentials> and <sts:Credentials>
  std::string text;  // direct character data, entity-decoded
  size_t depth = 0;  // 0 for the root
};

Result<std::vector<XmlElement>> scan_xml(std::string_view document);

// First element with that local name, or nullptr.
const XmlElement* xml_find(const std::vector<XmlElement>& elements, std::string_view name);

}  // namespace imps::aws
