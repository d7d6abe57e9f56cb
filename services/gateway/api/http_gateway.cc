#include "services/gateway/api/http_gateway.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cmath>
#include <future>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/log/trace.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/gateway/domain/api_key_auth.h"

namespace lnob::gateway {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

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

struct HttpGateway::Impl {
  const google::protobuf::DescriptorPool* pool;
  RouteTable routes;
  Transcoder transcoder;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;  // by address
  std::unique_ptr<grpc::GenericStub> stub_for(const std::string& address) {
    return std::make_unique<grpc::GenericStub>(channels.at(address));
  }
  boost::asio::io_context ioc{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread accept_thread;
  std::atomic<bool> stopping{false};
  std::atomic<int> sessions{0};
  prometheus::Family<prometheus::Counter>* requests = nullptr;
  prometheus::Family<prometheus::Histogram>* durations = nullptr;
  prometheus::Gauge* in_flight = nullptr;
  std::unique_ptr<auth::Authorizer> authorizer;
  ApiKeyAuthenticator* api_keys = nullptr;

  // Token buckets per client.
  struct Bucket {
    double tokens;
    absl::Time refilled;
  };
  std::mutex buckets_mu;
  std::map<std::string, Bucket> buckets;
  // Seconds to wait when the client is over its rate, 0 when the request may go (and then,
  // unless consume is false, one token is taken).
  int Take(const std::string& client, double rps, double burst, bool consume = true) {
    if (rps <= 0) return 0;
    std::lock_guard<std::mutex> l(buckets_mu);
    const absl::Time now = absl::Now();
    if (buckets.size() > 100000) buckets.clear();  // bounded memory under address churn
    auto [it, fresh] = buckets.try_emplace(client, Bucket{burst, now});
    Bucket& b = it->second;
    b.tokens = std::min(burst, b.tokens + absl::ToDoubleSeconds(now - b.refilled) * rps);
    b.refilled = now;
    if (b.tokens >= 1) {
      if (consume) b.tokens -= 1;
      return 0;
    }
    return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rps)));
  }

  Impl(const google::protobuf::DescriptorPool* p, RouteTable r) : pool(p), routes(std::move(r)), transcoder(p) {}
};

HttpGateway::HttpGateway(GatewayConfig config, const google::protobuf::DescriptorPool* pool, RouteTable routes,
                         metrics::Metrics* metrics, std::unique_ptr<auth::Authorizer> authorizer)
    : impl_(std::make_unique<Impl>(pool, std::move(routes))), config_(std::move(config)) {
  impl_->authorizer = std::move(authorizer);
  for (const auto& [svc, address] : config_.backends) {
    if (!impl_->channels.count(address)) {
      impl_->channels[address] = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    }
  }
  auto& reg = metrics->registry();
  impl_->requests = &prometheus::BuildCounter().Name("http_requests_total").Help("HTTP requests by route, method and status code").Register(reg);
  impl_->durations = &prometheus::BuildHistogram().Name("http_request_duration_seconds").Help("HTTP request latency by route").Register(reg);
  impl_->in_flight = &prometheus::BuildGauge().Name("http_requests_in_flight").Help("HTTP requests being served").Register(reg).Add({});
}

HttpGateway::~HttpGateway() { Stop(); }

void HttpGateway::EnableApiKeys(ApiKeyAuthenticator* authenticator) { impl_->api_keys = authenticator; }

