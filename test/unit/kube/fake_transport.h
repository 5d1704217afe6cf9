// A Transport that records requests and answers them when the test says so, honouring the
// transport contract: nothing is called back from inside send()/stream(), nothing after cancel().
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/clock.h"
#include "kube/client.h"
#include "kube/transport.h"
#include "loop/event_loop.h"

namespace imps::kube::testing {

struct Exchange {
  http::RequestId id = 0;
  http::Request request;
  std::function<void(Result<http::Response>)> done;  // plain requests
  http::StreamHandlers handlers;                     // streams
  bool cancelled = false;

  std::string header(std::string_view name) const {
    return std::string(http::find_header(request.headers, name).value_or("<none>"));
  }
};

inline http::Response response(int status, std::string body = {}, http::Headers headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  if (!http::find_header(r.headers, "Content-Type")) r.headers.push_back({"Content-Type", "application/json"});
  return r;
}

// Owned by the test; the Client owns the FakeTransport that points at it.
struct FakeApi {
  std::vector<Exchange> sent;
  http::RequestId next_id = 1;

  Exchange& last() {
    REQUIRE(!sent.empty());
    return sent.back();
  }
  void reply(size_t index, http::Response r) {
    REQUIRE(index < sent.size());
    auto done = std::move(sent[index].done);
    REQUIRE(done);
    done(std::move(r));
  }
  // Stream callbacks run on a copy: the watch may cancel itself (clearing the stored handlers)
  // from inside one.
  void head(size_t index, http::Response r) {
    http::StreamHandlers h = sent.at(index).handlers;
    if (h.on_head) h.on_head(r);
  }
  void data(size_t index, std::string_view bytes) {
    http::StreamHandlers h = sent.at(index).handlers;
    if (h.on_data) h.on_data(bytes);
  }
  void end(size_t index, Status status = {}) {
    http::StreamHandlers h = sent.at(index).handlers;
    sent.at(index).handlers = {};
    if (h.on_end) h.on_end(std::move(status));
  }
  void fail(size_t index, Error error) {
    auto done = std::move(sent[index].done);
    REQUIRE(done);
    done(std::move(error));
  }
};

class FakeTransport final : public Transport {
 public:
  explicit FakeTransport(FakeApi& api) : api_(api) {}

  http::RequestId send(http::Request request, std::function<void(Result<http::Response>)> done) override {
    Exchange e;
    e.id = api_.next_id++;
    e.request = std::move(request);
    e.done = std::move(done);
    api_.sent.push_back(std::move(e));
    return api_.sent.back().id;
  }
  http::RequestId stream(http::Request request, http::StreamHandlers handlers) override {
    Exchange e;
    e.id = api_.next_id++;
    e.request = std::move(request);
    e.handlers = std::move(handlers);
    api_.sent.push_back(std::move(e));
    return api_.sent.back().id;
  }
  void cancel(http::RequestId id) override {
    for (Exchange& e : api_.sent) {
      if (e.id != id) continue;
      e.cancelled = true;
      e.done = nullptr;
      e.handlers = {};
    }
  }

 private:
  FakeApi& api_;
};

// A kube::Client over a FakeApi on a manual-clock loop.
struct ClientFixture {
  ManualClock clock;
  loop::EventLoop loop{clock};
  FakeApi api;
  std::unique_ptr<Client> client;

  explicit ClientFixture(ClientOptions options = {}, TokenSource tokens = TokenSource::fixed("t0ken"),
                         std::string prefix = {}) {
    client = std::make_unique<Client>(loop, std::make_unique<FakeTransport>(api), std::move(tokens),
                                      std::move(options), std::move(prefix));
  }
  // Runs due timers and deferred calls (the client sends from timers, never inline).
  void pump() {
    for (int i = 0; i < 3; ++i) REQUIRE(loop.run_once(0).ok());
  }
};

}  // namespace imps::kube::testing
