#include "services/gateway/api/http_gateway.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/log/trace.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "services/gateway/api/backend_pool.h"
#include "services/gateway/domain/admission.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/gateway/api/http_server.h"

namespace lnob::gateway {

HttpGateway::Response ErrorResponse(const absl::Status& status) {
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(status.code()));
  rpc.set_message(std::string(status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    auto* any = rpc.add_details();
    any->set_type_url(std::string(url));
    any->set_value(std::string(payload));
  });
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(rpc, &json).ok()) {
    json = absl::StrCat("{\"code\":", rpc.code(), ",\"message\":\"error\"}");
  }
  return {HttpStatusForCode(status.code()), json};
}

namespace {

using Response = HttpGateway::Response;
using Done = std::function<void(Response)>;

// A backend's own errors carry details and pass through unchanged. A status without details
// came from the transport (connection refused, deadline, reset): it gets a stable reason,
// and its message, which may name internal addresses, is replaced.
absl::Status BackendError(const grpc::Status& status) {
  if (!status.error_details().empty()) return FromGrpcStatus(status);
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return WithReason(absl::UnavailableError("the service behind this route is unavailable; retry later"),
                        "BACKEND_UNAVAILABLE");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return WithReason(absl::DeadlineExceededError("the service behind this route did not answer in time"),
                        "BACKEND_TIMEOUT");
    case grpc::StatusCode::CANCELLED:
      return WithReason(absl::CancelledError("the call was cancelled"), "CANCELLED");
    case grpc::StatusCode::RESOURCE_EXHAUSTED:  // the transport's message limit, not a rate limit
      return WithReason(absl::InternalError("the response of the service behind this route is too large"),
                        "BACKEND_RESPONSE_TOO_LARGE");
    default:
      return WithReason(FromGrpcStatus(status), "BACKEND_ERROR");
  }
}

Response WithRetryAfter(Response r, int seconds) {
  r.retry_after_seconds = seconds;
  return r;
}

// Fixed label values: a client must not be able to mint metric series.
std::string MethodLabel(const std::string& method) {
  static constexpr absl::string_view kKnown[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
  for (absl::string_view m : kKnown) {
    if (method == m) return method;
  }
  return "OTHER";
}

}  // namespace

struct HttpGateway::Impl {
  // One request from arrival to its access-log line; shared by the steps that continue it
  // on other threads (API-key worker, gRPC completion). It is released last, after every
  // grpc::ClientContext of the request: a context keeps its channel, and the last reference
  // to a channel must not go on a gRPC callback thread (Stop() waits for this release).
  struct Exchange {
    explicit Exchange(Impl* i) : impl(i) {
      std::lock_guard<std::mutex> l(impl->mu);
      ++impl->outstanding;
    }
    ~Exchange() {
      std::lock_guard<std::mutex> l(impl->mu);
      if (--impl->outstanding == 0) impl->idle_cv.notify_all();
    }
    Impl* const impl;
    std::string method;
    std::string target;
    std::string body;
    std::map<std::string, std::string> headers;
    bool body_too_large = false;
    Done done;
    absl::Time start = absl::Now();
    std::string route = "unmatched";  // the path template: fixed labels, no concrete ids
    std::string client;               // "sub:<token subject>", else "cn:<certificate CN>", else "addr:<ip>"
    std::string request_id;
    CallerInfo caller;
    TraceContext trace;
    bool limited = false;  // counted against max_concurrent_requests
    std::string Header(const char* name) const {
      auto it = headers.find(name);
      return it == headers.end() ? std::string() : it->second;
    }
  };
  using ExchangePtr = std::shared_ptr<Exchange>;

  // A backend call in flight; Stop() cancels those still open after the drain timeout.
  struct BackendCall {
    ExchangePtr ex;  // first: released after ctx
    const Route* route = nullptr;
    std::string address, authorization;
    grpc::GenericStub* stub = nullptr;
    bool retry_safe = false;  // RetrySafe: idempotent, and its request_id set if it has one
    absl::Time deadline;  // of the whole request, across attempts
    int attempt = 1;
    grpc::ClientContext ctx;
    grpc::ByteBuffer request, response;
  };

  Impl(GatewayConfig c, const google::protobuf::DescriptorPool* p, RouteTable r, Admission* a, BackendPool* b)
      : config(std::move(c)), pool(p), routes(std::move(r)), transcoder(p), admission(a), backends(b) {}