HttpGateway::Response HttpGateway::Handle(const std::string& method, const std::string& target, const std::string& body,
                                          const std::map<std::string, std::string>& headers) {
  const absl::Time start = absl::Now();
  impl_->in_flight->Increment();
  std::string route_label = "unmatched";
  auto header = [&](const char* name) {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  };
  std::string request_id = header("x-request-id");
  if (request_id.empty() || request_id.size() > 128) request_id = RandomHex(16);
  const TraceContext trace = ContinueOrStartTrace(header("traceparent"));
  Response resp = [&]() -> Response {
    absl::string_view path = target;
    absl::string_view query_text;
    if (auto q = path.find('?'); q != absl::string_view::npos) {
      query_text = path.substr(q + 1);
      path = path.substr(0, q);
    }
    if (path == "/healthz") return {200, "{\"status\":\"ok\"}"};
    if (path == "/openapi.json" && !config_.openapi_json.empty()) return {200, config_.openapi_json};
    if (path == "/readyz") {
      // Ready when every backend reports its routed services SERVING.
      for (const auto& [svc, address] : config_.backends) {
        grpc::ClientContext hc;
        hc.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
        grpc::health::v1::HealthCheckRequest hreq;
        hreq.set_service(svc);
        grpc::health::v1::HealthCheckResponse hresp;
        auto health = grpc::health::v1::Health::NewStub(impl_->channels.at(address));
        if (!health->Check(&hc, hreq, &hresp).ok() ||
            hresp.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
          return {503, absl::StrCat("{\"status\":\"not ready\",\"service\":\"", svc, "\"}")};
        }
      }
      return {200, "{\"status\":\"ready\"}"};
    }
    auto match = impl_->routes.Find(method, UrlDecode(path, false));
    if (!match.ok()) {
      if (match.status().code() == absl::StatusCode::kUnimplemented) {
        Response r = ErrorResponse(match.status());
        r.status = 405;
        return r;
      }
      return ErrorResponse(match.status());
    }
    route_label = match->route->template_text;
    std::string client = header(":remote");
    std::string authorization = header("authorization");
    double rps = config_.rate_limit_rps, burst = config_.rate_limit_burst;
    // A call made with an API key acts with the token minted for the key, whatever
    // authorization the caller sent, and under the key's own rate limit.
    if (const std::string secret = ApiKeyAuthenticator::SecretFromHeaders(header("x-api-key"), authorization);
        !secret.empty()) {
      if (impl_->api_keys == nullptr) {
        return ErrorResponse(WithReason(absl::UnauthenticatedError("API keys are not enabled on this gateway"),
                                        "API_KEYS_DISABLED"));
      }
      // Refused keys are charged to the caller's address: guessing keys cannot keep the
      // gateway's database busy.
      const std::string failures = "apikey-failures:" + client;
      if (int wait = impl_->Take(failures, config_.rate_limit_rps, config_.rate_limit_burst, false); wait > 0) {
        Response r = ErrorResponse(WithReason(absl::ResourceExhaustedError("too many refused API keys; retry later"),
                                              "RATE_LIMITED"));
        r.retry_after_seconds = wait;
        return r;
      }
      auto grant = impl_->api_keys->Authenticate(secret);
      if (!grant.ok()) {
        if (grant.status().code() == absl::StatusCode::kUnauthenticated) {
          impl_->Take(failures, config_.rate_limit_rps, config_.rate_limit_burst);
        }
        return ErrorResponse(grant.status());
      }
      authorization = grant->authorization;
      client = "sub:" + grant->subject;
      if (grant->rate_limit_rps > 0) {
        rps = grant->rate_limit_rps;
        burst = std::max(1.0, grant->rate_limit_rps);
      }
    }
    if (impl_->authorizer) {
      auto principal = impl_->authorizer->Authorize(match->route->grpc_path, authorization);
      if (!principal.ok()) return ErrorResponse(principal.status());
      if (!principal->subject.empty()) client = "sub:" + principal->subject;
    }
    if (int wait = impl_->Take(client, rps, burst); wait > 0) {
      Response r = ErrorResponse(WithReason(absl::ResourceExhaustedError("rate limit exceeded; retry later"), "RATE_LIMITED"));
      r.retry_after_seconds = wait;
      return r;
    }
    std::vector<std::pair<std::string, std::string>> query;
    for (absl::string_view kv : absl::StrSplit(query_text, '&', absl::SkipEmpty())) {
      auto eq = kv.find('=');
      query.push_back({UrlDecode(kv.substr(0, eq), true),
                       eq == absl::string_view::npos ? "" : UrlDecode(kv.substr(eq + 1), true)});
    }
    auto request = impl_->transcoder.BuildRequest(*match, query, body);
    if (!request.ok()) return ErrorResponse(request.status());
    const std::string service = std::string(match->route->method->service()->full_name());
    auto backend = config_.backends.find(service);
    if (backend == config_.backends.end()) {
      return ErrorResponse(absl::UnavailableError(absl::StrCat("no backend configured for ", service)));
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + config_.timeout));
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    ctx.AddMetadata("x-request-id", request_id);
    ctx.AddMetadata("traceparent", trace.ChildTraceparent());
    grpc::Slice slice(*request);
    grpc::ByteBuffer req_buf(&slice, 1), resp_buf;
    std::promise<grpc::Status> done;
    auto stub = impl_->stub_for(backend->second);
    stub->UnaryCall(&ctx, match->route->grpc_path, grpc::StubOptions(), &req_buf, &resp_buf,
                    [&done](grpc::Status s) { done.set_value(std::move(s)); });
    grpc::Status st = done.get_future().get();
    if (!st.ok()) return ErrorResponse(FromGrpcStatus(st));
    std::vector<grpc::Slice> slices;
    resp_buf.Dump(&slices);
    std::string bytes;
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    auto json = impl_->transcoder.ResponseJson(*match->route, bytes);
    if (!json.ok()) return ErrorResponse(json.status());
    return {200, *std::move(json)};
  }();
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  impl_->in_flight->Decrement();
  impl_->requests->Add({{"route", route_label}, {"method", method}, {"code", absl::StrCat(resp.status)}}).Increment();
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  impl_->durations->Add({{"route", route_label}}, *buckets).Observe(secs);
  resp.request_id = request_id;
  log::ScopedCallIds ids(request_id, trace.trace_id);
  log::Info("http", {{"route", route_label}, {"method", method}, {"status", absl::StrCat(resp.status)},
                     {"duration_ms", absl::StrCat(static_cast<int64_t>(secs * 1000))},
                     {"bytes", absl::StrCat(resp.body.size())}});
  return resp;
}

