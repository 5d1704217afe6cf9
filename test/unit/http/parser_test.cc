#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "http/parser.h"

using namespace imps::http;

namespace {

const std::string kHead =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "X-Empty:\r\n"
    "X-Spaced: \t padded value \t\r\n"
    "Content-Length: 2\r\n"
    "\r\n";

// Decodes `in` fed as given pieces; returns the decoded body, or "ERROR: ..." on failure, plus
// how many bytes of the whole input the decoder consumed.
struct Decoded {
  std::string body;
  size_t consumed = 0;
  bool complete = false;
};
Decoded decode_pieces(const std::vector<std::string_view>& pieces) {
  ChunkedDecoder decoder;
  Decoded d;
  for (std::string_view piece : pieces) {
    ParseResult r = decoder.feed(piece, d.body);
    if (r.kind == ParseResult::Error) {
      d.body = "ERROR: " + r.error;
      return d;
    }
    d.consumed += r.consumed;
    if (r.kind == ParseResult::Complete) {
      CHECK(decoder.done());
      d.complete = true;
      return d;
    }
    CHECK(r.consumed == piece.size());
  }
  return d;
}

Decoded decode_all(std::string_view in) { return decode_pieces({in}); }

// Checks that every two-piece split and byte-at-a-time feeding give the same outcome as one piece.
void check_every_split(std::string_view in) {
  Decoded whole = decode_all(in);
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    Decoded split = decode_pieces({in.substr(0, cut), in.substr(cut)});
    CHECK(split.body == whole.body);
    CHECK(split.complete == whole.complete);
    if (whole.complete) CHECK(split.consumed == whole.consumed);
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < in.size(); ++i) bytes.push_back(in.substr(i, 1));
  Decoded single = decode_pieces(bytes);
  CHECK(single.body == whole.body);
  CHECK(single.complete == whole.complete);
  if (whole.complete) CHECK(single.consumed == whole.consumed);
}

}  // namespace

TEST_CASE("response head: status, reason and trimmed headers") {
  Response r;
  ParseResult p = parse_response_head(kHead + "{}", r);
  REQUIRE(p.kind == ParseResult::Complete);
  CHECK(p.consumed == kHead.size());
  CHECK(r.status == 200);
  CHECK(r.reason == "OK");
  REQUIRE(r.headers.size() == 4);
  CHECK(r.header("content-type") == "application/json");
  CHECK(r.header("X-EMPTY") == "");
  CHECK(r.header("x-spaced") == "padded value");
  CHECK_FALSE(r.header("missing").has_value());
}

TEST_CASE("response head: every prefix needs more, and the full head parses identically") {
  for (size_t n = 0; n < kHead.size(); ++n) {
    Response r;
    ParseResult p = parse_response_head(std::string_view(kHead).substr(0, n), r);
    CHECK_MESSAGE(p.kind == ParseResult::NeedMore, "prefix length " << n);
  }
  Response r;
  CHECK(parse_response_head(kHead, r).kind == ParseResult::Complete);
}

TEST_CASE("response head: accepted variants") {
  struct Case { const char* text; int status; const char* reason; };
  const Case cases[] = {
      {"HTTP/1.0 404 Not Found\r\n\r\n", 404, "Not Found"},
      {"HTTP/1.1 204 \r\n\r\n", 204, ""},
      {"HTTP/1.1 500\r\n\r\n", 500, ""},
      {"HTTP/1.1 100 Continue\r\n\r\n", 100, "Continue"},
      {"HTTP/1.1 999 Odd\r\n\r\n", 999, "Odd"},
      {"HTTP/1.1 200 Fine \xc3\xa9 with\ttab\r\n\r\n", 200, "Fine \xc3\xa9 with\ttab"},
  };
  for (const Case& c : cases) {
    Response r;
    ParseResult p = parse_response_head(c.text, r);
    REQUIRE_MESSAGE(p.kind == ParseResult::Complete, c.text);
    CHECK(r.status == c.status);
    CHECK(r.reason == c.reason);
  }
}

