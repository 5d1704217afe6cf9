#include <doctest/doctest.h>

#include "aws/xml_scan.h"

using namespace imps;
using namespace imps::aws;

TEST_CASE("XML scan: elements in order with local names, text and depth") {
  auto r = scan_xml(
      "<?xml version=\"1.0\"?>\n<!-- c --><a:Root xmlns:a=\"urn:x\" q='>/'><a:Child>x &amp; y&#65;&#x42;&#x1234;</a:Child>"
      "<Empty/><Empty2 attr=\"1\" /><Outer><Inner>t</Inner></Outer></a:Root>\n");
  REQUIRE(r.ok());
  const auto& e = *r;
  REQUIRE(e.size() == 6);
  CHECK(e[0].name == "Root");
  CHECK(e[0].depth == 0);
  CHECK(e[1].name == "Child");
  CHECK(e[1].text == "x & yAB\xe1\x88\xb4");
  CHECK(e[1].depth == 1);
  CHECK(e[2].name == "Empty");
  CHECK(e[3].name == "Empty2");
  CHECK(e[5].name == "Inner");
  CHECK(e[5].depth == 2);
  CHECK(xml_find(e, "Inner")->text == "t");
  CHECK(xml_find(e, "Missing") == nullptr);
  CHECK(scan_xml("<a/>").ok());
}

TEST_CASE("XML scan: malformed documents are rejected") {
  const char* bad[] = {
      "", "   ", "text", "<", "<a", "<a>", "<a></b>", "<a><b></a></b>", "</a>", "<a></a><b/>", "<a/>x",
      "<a>&unknown;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&#x110000;</a>", "<a>&#;</a>", "<a>&#x;</a>",
      "<a>&amp</a>", "<a>&#12a;</a>", "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "<a><![CDATA[x]]></a>",
      "<a><!-- open</a>", "<a/><?pi?>", "<a x=\"<\"></a>", "<>", "< a/>", "<a></a >x", "<a attr=\"unterminated></a>",
  };
  for (const char* doc : bad) {
    auto r = scan_xml(doc);
    CHECK_MESSAGE(!r.ok(), std::string(doc));
  }
  CHECK(scan_xml("<a></a >").ok());
}

TEST_CASE("XML scan: size, element count and depth are bounded") {
  std::string big = "<a>" + std::string(kMaxXmlBytes, 'x') + "</a>";
  auto r = scan_xml(big);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::TooLarge);

  std::string deep;
  for (size_t i = 0; i <= kMaxXmlDepth; ++i) deep += "<d>";
  for (size_t i = 0; i <= kMaxXmlDepth; ++i) deep += "</d>";
  CHECK(scan_xml(deep).error().kind == ErrorKind::TooLarge);

  std::string many = "<r>";
  for (size_t i = 0; i < kMaxXmlElements; ++i) many += "<e/>";
  many += "</r>";
  CHECK(scan_xml(many).error().kind == ErrorKind::TooLarge);
}

TEST_CASE("XML scan: every prefix of a document is rejected, the whole accepted") {
  std::string doc = "<?xml version=\"1.0\"?><R xmlns=\"u\"><C><K>v&lt;</K></C><E/></R>";
  for (size_t n = 0; n < doc.size(); ++n) CHECK_FALSE(scan_xml(doc.substr(0, n)).ok());
  CHECK(scan_xml(doc).ok());
}