  const GatewayConfig config;
  const google::protobuf::DescriptorPool* pool;
  RouteTable routes;
  Transcoder transcoder;
  Admission* const admission;
  BackendPool* const backends;
  prometheus::Family<prometheus::Counter>* requests = nullptr;
  prometheus::Family<prometheus::Histogram>* durations = nullptr;
  prometheus::Gauge* in_flight = nullptr;
  prometheus::Counter* refused = nullptr;
  prometheus::Counter* retries = nullptr;
  std::unique_ptr<boost::asio::thread_pool> retry_timers = std::make_unique<boost::asio::thread_pool>(1);
  std::unique_ptr<HttpServer> server;

  // Requests not yet released: `outstanding` counts all (Stop waits for it), `limited` those
  // not yet answered under the concurrency limit (probes are not: a busy gateway must still
  // answer them).
  std::mutex mu;
  std::condition_variable idle_cv;
  int outstanding = 0;
  int limited = 0;
  bool cancelling = false;  // after the drain timeout: backend calls are cancelled
  std::set<BackendCall*> calls;

  void Serve(ExchangePtr ex);
  void Forward(const ExchangePtr& ex, const RouteMatch& match, const std::string& query_text);
  // Before the body is read: a routed call whose credentials or permission fail is answered
  // from its headers alone.
  std::optional<Response> Precheck(const HttpRequest& req);
  void SendToBackend(const std::shared_ptr<BackendCall>& call);
  bool Retry(const std::shared_ptr<BackendCall>& call, const grpc::Status& status);
  void BackendDone(const std::shared_ptr<BackendCall>& call, const grpc::Status& status);
  void Finish(const ExchangePtr& ex, Response resp);
  bool WaitIdle(absl::Duration timeout) {
    std::unique_lock<std::mutex> l(mu);
    return idle_cv.wait_for(l, absl::ToChronoNanoseconds(timeout), [this] { return outstanding == 0; });
  }
};

void HttpGateway::Impl::Serve(ExchangePtr ex) {
  // Headers reach gRPC metadata, which takes printable ASCII only: a caller's odd bytes must
  // never get that far.
  ex->request_id = RequestIdOrNew(ex->Header("x-request-id"));
  ex->trace = ContinueOrStartTrace(ex->Header("traceparent"));
  ex->caller.peer = ex->Header(":remote");
  ex->caller.forwarded_for = ex->Header("x-forwarded-for");
  ex->caller.client_cn = ex->Header(":client-cn");
  ex->caller.authorization = ex->Header("authorization");
  ex->caller.api_key = ex->Header("x-api-key");
  ex->client = admission->ClientOf(ex->caller);
  absl::string_view path = ex->target;
  std::string query_text;
  if (auto q = path.find('?'); q != absl::string_view::npos) {
    query_text = std::string(path.substr(q + 1));
    path = path.substr(0, q);
  }
  // Probes are never refused: an overloaded gateway is neither dead nor, by itself, unready.
  if (path == "/healthz") {
    ex->route = "/healthz";
    return Finish(ex, {200, "{\"status\":\"ok\"}"});
  }
  if (path == "/readyz") {
    // The backends' verdicts from the shared prober: an unauthenticated probe never makes
    // the gateway call a backend.
    ex->route = "/readyz";
    const std::string failed = backends->FirstNotServing();
    if (failed.empty()) return Finish(ex, {200, "{\"status\":\"ready\"}"});
    return Finish(ex, {503, absl::StrCat("{\"status\":\"not ready\",\"service\":\"", failed, "\"}")});
  }
  {
    std::lock_guard<std::mutex> l(mu);
    ex->limited = limited < config.max_concurrent_requests;
    if (ex->limited) ++limited;
  }
  if (!ex->limited) {
    refused->Increment();
    const absl::Status overloaded = WithReason(
        absl::UnavailableError("the gateway is at its concurrency limit; retry later"), "OVERLOADED");
    return Finish(ex, WithRetryAfter(ErrorResponse(overloaded), 1));
  }
  in_flight->Increment();
  if (ex->body_too_large) {
    Response r = ErrorResponse(WithReason(absl::ResourceExhaustedError("request body too large"), "BODY_TOO_LARGE"));
    r.status = 413;
    return Finish(ex, std::move(r));
  }
  if (path == "/openapi.json" && !config.openapi_json.empty()) {
    ex->route = "/openapi.json";
    return Finish(ex, {200, config.openapi_json});
  }
  auto match = routes.Find(ex->method, UrlDecode(path, false));
  if (!match.ok()) {
    Response r = ErrorResponse(match.status());
    if (match.status().code() == absl::StatusCode::kUnimplemented) r.status = 405;
    return Finish(ex, std::move(r));
  }
  ex->route = match->route->template_text;
  Forward(ex, *match, query_text);
}