TEST_CASE("response head: malformed input is a clear error") {
  const char* bad[] = {
      "HTTP/1.1 200 OK\n\n",                      // bare LF
      "HTTP/1.1 200 OK\r\nA: b\n\r\n",            // bare LF in a header line
      "\r\n",                                     // empty head
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1 099 Low\r\n\r\n",
      "HTTP/1.1 2x0 OK\r\n\r\n",
      "HTTP/1.1200 OK\r\n\r\n",
      "ICY 200 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: b\r\n\tfolded\r\n\r\n",
      "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nName : x\r\n\r\n",
      "HTTP/1.1 200 OK\r\n: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA(b): x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: x\ry\r\n\r\n",
      "HTTP/1.1 200 O\x01K\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: x\x7fy\r\n\r\n",
  };
  for (const char* text : bad) {
    Response r;
    ParseResult p = parse_response_head(text, r);
    CHECK_MESSAGE(p.kind == ParseResult::Error, text);
    CHECK_FALSE(p.error.empty());
  }
  std::string with_nul = "HTTP/1.1 200 OK\r\nA: x";
  with_nul += '\0';
  with_nul += "y\r\n\r\n";
  Response r;
  CHECK(parse_response_head(with_nul, r).kind == ParseResult::Error);
}

TEST_CASE("response head: size cap applies to complete and incomplete heads") {
  std::string head = "HTTP/1.1 200 OK\r\nA: b\r\n\r\n";
  Response r;
  CHECK(parse_response_head(head, r, head.size()).kind == ParseResult::Complete);
  CHECK(parse_response_head(head, r, head.size() - 1).kind == ParseResult::Error);
  // An endless header line is refused once the cap is reached, without waiting for its end.
  std::string endless = "HTTP/1.1 200 OK\r\nX: " + std::string(kMaxHeadBytes, 'a');
  ParseResult p = parse_response_head(endless, r);
  CHECK(p.kind == ParseResult::Error);
  CHECK(p.error.find("exceeds") != std::string::npos);
  CHECK(parse_response_head(std::string_view(endless).substr(0, kMaxHeadBytes - 1), r).kind ==
        ParseResult::NeedMore);
}

TEST_CASE("request head: method, origin-form target and headers") {
  std::string text = "GET /metrics?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\nrest";
  RequestHead h;
  ParseResult p = parse_request_head(text, h);
  REQUIRE(p.kind == ParseResult::Complete);
  CHECK(p.consumed == text.size() - 4);
  CHECK(h.method == "GET");
  CHECK(h.target == "/metrics?x=1");
  CHECK(find_header(h.headers, "host") == "localhost:8080");
  for (size_t n = 0; n < p.consumed; ++n) {
    RequestHead partial;
    CHECK(parse_request_head(std::string_view(text).substr(0, n), partial).kind == ParseResult::NeedMore);
  }
  CHECK(parse_request_head("HEAD /healthz HTTP/1.0\r\n\r\n", h).kind == ParseResult::Complete);
  CHECK(h.method == "HEAD");
}

TEST_CASE("request head: malformed request lines") {
  const char* bad[] = {
      "GET\r\n\r\n",
      "GET /\r\n\r\n",
      "GET  / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1 \r\n\r\n",
      "GET http://example.com/ HTTP/1.1\r\n\r\n",
      "GET * HTTP/1.1\r\n\r\n",
      "G(T / HTTP/1.1\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET /\x7f HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost localhost\r\n\r\n",
      "GET / HTTP/1.1\n\n",
  };
  for (const char* text : bad) {
    RequestHead h;
    CHECK_MESSAGE(parse_request_head(text, h).kind == ParseResult::Error, text);
  }
}

