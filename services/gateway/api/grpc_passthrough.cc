#include "services/gateway/api/grpc_passthrough.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/log/trace.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "services/gateway/api/backend_pool.h"
#include "services/gateway/domain/admission.h"
#include "google/protobuf/descriptor.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace lnob::gateway {

absl::Status PassthroughConfig::Validate() const {
  std::vector<std::string> problems;
  if (grpc_port < 0 || grpc_port > 65535) problems.push_back("--grpc_port must be 0..65535");
  if (unary_timeout <= absl::ZeroDuration()) problems.push_back("--timeout must be positive");
  if (max_message_bytes <= 0) problems.push_back("max_message_bytes must be positive");
  if (max_concurrent_requests < 1) problems.push_back("--max_concurrent_requests must be at least 1");
  if (max_concurrent_streams < 1 || max_concurrent_streams > 10000) {
    problems.push_back("--max_concurrent_streams must be 1..10000");
  }
  if (max_connection_age < absl::Seconds(10) || max_connection_age_grace < absl::ZeroDuration()) {
    problems.push_back("--max_connection_age must be >= 10s and --max_connection_age_grace >= 0");
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
}

namespace {

// Never copied between hops: HTTP/2 pseudo and connection headers, and what gRPC sets per
// call itself (grpc-timeout carries the deadline we compute, encodings, content type).
bool IsHopByHop(absl::string_view key) {
  static constexpr absl::string_view kDropped[] = {
      "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
      "te",         "host",       "content-type",     "content-length",    "user-agent"};
  if (key.empty() || key[0] == ':' || absl::StartsWith(key, "grpc-")) return true;
  return std::find(std::begin(kDropped), std::end(kDropped), key) != std::end(kDropped);
}

std::string Str(grpc::string_ref s) { return std::string(s.data(), s.size()); }

const char* TypeOf(const google::protobuf::MethodDescriptor* m) {
  if (m->client_streaming()) return m->server_streaming() ? "bidi_stream" : "client_stream";
  return m->server_streaming() ? "server_stream" : "unary";
}

// "ipv4:10.0.0.7:51234" -> "10.0.0.7", "ipv6:[::1]:5" -> "[::1]".
std::string PeerHost(absl::string_view peer) {
  if (auto colon = peer.find(':'); colon != absl::string_view::npos) peer.remove_prefix(colon + 1);
  if (auto port = peer.rfind(':'); port != absl::string_view::npos) peer = peer.substr(0, port);
  return std::string(peer);
}

// What every forwarded call shares; outlives the calls (Stop waits for them).
struct Shared {
  PassthroughConfig config;
  const google::protobuf::DescriptorPool* pool;
  metrics::Metrics* metrics;
  Admission* admission;
  BackendPool* backends;
  ConcurrencyGate gate;
  prometheus::Family<prometheus::Counter>* client_started = nullptr;
  prometheus::Family<prometheus::Counter>* client_handled = nullptr;
  prometheus::Family<prometheus::Histogram>* client_seconds = nullptr;
  prometheus::Gauge* in_flight = nullptr;
  prometheus::Counter* refused = nullptr;

  // Calls counted against max_concurrent_requests.
  bool TryAdmit() {
    if (!gate.TryEnter()) {
      refused->Increment();
      return false;
    }
    in_flight->Increment();
    return true;
  }
  void Release() {
    in_flight->Decrement();
    gate.Leave();
  }

  absl::Mutex live_mu;
  int live ABSL_GUARDED_BY(live_mu) = 0;

  Shared(PassthroughConfig c, const google::protobuf::DescriptorPool* p, metrics::Metrics* m, Admission* a,
         BackendPool* b)
      : config(std::move(c)), pool(p), metrics(m), admission(a), backends(b), gate(config.max_concurrent_requests) {}

  void CallStarted() {
    absl::MutexLock l(&live_mu);
    ++live;
  }
  void CallEnded() {
    absl::MutexLock l(&live_mu);
    --live;
  }
  bool WaitIdle(absl::Duration timeout) {
    absl::MutexLock l(&live_mu);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(live_mu) { return live == 0; };
    return live_mu.AwaitWithTimeout(absl::Condition(&idle), timeout);
  }
};

// One caller's call and its backend call, pumped one message at a time in each direction so
// that a stream is never buffered: the next message is read from one side only once the
// previous one was written to the other (HTTP/2 flow control then pushes back on the sender).
//
// Lifetime: deleted when both the server side (OnDone) and, if started, the backend call
// (Backend::OnDone) are done. The backend call holds two holds, one per direction, so that
// it cannot complete while this object may still start an operation on it from a server
// reaction; each is removed once its direction is over.
class ProxyCall final : public grpc::ServerGenericBidiReactor {
 public:
  ProxyCall(Shared* shared, grpc::GenericCallbackServerContext* ctx)
      : shared_(shared), ctx_(ctx), method_path_(ctx->method()), start_(absl::Now()), backend_(this) {
    shared_->CallStarted();
    request_id_ = RequestIdOrNew(Metadata("x-request-id"));
    trace_ = ContinueOrStartTrace(Metadata("traceparent"));
    caller_.peer = PeerHost(ctx_->peer());
    caller_.forwarded_for = Metadata("x-forwarded-for");
    caller_.authorization = Metadata("authorization");
    caller_.api_key = Metadata("x-api-key");
    // With client certificates, the verified certificate names the caller until a token does.
    if (const auto auth = ctx_->auth_context(); auth != nullptr) {
      const auto cn = auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
      if (!cn.empty()) caller_.client_cn = Str(cn.front());
    }
    client_ = shared_->admission->ClientOf(caller_);
    const absl::Status admitted = Admit();
    if (!admitted.ok()) {
      ctx_->AddInitialMetadata("x-request-id", request_id_);
      FinishCall(ToGrpcStatus(admitted));
      return;
    }
    StartBackend();
  }

  // Caller -> gateway: a message (ok) or the caller's half-close / cancellation (!ok).
  void OnReadDone(bool ok) override {
    if (!streaming_) return UnaryRequestRead(ok);
    int releases = 0;
    {
      absl::MutexLock l(&mu_);
      if (!upstream_open_) return;  // the backend already ended its side; drop
      if (ok) {
        bytes_in_ += static_cast<int64_t>(up_.Length());
        backend_write_pending_ = true;
        backend_.StartWrite(&up_);
        return;
      }
      upstream_open_ = false;
      backend_.StartWritesDone();
      releases = TakeHold(&up_hold_);
    }
    RemoveHolds(releases);
  }

  // Gateway -> caller: the previous backend message was delivered (or the caller is gone).
  void OnWriteDone(bool ok) override {
    int releases = 0;
    {
      absl::MutexLock l(&mu_);
      if (ok) {
        backend_.StartRead(&down_);
        return;
      }
      client_ctx_.TryCancel();
      releases = TakeHold(&down_hold_);
    }
    RemoveHolds(releases);
  }

  void OnCancel() override {
    if (backend_started_.load()) client_ctx_.TryCancel();
  }

  void OnDone() override { Unref(); }

 private:
  class Backend final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit Backend(ProxyCall* call) : call_(call) {}
    void OnReadInitialMetadataDone(bool ok) override { call_->BackendMetadata(ok); }
    void OnReadDone(bool ok) override { call_->BackendRead(ok); }
    void OnWriteDone(bool ok) override { call_->BackendWritten(ok); }
    void OnDone(const grpc::Status& s) override { call_->BackendDone(s); }

   private:
    ProxyCall* call_;
  };

  std::string Metadata(absl::string_view key) const {
    const auto& md = ctx_->client_metadata();
    auto it = md.find(grpc::string_ref(key.data(), key.size()));
    return it == md.end() ? std::string() : Str(it->second);
  }

  // Routing, identity, permission and rate: everything decided before a backend is contacted.
  absl::Status Admit() {
    absl::string_view path = method_path_;
    const size_t slash = path.size() > 1 ? path.find('/', 1) : absl::string_view::npos;
    const google::protobuf::MethodDescriptor* method = nullptr;
    if (path.size() > 1 && path[0] == '/' && slash != absl::string_view::npos) {
      const std::string service(path.substr(1, slash - 1));
      stub_ = shared_->backends->StubFor(service, &address_);
      if (stub_ != nullptr) {
        method = shared_->pool->FindMethodByName(absl::StrCat(service, ".", path.substr(slash + 1)));
      }
    }
    if (method == nullptr) {
      // Fixed labels: a caller must not be able to mint metric series.
      shared_->metrics->RpcStarted(type_, service_, method_);
      return absl::UnimplementedError(absl::StrCat("the gateway routes no method ", method_path_));
    }
    service_ = std::string(method->service()->full_name());
    method_ = std::string(method->name());
    type_ = TypeOf(method);
    streaming_ = method->client_streaming() || method->server_streaming();
    shared_->metrics->RpcStarted(type_, service_, method_);
    // Refused at once, before any token is verified or key looked up.
    admitted_ = shared_->TryAdmit();
    if (!admitted_) {
      return WithReason(absl::ResourceExhaustedError("the gateway is at its concurrency limit; retry later"),
                        "OVERLOADED");
    }
    AdmissionResult admitted = shared_->admission->Admit(method_path_, caller_);
    client_ = admitted.client;
    authorization_ = std::move(admitted.authorization);
    if (!admitted.status.ok()) return admitted.status;
    if (streaming_) {
      if (!shared_->admission->BeginStream(client_)) {
        return WithReason(absl::ResourceExhaustedError(absl::StrCat(
                              "this client already has ", shared_->admission->config().max_streams_per_client,
                              " streams open; close one or retry later")),
                          "CLIENT_STREAM_LIMIT");
      }
      stream_client_ = client_;
    }
    return absl::OkStatus();
  }

  void StartBackend() {
    for (const auto& [key, value] : ctx_->client_metadata()) {
      const std::string k = Str(key);
      // Replaced below; an API key's secret never leaves the gateway.
      if (IsHopByHop(k) || k == "x-request-id" || k == "traceparent" || k == "authorization" || k == "x-api-key") {
        continue;
      }
      const std::string v = Str(value);
      // gRPC aborts on a text value outside printable ASCII: such a value is not forwarded.
      if (!absl::EndsWith(k, "-bin") && !IsMetadataText(v)) continue;
      client_ctx_.AddMetadata(k, v);
    }
    if (!authorization_.empty() && IsMetadataText(authorization_)) {
      client_ctx_.AddMetadata("authorization", authorization_);
    }
    client_ctx_.AddMetadata("x-request-id", request_id_);
    client_ctx_.AddMetadata("traceparent", trace_.ChildTraceparent());
    auto deadline = ctx_->deadline();
    if (!streaming_) {
      deadline = std::min(deadline, absl::ToChronoTime(absl::Now() + shared_->config.unary_timeout));
    }
    client_ctx_.set_deadline(deadline);
    shared_->client_started->Add({{"grpc_type", type_}, {"grpc_service", service_}, {"grpc_method", method_}})
        .Increment();
    refs_.store(2);
    if (!streaming_) {
      // Unary: read the one request, then one unary backend call (a single batch of
      // operations instead of a bidi stream's five).
      backend_started_.store(true);
      StartRead(&up_);
      return;
    }
    absl::MutexLock l(&mu_);
    stub_->PrepareBidiStreamingCall(&client_ctx_, method_path_, grpc::StubOptions(),
                                                          &backend_);
    backend_.AddMultipleHolds(2);  // upstream and downstream directions (binds first, then holds)
    backend_.StartCall();
    backend_started_.store(true);
    StartRead(&up_);
  }

  void BackendMetadata(bool ok) {
    absl::MutexLock l(&mu_);
    if (ok) {
      for (const auto& [key, value] : client_ctx_.GetServerInitialMetadata()) {
        if (!IsHopByHop(Str(key))) ctx_->AddInitialMetadata(Str(key), Str(value));
      }
    }
    backend_.StartRead(&down_);
  }

  // Backend -> gateway: a message (ok) or the end of the backend's stream (!ok).
  void BackendRead(bool ok) {
    int releases = 0;
    {
      absl::MutexLock l(&mu_);
      if (ok) {
        bytes_out_ += static_cast<int64_t>(down_.Length());
        StartWrite(&down_);
        return;
      }
      // The status follows in OnDone; nothing more goes up either.
      upstream_open_ = false;
      if (!backend_write_pending_) releases += TakeHold(&up_hold_);
      releases += TakeHold(&down_hold_);
    }
    RemoveHolds(releases);
  }

  void BackendWritten(bool ok) {
    int releases = 0;
    {
      absl::MutexLock l(&mu_);
      backend_write_pending_ = false;
      if (ok && upstream_open_) {
        StartRead(&up_);
        return;
      }
      upstream_open_ = false;
      releases = TakeHold(&up_hold_);
    }
    RemoveHolds(releases);
  }

  void UnaryRequestRead(bool ok) {
    if (!ok) {  // the caller cancelled or half-closed without a request
      FinishCall(grpc::Status(grpc::StatusCode::CANCELLED, "the caller sent no request"));
      Unref();  // no backend call will complete
      return;
    }
    bytes_in_ += static_cast<int64_t>(up_.Length());
    stub_->UnaryCall(&client_ctx_, method_path_, grpc::StubOptions(), &up_, &down_,
                                           [this](grpc::Status st) { UnaryBackendDone(st); });
  }

  void UnaryBackendDone(const grpc::Status& status) {
    for (const auto& [key, value] : client_ctx_.GetServerInitialMetadata()) {
      if (!IsHopByHop(Str(key))) ctx_->AddInitialMetadata(Str(key), Str(value));
    }
    for (const auto& [key, value] : client_ctx_.GetServerTrailingMetadata()) {
      if (!IsHopByHop(Str(key))) ctx_->AddTrailingMetadata(Str(key), Str(value));
    }
    RecordBackend(status);
    if (status.ok()) bytes_out_ += static_cast<int64_t>(down_.Length());
    FinishCall(status, status.ok() ? &down_ : nullptr);
    Unref();
  }

  void RecordBackend(const grpc::Status& status) {
    const char* code = CodeName(static_cast<absl::StatusCode>(status.error_code()));
    shared_->client_handled
        ->Add({{"grpc_type", type_}, {"grpc_service", service_}, {"grpc_method", method_}, {"grpc_code", code}})
        .Increment();
    static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    shared_->client_seconds->Add({{"grpc_type", type_}, {"grpc_service", service_}, {"grpc_method", method_}}, *buckets)
        .Observe(absl::ToDoubleSeconds(absl::Now() - start_));
  }

  void BackendDone(const grpc::Status& status) {
    {
      absl::MutexLock l(&mu_);
      for (const auto& [key, value] : client_ctx_.GetServerTrailingMetadata()) {
        if (!IsHopByHop(Str(key))) ctx_->AddTrailingMetadata(Str(key), Str(value));
      }
    }
    RecordBackend(status);
    FinishCall(status);  // status, message and details unchanged
    Unref();
  }

  // A direction is over: its hold goes (once). Removed outside mu_, since removing the last
  // hold may run the backend's OnDone.
  int TakeHold(bool* hold) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!*hold) return 0;
    *hold = false;
    return 1;
  }
  void RemoveHolds(int n) {
    for (int i = 0; i < n; ++i) backend_.RemoveHold();
  }

  void FinishCall(const grpc::Status& status, const grpc::ByteBuffer* last = nullptr) {
    const double secs = absl::ToDoubleSeconds(absl::Now() - start_);
    const char* code = CodeName(static_cast<absl::StatusCode>(status.error_code()));
    shared_->metrics->RpcHandled(type_, service_, method_, code, secs);
    {
      log::ScopedCallIds ids(request_id_, trace_.trace_id);
      // Access log: never message bodies or metadata values.
      log::Write(status.ok() ? log::Severity::kInfo : log::Severity::kWarning, "rpc",
                 {{"time", FormatTimestamp(start_)},
                  {"client", client_},
                  {"grpc_service", service_},
                  {"grpc_method", method_},
                  {"grpc_code", code},
                  {"duration_ms", absl::StrCat(static_cast<int64_t>(secs * 1000))},
                  {"bytes_in", absl::StrCat(bytes_in_.load())},
                  {"bytes_out", absl::StrCat(bytes_out_.load())}});
    }
    if (last != nullptr) {
      StartWriteAndFinish(last, grpc::WriteOptions(), status);
    } else {
      Finish(status);
    }
  }

  void Unref() {
    if (refs_.fetch_sub(1) == 1) {
      Shared* shared = shared_;
      if (admitted_) shared->Release();
      if (!stream_client_.empty()) shared->admission->EndStream(stream_client_);
      delete this;
      shared->CallEnded();
    }
  }

  Shared* const shared_;
  grpc::GenericCallbackServerContext* const ctx_;
  const std::string method_path_;  // "/package.Service/Method"
  const absl::Time start_;
  std::string request_id_;
  TraceContext trace_;
  std::string service_ = "unknown", method_ = "unknown", type_ = "unary", subject_, address_, authorization_;
  std::string client_;  // access log: "sub:<subject>", else "cn:<certificate CN>", else "addr:<ip>"
  CallerInfo caller_;
  std::string stream_client_;  // set while this stream counts against its client's limit
  grpc::GenericStub* stub_ = nullptr;
  bool streaming_ = false;
  bool admitted_ = false;  // counted against max_concurrent_requests
  std::atomic<int64_t> bytes_in_{0}, bytes_out_{0};  // message bytes, each direction
  std::atomic<int> refs_{1};
  std::atomic<bool> backend_started_{false};

  grpc::ClientContext client_ctx_;
  Backend backend_;
  grpc::ByteBuffer up_;    // caller -> backend, one message at a time
  grpc::ByteBuffer down_;  // backend -> caller, one message at a time
  absl::Mutex mu_;
  bool upstream_open_ ABSL_GUARDED_BY(mu_) = true;
  bool backend_write_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool up_hold_ ABSL_GUARDED_BY(mu_) = true;
  bool down_hold_ ABSL_GUARDED_BY(mu_) = true;
};