std::optional<HttpGateway::Response> HttpGateway::Impl::Precheck(const HttpRequest& req) {
  absl::string_view path = req.target;
  if (auto q = path.find('?'); q != absl::string_view::npos) path = path.substr(0, q);
  auto match = routes.Find(req.method, UrlDecode(path, false));
  if (!match.ok()) return std::nullopt;  // answered (404/405) like any unmatched request
  CallerInfo caller;
  auto header = [&req](const char* name) {
    auto it = req.headers.find(name);
    return it == req.headers.end() ? std::string() : it->second;
  };
  caller.peer = header(":remote");
  caller.forwarded_for = header("x-forwarded-for");
  caller.client_cn = header(":client-cn");
  caller.authorization = header("authorization");
  caller.api_key = header("x-api-key");
  AdmissionResult checked = admission->Check(match->route->grpc_path, caller);
  if (checked.status.ok()) return std::nullopt;
  // Logged and counted like any answered request.
  auto ex = std::make_shared<Exchange>(this);
  ex->method = req.method;
  ex->target = req.target;
  ex->headers = req.headers;
  ex->request_id = RequestIdOrNew(header("x-request-id"));
  ex->trace = ContinueOrStartTrace(header("traceparent"));
  ex->client = checked.client;
  ex->route = match->route->template_text;
  std::optional<Response> answer;
  ex->done = [&answer](Response r) { answer = std::move(r); };
  Finish(ex, WithRetryAfter(ErrorResponse(checked.status), checked.retry_after_seconds));
  return answer;
}

// Identity, permission and rate (admission.h, shared with the gRPC face), transcoding, then
// the backend call; its completion finishes the request.
void HttpGateway::Impl::Forward(const ExchangePtr& ex, const RouteMatch& match, const std::string& query_text) {
  AdmissionResult admitted = admission->Admit(match.route->grpc_path, ex->caller);
  ex->client = admitted.client;
  if (!admitted.status.ok()) return Finish(ex, WithRetryAfter(ErrorResponse(admitted.status), admitted.retry_after_seconds));
  std::vector<std::pair<std::string, std::string>> query;
  for (absl::string_view kv : absl::StrSplit(query_text, '&', absl::SkipEmpty())) {
    auto eq = kv.find('=');
    query.push_back({UrlDecode(kv.substr(0, eq), true),
                     eq == absl::string_view::npos ? "" : UrlDecode(kv.substr(eq + 1), true)});
  }
  bool retry_safe = false;
  auto request = transcoder.BuildRequest(match, query, ex->body, &retry_safe);
  if (!request.ok()) return Finish(ex, ErrorResponse(request.status()));
  const std::string service = std::string(match.route->method->service()->full_name());
  auto call = std::make_shared<BackendCall>();
  call->stub = backends->StubFor(service, &call->address);
  if (call->stub == nullptr) {
    return Finish(ex, ErrorResponse(absl::UnavailableError(absl::StrCat("no backend configured for ", service))));
  }
  call->ex = ex;
  call->route = match.route;
  call->authorization = std::move(admitted.authorization);
  call->retry_safe = retry_safe;
  call->deadline = absl::Now() + TimeoutFor(config.route_timeouts, match.route->grpc_path, config.timeout);
  grpc::Slice slice(*request);
  call->request = grpc::ByteBuffer(&slice, 1);
  SendToBackend(call);
}

void HttpGateway::Impl::SendToBackend(const std::shared_ptr<BackendCall>& call) {
  const ExchangePtr& ex = call->ex;
  call->ctx.set_deadline(absl::ToChronoTime(call->deadline));
  if (!call->authorization.empty() && IsMetadataText(call->authorization)) {
    call->ctx.AddMetadata("authorization", call->authorization);
  }
  call->ctx.AddMetadata("x-request-id", ex->request_id);
  call->ctx.AddMetadata("traceparent", ex->trace.ChildTraceparent());
  // Why personal data is read (Decree 13/2023): the services record it in their audit.
  if (const std::string purpose = ex->Header("x-lnob-purpose"); !purpose.empty() && IsMetadataText(purpose)) {
    call->ctx.AddMetadata("x-lnob-purpose", purpose.substr(0, 200));
  }
  bool stopping = false;
  {
    std::lock_guard<std::mutex> l(mu);
    stopping = cancelling;
    if (!stopping) calls.insert(call.get());
  }
  // Finish takes mu itself: never call it with mu held.
  if (stopping) return Finish(ex, ErrorResponse(absl::UnavailableError("the gateway is stopping")));
  call->stub->UnaryCall(&call->ctx, call->route->grpc_path, grpc::StubOptions(), &call->request, &call->response,
                  [this, call](grpc::Status st) { BackendDone(call, st); });
}

