#include <doctest/doctest.h>

#include "http/url.h"

using namespace imps::http;

TEST_CASE("parse_url: accepted forms and defaults") {
  struct Case {
    const char* text;
    const char* scheme;
    const char* userinfo;
    const char* host;
    uint16_t port;
    const char* path;
    const char* query;
  };
  const Case cases[] = {
      {"https://example.com", "https", "", "example.com", 443, "/", ""},
      {"http://example.com", "http", "", "example.com", 80, "/", ""},
      {"HTTPS://api.ecr.us-east-1.amazonaws.com/", "https", "", "api.ecr.us-east-1.amazonaws.com", 443, "/", ""},
      {"https://10.0.0.1:6443", "https", "", "10.0.0.1", 6443, "/", ""},
      {"https://[::1]:8443/api?watch=1", "https", "", "::1", 8443, "/api", "watch=1"},
      {"http://[fd00::a:1]", "http", "", "fd00::a:1", 80, "/", ""},
      {"http://user:p%40ss@proxy.local:3128", "http", "user:p@ss", "proxy.local", 3128, "/", ""},
      {"http://a@b@proxy:1", "http", "a@b", "proxy", 1, "/", ""},
      {"https://h:/p", "https", "", "h", 443, "/p", ""},
      {"https://h?x=1&y=%2F", "https", "", "h", 443, "/", "x=1&y=%2F"},
      {"https://h/a%20b/c#frag", "https", "", "h", 443, "/a%20b/c", ""},
      {"https://h/p?", "https", "", "h", 443, "/p", ""},
      {"https://h:65535", "https", "", "h", 65535, "/", ""},
  };
  for (const Case& c : cases) {
    auto url = parse_url(c.text);
    REQUIRE_MESSAGE(url.ok(), c.text);
    CHECK(url->scheme == c.scheme);
    CHECK(url->userinfo == c.userinfo);
    CHECK(url->host == c.host);
    CHECK(url->port == c.port);
    CHECK(url->path == c.path);
    CHECK(url->query == c.query);
  }
}

TEST_CASE("parse_url: rejected forms") {
  const char* bad[] = {
      "",
      "example.com",
      "ftp://example.com",
      "https:/example.com",
      "https://",
      "https:///path",
      "https://:443",
      "https://user@",
      "https://h:0",
      "https://h:65536",
      "https://h:123456",
      "https://h:8x",
      "https://h:-1",
      "https://[::1",
      "https://[::1]x",
      "https://[fe80::1%25eth0]",
      "https://[zz::1]",
      "https://[]",
      "https://::1",
      "https://ho st",
      "https://h/pa th",
      "https://h/p\x01",
      "https://h/?q=\x7f",
      "https://us er@h",
  };
  for (const char* text : bad) {
    auto url = parse_url(text);
    CHECK_MESSAGE(!url.ok(), text);
    if (!url.ok()) CHECK(url.error().kind == imps::ErrorKind::Invalid);
  }
  std::string with_nul = "https://h/";
  with_nul += '\0';
  CHECK_FALSE(parse_url(with_nul).ok());
  CHECK_FALSE(parse_url("https://" + std::string(100000, 'a') + ":99999").ok());
}

TEST_CASE("host_header omits default ports and brackets IPv6") {
  CHECK(host_header(parse_url("https://example.com").value()) == "example.com");
  CHECK(host_header(parse_url("https://example.com:443").value()) == "example.com");
  CHECK(host_header(parse_url("http://example.com:443").value()) == "example.com:443");
  CHECK(host_header(parse_url("http://example.com:80").value()) == "example.com");
  CHECK(host_header(parse_url("https://10.96.0.1:6443").value()) == "10.96.0.1:6443");
  CHECK(host_header(parse_url("https://[::1]:8443").value()) == "[::1]:8443");
  CHECK(host_header(parse_url("https://[::1]").value()) == "[::1]");
}

TEST_CASE("query_escape keeps unreserved characters and encodes the rest as %XX") {
  CHECK(query_escape("") == "");
  CHECK(query_escape("AZaz09-._~") == "AZaz09-._~");
  CHECK(query_escape("app in (a,b)") == "app%20in%20%28a%2Cb%29");
  CHECK(query_escape("a=b&c+d/e?f%") == "a%3Db%26c%2Bd%2Fe%3Ff%25");
  CHECK(query_escape("\xc3\xa9") == "%C3%A9");
  CHECK(query_escape(std::string(1, '\0')) == "%00");
  CHECK(query_escape("\xff") == "%FF");
}

TEST_CASE("percent_decode inverts query_escape for every byte") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  CHECK(percent_decode(query_escape(all)) == all);
  CHECK(percent_decode("a+b") == "a+b");
  CHECK(percent_decode("%41%6a") == "Aj");
  CHECK(percent_decode("100%") == "100%");
  CHECK(percent_decode("%4") == "%4");
  CHECK(percent_decode("%zz%") == "%zz%");
  CHECK(percent_decode("%%41") == "%A");
}
