#ifndef LNOB_SERVICES_GATEWAY_API_HTTP_GATEWAY_H_
#define LNOB_SERVICES_GATEWAY_API_HTTP_GATEWAY_H_

// REST/JSON face of the gateway: routes from the descriptor set, generic gRPC calls to the
// backends with the caller's metadata and a deadline, served by an asynchronous HTTP/1.1
// server (api/http_server.h). No request ever holds an io thread while a backend answers.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/metrics/metrics.h"
#include "services/gateway/api/tls_config.h"
#include "services/gateway/domain/routes.h"
#include "services/gateway/domain/transcoder.h"

namespace lnob::gateway {

class Admission;
class BackendPool;

struct GatewayConfig {
  std::string listen_host = "0.0.0.0";
  int http_port = 8080;
  absl::Duration timeout = absl::Seconds(10);   // per call, unless the route says otherwise
  RouteTimeouts route_timeouts;                 // per service or method
  // Attempts of an idempotent call whose backend could not be reached (transport
  // UNAVAILABLE); other methods and other errors are never retried.
  int max_attempts = 3;
  absl::Duration retry_backoff = absl::Milliseconds(100);  // then x3 per further attempt
  size_t max_body_bytes = 4 << 20;
  std::string openapi_json;  // served at /openapi.json
  int http_threads = 2;                  // io threads of the server
  int max_concurrent_requests = 1000;    // more at once are refused: 503 OVERLOADED
  absl::Duration request_timeout = absl::Seconds(30);  // socket read/write of one request
  absl::Duration header_timeout = absl::Seconds(10);   // a request's headers; idle keep-alive
  size_t max_connections = 2000;                       // at the cap the longest-idle one is closed
  absl::Duration drain_timeout = absl::Seconds(5);     // in-flight requests at Stop()
  TlsConfig tls;                                       // HTTPS (and client certificates)
};

class HttpGateway {
 public:
  // admission: identity (API key, bearer token), permission and rate, decided before
  // anything is forwarded (shared with the gRPC face; the services verify again). backends:
  // the routed services' channels and health (shared with the gRPC face).
  HttpGateway(GatewayConfig config, const google::protobuf::DescriptorPool* pool, RouteTable routes,
              metrics::Metrics* metrics, Admission* admission, BackendPool* backends);
  ~HttpGateway();
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  absl::Status Start();
  // Stops accepting, lets requests in flight finish within drain_timeout, then cancels
  // the backend calls still open and closes every connection.
  void Stop();
  int port() const { return port_; }

  struct Response {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::string request_id;
    int retry_after_seconds = 0;  // set with 429 and 503 OVERLOADED
  };
  // One request, independent of the socket. headers: lower-case names; ":remote" is the
  // peer address and ":client-cn" the subject CN of a verified client certificate.
  // `done` runs exactly once, on whichever thread finishes the request (possibly this one).
  void HandleAsync(const std::string& method, const std::string& target, std::string body,
                   std::map<std::string, std::string> headers, std::function<void(Response)> done);
  // The same, waiting for the answer (tests and the fuzz target; never from an io thread).
  Response Handle(const std::string& method, const std::string& target, const std::string& body,
                  const std::map<std::string, std::string>& headers);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

// The one gRPC code -> HTTP status table (common/status) applied to an error as JSON
// {code, message, details}.
HttpGateway::Response ErrorResponse(const absl::Status& status);

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_API_HTTP_GATEWAY_H_