bool HttpGateway::Impl::Retry(const std::shared_ptr<BackendCall>& call, const grpc::Status& status) {
  // Only a call that never reached the service (no details: the transport's verdict) whose
  // repetition cannot change the outcome (RetrySafe), within the request's deadline.
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE || !status.error_details().empty() ||
      !call->retry_safe || call->attempt >= config.max_attempts) {
    return false;
  }
  absl::Duration delay = config.retry_backoff;
  for (int i = 1; i < call->attempt; ++i) delay *= 3;
  if (absl::Now() + delay >= call->deadline) return false;
  {
    std::lock_guard<std::mutex> l(mu);
    if (cancelling) return false;
  }
  auto next = std::make_shared<BackendCall>();
  next->ex = call->ex;
  next->route = call->route;
  next->address = call->address;
  next->stub = call->stub;
  next->retry_safe = call->retry_safe;
  next->authorization = call->authorization;
  next->deadline = call->deadline;
  next->attempt = call->attempt + 1;
  next->request = call->request;
  retries->Increment();
  auto timer = std::make_shared<boost::asio::steady_timer>(retry_timers->get_executor(), absl::ToChronoNanoseconds(delay));
  timer->async_wait([this, next, timer](const boost::system::error_code&) { SendToBackend(next); });
  return true;
}

void HttpGateway::Impl::BackendDone(const std::shared_ptr<BackendCall>& call, const grpc::Status& status) {
  {
    std::lock_guard<std::mutex> l(mu);
    calls.erase(call.get());
  }
  if (!status.ok()) {
    if (Retry(call, status)) return;
    return Finish(call->ex, ErrorResponse(BackendError(status)));
  }
  std::vector<grpc::Slice> slices;
  if (!call->response.Dump(&slices).ok()) {
    return Finish(call->ex, ErrorResponse(absl::InternalError("unreadable backend response")));
  }
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  auto json = transcoder.ResponseJson(*call->route, bytes);
  if (!json.ok()) return Finish(call->ex, ErrorResponse(json.status()));
  Finish(call->ex, {200, *std::move(json)});
}

void HttpGateway::Impl::Finish(const ExchangePtr& ex, Response resp) {
  const double secs = absl::ToDoubleSeconds(absl::Now() - ex->start);
  requests->Add({{"route", ex->route}, {"method", MethodLabel(ex->method)}, {"code", absl::StrCat(resp.status)}})
      .Increment();
  static const auto* bounds = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  durations->Add({{"route", ex->route}}, *bounds).Observe(secs);
  resp.request_id = ex->request_id;
  {
    log::ScopedCallIds ids(ex->request_id, ex->trace.trace_id);
    // Access log: the route template, never the concrete path, query string or body.
    log::Info("http", {{"time", FormatTimestamp(ex->start)},
                       {"client", ex->client},
                       {"route", ex->route},
                       {"method", ex->method},
                       {"status", absl::StrCat(resp.status)},
                       {"duration_ms", absl::StrCat(static_cast<int64_t>(secs * 1000))},
                       {"bytes_in", absl::StrCat(ex->body.size())},
                       {"bytes_out", absl::StrCat(resp.body.size())}});
  }
  if (ex->limited) {
    in_flight->Decrement();
    std::lock_guard<std::mutex> l(mu);
    --limited;
  }
  Done done = std::move(ex->done);
  done(std::move(resp));
}

HttpGateway::HttpGateway(GatewayConfig config, const google::protobuf::DescriptorPool* pool, RouteTable routes,
                         metrics::Metrics* metrics, Admission* admission, BackendPool* backends)
    : impl_(std::make_unique<Impl>(std::move(config), pool, std::move(routes), admission, backends)) {
  auto& reg = metrics->registry();
  impl_->requests = &prometheus::BuildCounter().Name("http_requests_total").Help("HTTP requests by route, method and status code").Register(reg);
  impl_->durations = &prometheus::BuildHistogram().Name("http_request_duration_seconds").Help("HTTP request latency by route").Register(reg);
  impl_->in_flight = &prometheus::BuildGauge()
                          .Name("http_requests_in_flight")
                          .Help("HTTP requests being served (those counted against --max_concurrent_requests)")
                          .Register(reg)
                          .Add({});
  impl_->retries = &prometheus::BuildCounter()
                        .Name("gateway_backend_retries_total")
                        .Help("Calls of idempotent methods sent again because the backend could not be reached")
                        .Register(reg)
                        .Add({});
  impl_->refused = &prometheus::BuildCounter()
                        .Name("gateway_requests_refused_total")
                        .Help("Requests refused at once because the face was at --max_concurrent_requests")
                        .Register(reg)
                        .Add({{"face", "rest"}, {"reason", "overloaded"}});
}