absl::Status HttpGateway::Start() {
  try {
    auto address = boost::asio::ip::make_address(config_.listen_host);
    impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->ioc, tcp::endpoint{address, static_cast<unsigned short>(config_.http_port)});
    port_ = impl_->acceptor->local_endpoint().port();
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.listen_host, ":", config_.http_port, ": ", e.what()));
  }
  impl_->accept_thread = std::thread([this] {
    while (!impl_->stopping) {
      beast::error_code ec;
      tcp::socket socket(impl_->ioc);
      impl_->acceptor->accept(socket, ec);
      if (ec) {
        if (impl_->stopping) break;
        continue;
      }
      ++impl_->sessions;
      std::thread([this, s = std::move(socket)]() mutable {
        beast::flat_buffer buffer;
        beast::error_code ec;
        while (!impl_->stopping) {
          http::request_parser<http::string_body> parser;
          parser.body_limit(config_.max_body_bytes);
          http::read(s, buffer, parser, ec);
          if (ec == http::error::body_limit) {
            http::response<http::string_body> res{http::status::payload_too_large, 11};
            res.set(http::field::content_type, "application/json");
            res.body() = ErrorResponse(WithReason(absl::ResourceExhaustedError("request body too large"), "BODY_TOO_LARGE")).body;
            res.prepare_payload();
            http::write(s, res, ec);
            break;
          }
          if (ec) break;
          auto& req = parser.get();
          std::map<std::string, std::string> headers;
          beast::error_code rec;
          auto remote = s.remote_endpoint(rec);
          if (!rec) headers[":remote"] = remote.address().to_string();
          for (const auto& h : req) {
            std::string name(h.name_string());
            for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (!name.empty() && name[0] != ':') headers[name] = std::string(h.value());
          }
          Response r = Handle(std::string(req.method_string()), std::string(req.target()), req.body(), headers);
          http::response<http::string_body> res{static_cast<http::status>(r.status), req.version()};
          res.set(http::field::content_type, r.content_type);
          res.set("x-request-id", r.request_id);
          if (r.retry_after_seconds > 0) res.set(http::field::retry_after, std::to_string(r.retry_after_seconds));
          res.keep_alive(req.keep_alive());
          res.body() = std::move(r.body);
          res.prepare_payload();
          http::write(s, res, ec);
          if (ec || !req.keep_alive()) break;
        }
        beast::error_code ignored;
        s.shutdown(tcp::socket::shutdown_both, ignored);
        --impl_->sessions;
      }).detach();
    }
  });
  log::Info("gateway serving REST", {{"http_port", absl::StrCat(port_)}, {"routes", absl::StrCat(impl_->routes.routes().size())}});
  return absl::OkStatus();
}

void HttpGateway::Stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  if (impl_->accept_thread.joinable()) {
    // Wake the blocking accept with a connection of our own, then let the loop see the flag.
    try {
      boost::asio::io_context wake_ioc;
      tcp::socket wake(wake_ioc);
      wake.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)));
    } catch (const std::exception&) {
    }
    impl_->accept_thread.join();
  }
  beast::error_code ec;
  if (impl_->acceptor) impl_->acceptor->close(ec);
  // Let sessions finish their current request (bounded wait).
  for (int i = 0; i < 100 && impl_->sessions.load() > 0; ++i) absl::SleepFor(absl::Milliseconds(20));
}

}  // namespace lnob::gateway
