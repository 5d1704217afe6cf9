// The one seam between the Kubernetes client and the network: send a request, stream a
// response, cancel. HttpTransport forwards to an http::Client; unit tests substitute a fake that
// records requests and answers them when the test says so.
// Contract (as http::Client's): callbacks are never invoked from inside send()/stream(); each
// request gets exactly one completion (done / on_end) unless cancelled, and none after cancel().
#pragma once

#include <functional>
#include <memory>

#include "base/result.h"
#include "http/client.h"

namespace imps::kube {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual http::RequestId send(http::Request request,
                               std::function<void(Result<http::Response>)> done) = 0;
  virtual http::RequestId stream(http::Request request, http::StreamHandlers handlers) = 0;
  virtual void cancel(http::RequestId id) = 0;
};

class HttpTransport final : public Transport {
 public:
  explicit HttpTransport(std::unique_ptr<http::Client> client) : client_(std::move(client)) {}

  http::RequestId send(http::Request request,
                       std::function<void(Result<http::Response>)> done) override {
    return client_->send(std::move(request), std::move(done));
  }
  http::RequestId stream(http::Request request, http::StreamHandlers handlers) override {
    return client_->stream(std::move(request), std::move(handlers));
  }
  void cancel(http::RequestId id) override { client_->cancel(id); }

 private:
  std::unique_ptr<http::Client> client_;
};

}  // namespace imps::kube