TEST_CASE("body framing follows RFC 9112 section 6.3") {
  auto framing = [](std::string_view method, int status, Headers headers, BodyFraming& out) {
    Response r;
    r.status = status;
    r.headers = std::move(headers);
    return body_framing(method, r, out);
  };
  BodyFraming f;
  CHECK(framing("HEAD", 200, {{"Content-Length", "10"}}, f).kind == ParseResult::Complete);
  CHECK(f.kind == BodyFraming::None);
  for (int status : {100, 101, 204, 304}) {
    CHECK(framing("GET", status, {{"Content-Length", "10"}}, f).kind == ParseResult::Complete);
    CHECK(f.kind == BodyFraming::None);
  }
  CHECK(framing("GET", 200, {{"Transfer-Encoding", "Chunked"}, {"Content-Length", "3"}}, f).kind ==
        ParseResult::Complete);
  CHECK(f.kind == BodyFraming::Chunked);
  CHECK(framing("GET", 200, {{"Content-Length", "42"}}, f).kind == ParseResult::Complete);
  CHECK(f.kind == BodyFraming::Length);
  CHECK(f.length == 42);
  CHECK(framing("GET", 200, {{"Content-Length", "7"}, {"content-length", "7, 7"}}, f).kind ==
        ParseResult::Complete);
  CHECK(f.length == 7);
  CHECK(framing("GET", 200, {{"Content-Length", "18446744073709551615"}}, f).kind == ParseResult::Complete);
  CHECK(f.length == UINT64_MAX);
  CHECK(framing("GET", 200, {}, f).kind == ParseResult::Complete);
  CHECK(f.kind == BodyFraming::UntilClose);

  const Headers bad[] = {
      {{"Transfer-Encoding", "gzip"}},
      {{"Transfer-Encoding", "gzip, chunked"}},
      {{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}},
      {{"Content-Length", "1"}, {"Content-Length", "2"}},
      {{"Content-Length", "5, 6"}},
      {{"Content-Length", "-1"}},
      {{"Content-Length", "+5"}},
      {{"Content-Length", "0x10"}},
      {{"Content-Length", ""}},
      {{"Content-Length", "5,"}},
      {{"Content-Length", "18446744073709551616"}},
      {{"Content-Length", "99999999999999999999999"}},
  };
  for (const Headers& headers : bad) {
    CHECK_MESSAGE(framing("GET", 200, headers, f).kind == ParseResult::Error, headers[0].value);
  }
}

TEST_CASE("chunked: decodes chunks, extensions and trailers for every split") {
  const std::string inputs[] = {
      "0\r\n\r\n",
      "5\r\nhello\r\n0\r\n\r\n",
      "5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0\r\n\r\n",
      "A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\nX-Trailer: yes\r\nOther: 1\r\n\r\n",
      "000004\r\nwiki\r\n0000\r\n\r\n",
  };
  const std::string expected[] = {"", "hello", "hello world", "0123456789abcdefghij", "wiki"};
  for (size_t i = 0; i < std::size(inputs); ++i) {
    Decoded d = decode_all(inputs[i]);
    CHECK(d.complete);
    CHECK(d.body == expected[i]);
    CHECK(d.consumed == inputs[i].size());
    check_every_split(inputs[i]);
  }
}

TEST_CASE("chunked: bytes after the last chunk are left for the next response") {
  std::string body = "3\r\nabc\r\n0\r\nT: v\r\n\r\n";
  std::string next = "HTTP/1.1 200 OK\r\n\r\n";
  Decoded d = decode_all(body + next);
  CHECK(d.complete);
  CHECK(d.body == "abc");
  CHECK(d.consumed == body.size());
  check_every_split(body + next);

  ChunkedDecoder decoder;
  std::string out;
  CHECK(decoder.feed(body, out).kind == ParseResult::Complete);
  ParseResult again = decoder.feed(next, out);
  CHECK(again.kind == ParseResult::Complete);
  CHECK(again.consumed == 0);
}