class ForwardingService final : public grpc::CallbackGenericService {
 public:
  explicit ForwardingService(Shared* shared) : shared_(shared) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    return new ProxyCall(shared_, ctx);
  }

 private:
  Shared* shared_;
};

}  // namespace

struct GrpcPassthrough::Impl {
  Shared shared;
  ForwardingService service{&shared};
  std::unique_ptr<grpc::Server> server;
  std::atomic<bool> stopped{false};
  int health_listener = -1;

  Impl(PassthroughConfig c, const google::protobuf::DescriptorPool* p, metrics::Metrics* m, Admission* a,
       BackendPool* b)
      : shared(std::move(c), p, m, a, b) {}
};

GrpcPassthrough::GrpcPassthrough(PassthroughConfig config, const google::protobuf::DescriptorPool* pool,
                                 metrics::Metrics* metrics, Admission* admission, BackendPool* backends)
    : impl_(std::make_unique<Impl>(std::move(config), pool, metrics, admission, backends)) {
  Shared& s = impl_->shared;
  auto& reg = metrics->registry();
  s.client_started = &prometheus::BuildCounter()
                          .Name("grpc_client_started_total")
                          .Help("Total number of RPCs started on the client.")
                          .Register(reg);
  s.client_handled = &prometheus::BuildCounter()
                          .Name("grpc_client_handled_total")
                          .Help("Total number of RPCs completed by the client, regardless of success or failure.")
                          .Register(reg);
  s.client_seconds = &prometheus::BuildHistogram()
                          .Name("grpc_client_handling_seconds")
                          .Help("Histogram of response latency (seconds) of the gRPC until it is finished by the application.")
                          .Register(reg);
  s.in_flight = &prometheus::BuildGauge()
                     .Name("gateway_grpc_calls_in_flight")
                     .Help("gRPC passthrough calls open (those counted against --max_concurrent_requests)")
                     .Register(reg)
                     .Add({});
  s.refused = &prometheus::BuildCounter()
                   .Name("gateway_requests_refused_total")
                   .Help("Requests refused at once because the face was at --max_concurrent_requests")
                   .Register(reg)
                   .Add({{"face", "grpc"}, {"reason", "overloaded"}});
}

