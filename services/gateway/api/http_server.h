#ifndef LNOB_SERVICES_GATEWAY_API_HTTP_SERVER_H_
#define LNOB_SERVICES_GATEWAY_API_HTTP_SERVER_H_

// Asynchronous HTTP/1.1 server of the REST face: Boost.Beast over a fixed pool of Asio io
// threads, keep-alive, a timeout on every socket read and write, optional TLS (and client
// certificates), and a graceful stop. It knows nothing of routes: each request goes to the
// handler, whose reply may come later from any thread; the io threads never wait for it.
// Asio, Beast and OpenSSL stay inside the .cc.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/gateway/api/tls_config.h"

namespace lnob::gateway {

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, as received
  std::string body;
  // Lower-case names. Set by the server, never by the client: ":remote" (peer address) and,
  // with client certificates, ":client-cn" (subject CN of the verified certificate).
  std::map<std::string, std::string> headers;
  bool body_too_large = false;  // the body exceeded max_body_bytes and was not read
};

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Must be called exactly once per request, from any thread.
using HttpResponder = std::function<void(HttpReply)>;
using HttpHandler = std::function<void(HttpRequest, HttpResponder)>;
// Called with a request's method, target and headers before its body is read (body empty);
// a reply refuses the request at once (the connection then closes: the body is never read).
using HttpPrecheck = std::function<std::optional<HttpReply>(const HttpRequest&)>;

struct HttpServerOptions {
  std::string listen_host = "0.0.0.0";
  int port = 8080;  // 0 = pick a free port
  int threads = 2;  // io threads
  size_t max_body_bytes = 4 << 20;
  // A client gets this long to send one request (including idle time on a kept-alive
  // connection and the TLS handshake) and to take one response.
  absl::Duration request_timeout = absl::Seconds(30);
  // Time to send a request's headers, and to start the next request on a kept-alive
  // connection (slowloris: a client trickling headers or holding sockets open).
  absl::Duration header_timeout = absl::Seconds(10);
  // Connections open at once. At the cap the longest-idle connection (one waiting for a
  // request) is closed to make room; with none idle the new connection is refused.
  size_t max_connections = 2000;
  HttpPrecheck precheck;  // optional
  TlsConfig tls;  // enabled(): HTTPS only; mutual(): client certificates required
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  absl::Status Start();
  int port() const { return port_; }

  // Stops accepting and closes idle connections; requests already received are still
  // answered (with "Connection: close"). True when none is left within `timeout`.
  bool Drain(absl::Duration timeout);
  // Closes every connection and joins the io threads. Call once no reply can still come.
  void Shutdown();

 private:
  struct Core;
  std::unique_ptr<Core> core_;
  int port_ = 0;
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_API_HTTP_SERVER_H_