HttpGateway::~HttpGateway() { Stop(); }

void HttpGateway::HandleAsync(const std::string& method, const std::string& target, std::string body,
                              std::map<std::string, std::string> headers, std::function<void(Response)> done) {
  auto ex = std::make_shared<Impl::Exchange>(impl_.get());
  ex->method = method;
  ex->target = target;
  ex->body = std::move(body);
  ex->headers = std::move(headers);
  ex->done = std::move(done);
  impl_->Serve(std::move(ex));
}

HttpGateway::Response HttpGateway::Handle(const std::string& method, const std::string& target, const std::string& body,
                                          const std::map<std::string, std::string>& headers) {
  std::promise<Response> promise;
  auto answer = promise.get_future();
  HandleAsync(method, target, body, headers, [&promise](Response r) { promise.set_value(std::move(r)); });
  return answer.get();
}

absl::Status HttpGateway::Start() {
  const GatewayConfig& c = impl_->config;
  HttpServerOptions options;
  options.listen_host = c.listen_host;
  options.port = c.http_port;
  options.threads = std::max(1, c.http_threads);
  options.max_body_bytes = c.max_body_bytes;
  options.request_timeout = c.request_timeout;
  options.header_timeout = c.header_timeout;
  options.max_connections = c.max_connections;
  options.tls = c.tls;
  auto to_reply = [](Response r) {
    HttpReply reply;
    reply.status = r.status;
    reply.content_type = std::move(r.content_type);
    reply.body = std::move(r.body);
    reply.headers.emplace_back("x-request-id", std::move(r.request_id));
    if (r.retry_after_seconds > 0) reply.headers.emplace_back("retry-after", absl::StrCat(r.retry_after_seconds));
    return reply;
  };
  // Credentials are checked from the headers: a refused caller never gets its body read.
  options.precheck = [this, to_reply](const HttpRequest& req) -> std::optional<HttpReply> {
    std::optional<Response> refused = impl_->Precheck(req);
    if (!refused) return std::nullopt;
    return to_reply(*std::move(refused));
  };
  impl_->server = std::make_unique<HttpServer>(options, [this, to_reply](HttpRequest req, HttpResponder respond) {
    auto ex = std::make_shared<Impl::Exchange>(impl_.get());
    ex->method = std::move(req.method);
    ex->target = std::move(req.target);
    ex->body = std::move(req.body);
    ex->headers = std::move(req.headers);
    ex->body_too_large = req.body_too_large;
    ex->done = [respond = std::move(respond), to_reply](Response r) { respond(to_reply(std::move(r))); };
    impl_->Serve(std::move(ex));
  });
  if (auto st = impl_->server->Start(); !st.ok()) {
    impl_->server.reset();
    return st;
  }
  port_ = impl_->server->port();
  log::Info("gateway serving REST", {{"http_port", absl::StrCat(port_)},
                                     {"routes", absl::StrCat(impl_->routes.routes().size())},
                                     {"threads", absl::StrCat(options.threads)},
                                     {"max_concurrent_requests", absl::StrCat(c.max_concurrent_requests)},
                                     {"tls", c.tls.mutual() ? "mutual" : c.tls.enabled() ? "on" : "off"}});
  return absl::OkStatus();
}

void HttpGateway::Stop() {
  if (!impl_) return;
  Impl& m = *impl_;
  const absl::Time deadline = absl::Now() + m.config.drain_timeout;
  if (m.server) m.server->Drain(m.config.drain_timeout);
  if (!m.WaitIdle(std::max(deadline - absl::Now(), absl::Milliseconds(100)))) {
    // Past the drain timeout: cancel the backend calls still open; they complete at once.
    std::lock_guard<std::mutex> l(m.mu);
    m.cancelling = true;
    for (Impl::BackendCall* call : m.calls) call->ctx.TryCancel();
    log::Warn("REST requests cancelled at shutdown", {{"count", absl::StrCat(m.outstanding)}});
  }
  if (!m.WaitIdle(absl::Seconds(5))) log::Warn("REST requests still open at shutdown");
  m.retry_timers->join();
  if (m.server) m.server->Shutdown();
}

}  // namespace lnob::gateway