GrpcPassthrough::~GrpcPassthrough() { Stop(); }

absl::Status GrpcPassthrough::Start() {
  const PassthroughConfig& config = impl_->shared.config;
  grpc::EnableDefaultHealthCheckService(true);
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (config.tls.enabled()) {
    // gRPC negotiates TLS 1.2 or later only.
    grpc::SslServerCredentialsOptions ssl(config.tls.mutual()
                                              ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                              : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    ssl.pem_root_certs = config.tls.client_ca_pem;
    ssl.pem_key_cert_pairs.push_back({config.tls.private_key_pem, config.tls.cert_chain_pem});
    credentials = grpc::SslServerCredentials(ssl);
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat(config.listen_host, ":", config.grpc_port), credentials, &port_);
  builder.RegisterCallbackGenericService(&impl_->service);
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.SetMaxSendMessageSize(config.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, config.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.max_connection_age)));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.max_connection_age_grace)));
  impl_->server = builder.BuildAndStart();
  if (impl_->server == nullptr || port_ == 0) {
    impl_->server.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen_host, ":", config.grpc_port));
  }
  // The gateway's own health per routed service mirrors its backend's; "" is the gateway.
  auto* health = impl_->server->GetHealthCheckService();
  health->SetServingStatus("", true);
  impl_->health_listener = impl_->shared.backends->Subscribe(
      [health](const std::string& service, bool serving) { health->SetServingStatus(service, serving); });
  log::Info("gateway serving gRPC", {{"grpc_port", absl::StrCat(port_)},
                                     {"services", absl::StrCat(impl_->shared.backends->backends().size())},
                                     {"max_concurrent_requests", absl::StrCat(config.max_concurrent_requests)},
                                     {"tls", config.tls.mutual() ? "mutual" : config.tls.enabled() ? "on" : "off"}});
  return absl::OkStatus();
}

void GrpcPassthrough::Stop() {
  if (!impl_ || impl_->server == nullptr || impl_->stopped.exchange(true)) return;
  impl_->shared.backends->Unsubscribe(impl_->health_listener);
  impl_->server->GetHealthCheckService()->SetServingStatus(false);
  // Calls still running at the deadline are cancelled, which cancels their backend calls.
  impl_->server->Shutdown(absl::ToChronoTime(absl::Now() + impl_->shared.config.drain_timeout));
  impl_->server->Wait();
  if (!impl_->shared.WaitIdle(absl::Seconds(5))) log::Warn("gRPC calls still open at shutdown");
}

}  // namespace lnob::gateway