TEST_CASE("chunked: a body of many chunks") {
  std::string in, expected;
  for (int i = 1; i <= 500; ++i) {
    std::string data(static_cast<size_t>(i % 37 + 1), static_cast<char>('a' + i % 26));
    char size[16];
    snprintf(size, sizeof size, "%zx", data.size());
    in += std::string(size) + "\r\n" + data + "\r\n";
    expected += data;
  }
  in += "0\r\n\r\n";
  Decoded d = decode_all(in);
  CHECK(d.complete);
  CHECK(d.body == expected);
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < in.size(); ++i) bytes.push_back(std::string_view(in).substr(i, 1));
  CHECK(decode_pieces(bytes).body == expected);
}

TEST_CASE("chunked: malformed input fails with an error for every split") {
  const std::string bad[] = {
      "\r\n",
      "g\r\n",
      "-1\r\n",
      ";ext\r\n",
      "5\nhello\r\n",
      "5\r\nhelloX\r\n",
      "5\r\nhello\rX",
      "5\r\nhello\n",
      "5 x\x01\r\n",
      "0\r\nT: v\n",
      "0\r\nT: v\r\r",
      "0\r\n\rX",
      "10000000000000000\r\n",
      "8000000000000000\r\n",
  };
  for (const std::string& in : bad) {
    CHECK_MESSAGE(decode_all(in).body.rfind("ERROR: ", 0) == 0, in);
    check_every_split(in);
  }
  CHECK(decode_all("7fffffffffffffff\r\nabc").body == "abc");
}

TEST_CASE("chunked: oversized chunk-size lines and trailers are refused") {
  std::string long_ext = "5;" + std::string(kMaxChunkLineBytes, 'x') + "\r\n";
  Decoded d = decode_all(long_ext);
  CHECK(d.body.find("too long") != std::string::npos);
  std::string just_fits = "5;" + std::string(kMaxChunkLineBytes - 4, 'x') + "\r\nhello\r\n0\r\n\r\n";
  CHECK(decode_all(just_fits).body == "hello");
  std::string zeros = std::string(kMaxChunkLineBytes + 1, '0');
  CHECK(decode_all(zeros).body.find("too long") != std::string::npos);

  std::string trailers = "0\r\n";
  while (trailers.size() < 2 * kMaxHeadBytes) trailers += "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  CHECK(decode_all(trailers).body.find("trailer") != std::string::npos);
}

TEST_CASE("serialize_request writes the request line, Host, Content-Length and body") {
  Request get;
  get.target = "/api/v1/namespaces?limit=500";
  get.headers = {{"Accept", "application/json"}};
  CHECK(serialize_request(get, "10.0.0.1:6443") ==
        "GET /api/v1/namespaces?limit=500 HTTP/1.1\r\nHost: 10.0.0.1:6443\r\n"
        "Accept: application/json\r\n\r\n");

  Request post;
  post.method = "POST";
  post.target = "/";
  post.body = "{\"a\":1}";
  CHECK(serialize_request(post, "h") == "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n\r\n{\"a\":1}");

  Request empty_put;
  empty_put.method = "PUT";
  CHECK(serialize_request(empty_put, "h") == "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");

  // What we serialise, our own parser reads back.
  RequestHead back;
  std::string wire = serialize_request(get, "h");
  ParseResult p = parse_request_head(wire, back);
  CHECK(p.kind == ParseResult::Complete);
  CHECK(p.consumed == wire.size());
  CHECK(back.target == get.target);
}

TEST_CASE("header helpers compare names case-insensitively") {
  CHECK(iequals("Content-Length", "content-length"));
  CHECK_FALSE(iequals("Content-Length", "Content-Lengt"));
  CHECK_FALSE(iequals("a", "b"));
  Headers h = {{"A", "1"}, {"a", "2"}};
  CHECK(find_header(h, "a") == "1");
}

TEST_CASE("hex_digit_value accepts both cases and nothing else") {
  CHECK(hex_digit_value('0') == 0);
  CHECK(hex_digit_value('9') == 9);
  CHECK(hex_digit_value('a') == 10);
  CHECK(hex_digit_value('F') == 15);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xff'}) CHECK(hex_digit_value(c) == -1);
}
