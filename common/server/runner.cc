#include "common/server/runner.h"

#include <chrono>
#include <fstream>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"
#include "common/server/handler.h"
#include "common/status/status.h"
#include "common/util/deadline.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/support/server_interceptor.h"
#include "google/protobuf/descriptor.h"

namespace lnob::server {
namespace {

// Calls in flight, by server context: the interceptor writes, Serve() reads.
class CallTable {
 public:
  static CallTable& Get() {
    static CallTable* t = new CallTable();
    return *t;
  }
  void Put(const grpc::ServerContextBase* ctx, std::shared_ptr<const Call> call) {
    absl::MutexLock l(&mu_);
    calls_[ctx] = std::move(call);
  }
  std::shared_ptr<const Call> Find(const grpc::ServerContextBase* ctx) {
    absl::MutexLock l(&mu_);
    auto it = calls_.find(ctx);
    return it == calls_.end() ? nullptr : it->second;
  }
  void Erase(const grpc::ServerContextBase* ctx) {
    absl::MutexLock l(&mu_);
    calls_.erase(ctx);
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const grpc::ServerContextBase*, std::shared_ptr<const Call>> calls_;
};

const char* TypeName(grpc::experimental::ServerRpcInfo::Type t) {
  using T = grpc::experimental::ServerRpcInfo::Type;
  switch (t) {
    case T::UNARY: return "unary";
    case T::CLIENT_STREAMING: return "client_stream";
    case T::SERVER_STREAMING: return "server_stream";
    case T::BIDI_STREAMING: return "bidi_stream";
  }
  return "unary";
}

std::string MetadataValue(const std::multimap<grpc::string_ref, grpc::string_ref>& md,
                          const char* key) {
  auto it = md.find(key);
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(grpc::experimental::ServerRpcInfo* info, const auth::Authorizer* authz,
                  metrics::Metrics* m)
      : info_(info), authz_(authz), metrics_(m), start_(absl::Now()) {
    absl::string_view full = info->method();
    std::vector<absl::string_view> parts = absl::StrSplit(full.substr(1), '/');
    service_ = parts.size() == 2 ? std::string(parts[0]) : "unknown";
    method_ = parts.size() == 2 ? std::string(parts[1]) : std::string(full);
    type_ = TypeName(info->type());
  }
  ~CallInterceptor() override { CallTable::Get().Erase(info_->server_context()); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    using H = grpc::experimental::InterceptionHookPoints;
    if (m->QueryInterceptionHookPoint(H::POST_RECV_INITIAL_METADATA)) {
      metrics_->RpcStarted(type_, service_, method_);
      auto call = std::make_shared<Call>();
      call->method = info_->method();
      const auto& md = *m->GetRecvInitialMetadata();
      call->request_id = RequestIdOrNew(MetadataValue(md, "x-request-id"));
      call->trace = ContinueOrStartTrace(MetadataValue(md, "traceparent"));
      call->purpose = MetadataValue(md, "x-lnob-purpose").substr(0, 200);
      call->deadline = absl::FromChrono(info_->server_context()->deadline());
      auto principal = authz_->Authorize(call->method, MetadataValue(md, "authorization"));
      if (principal.ok()) {
        call->principal = *std::move(principal);
        // Kept verbatim so that calls this one makes act with the same verified identity.
        call->authorization = MetadataValue(md, "authorization");
      } else {
        call->auth_status = principal.status();
      }
      request_id_ = call->request_id;
      trace_id_ = call->trace.trace_id;
      subject_ = call->principal.subject;
      CallTable::Get().Put(info_->server_context(), std::move(call));
    }
    if (m->QueryInterceptionHookPoint(H::PRE_SEND_INITIAL_METADATA)) {
      if (!request_id_.empty()) m->GetSendInitialMetadata()->emplace("x-request-id", request_id_);
    }
    if (m->QueryInterceptionHookPoint(H::PRE_SEND_STATUS)) {
      const grpc::Status st = m->GetSendStatus();
      const char* code = CodeName(static_cast<absl::StatusCode>(st.error_code()));
      const double secs = absl::ToDoubleSeconds(absl::Now() - start_);
      metrics_->RpcHandled(type_, service_, method_, code, secs);
      if (!method_.empty() && service_ != "grpc.health.v1.Health") {
        log::ScopedCallIds ids(request_id_, trace_id_);
        // Access log: never request bodies; the subject is an account id, not a person's name.
        log::Write(st.ok() ? log::Severity::kInfo : log::Severity::kWarning, "rpc",
                   {{"grpc_service", service_},
                    {"grpc_method", method_},
                    {"grpc_code", code},
                    {"duration_ms", absl::StrCat(static_cast<int64_t>(secs * 1000))},
                    {"subject", subject_}});
      }
    }
    m->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  const auth::Authorizer* authz_;
  metrics::Metrics* metrics_;
  absl::Time start_;
  std::string service_, method_, type_, request_id_, trace_id_, subject_;
};

class CallInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  CallInterceptorFactory(const auth::Authorizer* a, metrics::Metrics* m) : a_(a), m_(m) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(info, a_, m_);
  }

 private:
  const auth::Authorizer* a_;
  metrics::Metrics* m_;
};

}  // namespace

std::shared_ptr<const Call> CallFor(const grpc::ServerContextBase* ctx) {
  return CallTable::Get().Find(ctx);
}

grpc::Status ServeImpl(grpc::ServerContextBase* ctx,
                       const std::function<absl::Status(const Call&)>& fn) {
  auto call = CallFor(ctx);
  if (call == nullptr) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "call context missing");
  }
  if (!call->auth_status.ok()) return ToGrpcStatus(call->auth_status);
  log::ScopedCallIds ids(call->request_id, call->trace.trace_id);
  ScopedDeadline deadline(call->deadline);  // bounds the SQL the handler runs (db::Pool)
  try {
    return ToGrpcStatus(fn(*call));
  } catch (const std::exception& e) {
    log::Error("handler threw", {{"error", e.what()}});
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  }
}

ServerRunner::ServerRunner(ServerConfig config, const Clock& clock)
    : config_(std::move(config)), clock_(clock) {}

ServerRunner::~ServerRunner() { Shutdown(); }

absl::Status ServerRunner::Init() {
  if (host_metrics_ == nullptr) {
    log::Severity sev = log::Severity::kInfo;
    log::ParseSeverity(config_.log_level, &sev);
    log::Init(config_.service, sev);
    metrics_ = std::make_unique<metrics::Metrics>(config_.service, LNOB_VERSION, LNOB_GIT_COMMIT);
  }
  auto keys = auth::KeySet::FromFile(config_.jwt_public_keys_file);
  if (!keys.ok()) return keys.status();
  authorizer_ = std::make_unique<auth::Authorizer>(
      std::make_unique<auth::Verifier>(*keys,
                                       // The audience is each method's service (AudienceOfMethod).
                                       auth::VerifierOptions{.issuer = config_.jwt_issuer},
                                       clock_),
      auth::RolePolicy::Default());
  if (host_metrics_ != nullptr) return absl::OkStatus();  // the host serves them
  auto port = metrics_->Serve(absl::StrCat(config_.metrics_host, ":", config_.metrics_port));
  if (!port.ok()) return port.status();
  metrics_port_ = *port;
  return absl::OkStatus();
}

absl::Status ServerRunner::AddService(grpc::Service* service,
                                      const google::protobuf::ServiceDescriptor* descriptor) {
  absl::Status st;
  if (authorizer_ == nullptr) {
    st = absl::FailedPreconditionError("AddService before Init(): the access policy is not loaded");
  } else if (service == nullptr) {
    st = absl::InvalidArgumentError("AddService: no service");
  } else {
    st = authorizer_->RegisterService(descriptor);
  }
  if (!st.ok()) {
    if (registration_error_.ok()) registration_error_ = st;
    return st;
  }
  services_.push_back({service, descriptor->full_name()});
  return absl::OkStatus();
}

absl::Status ServerRunner::Start() {
  if (!registration_error_.ok()) return registration_error_;
  if (services_.empty()) return absl::FailedPreconditionError("no service registered");
  grpc::EnableDefaultHealthCheckService(true);
  if (config_.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat(config_.listen_host, ":", config_.grpc_port),
                           grpc::InsecureServerCredentials(), &grpc_port_);
  for (auto& [svc, name] : services_) builder.RegisterService(svc);
  builder.SetMaxReceiveMessageSize(config_.max_message_bytes);
  builder.SetMaxSendMessageSize(config_.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config_.keepalive_time)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, config_.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config_.max_connection_age)));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config_.max_connection_age_grace)));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> f;
  f.push_back(std::make_unique<CallInterceptorFactory>(authorizer_.get(), &metrics()));
  builder.experimental().SetInterceptorCreators(std::move(f));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config_.listen_host, ":", config_.grpc_port));
  }
  SetServing(probe_ ? probe_() : true);
  // Probed again every health_interval on the injected clock (a test's FakeClock decides
  // when); the first probe was the one just above.
  health_ = std::make_unique<PeriodicTask>(
      clock_, config_.health_interval, [this] { if (!stopping_.load()) SetServing(probe_ ? probe_() : true); },
      absl::Milliseconds(50), /*run_at_once=*/false);
  if (!config_.ready_file.empty()) {
    const std::string tmp = config_.ready_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << "{\"grpc_port\":" << grpc_port_ << ",\"metrics_port\":" << metrics_port_ << "}\n";
    }
    std::rename(tmp.c_str(), config_.ready_file.c_str());
  }
  log::Info("serving", {{"grpc_port", absl::StrCat(grpc_port_)},
                        {"metrics_port", absl::StrCat(metrics_port_)}});
  return absl::OkStatus();
}

void ServerRunner::SetServing(bool serving) {
  if (last_serving_.exchange(serving ? 1 : 0) == (serving ? 1 : 0)) return;
  auto* health = server_->GetHealthCheckService();
  health->SetServingStatus("", serving);
  for (auto& [svc, name] : services_) health->SetServingStatus(name, serving);
  log::Write(serving ? log::Severity::kInfo : log::Severity::kWarning,
             serving ? "health SERVING" : "health NOT_SERVING");
}

void ServerRunner::Shutdown() {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  stopping_ = true;
  health_.reset();
  SetServing(false);
  log::Info("shutting down: NOT_SERVING, then draining",
            {{"drain_timeout_ms", absl::StrCat(absl::ToInt64Milliseconds(config_.drain_timeout))}});
  absl::SleepFor(config_.shutdown_grace);
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoNanoseconds(config_.drain_timeout));
  server_->Wait();
  log::Info("stopped");
}

void ServerRunner::RunUntilSignal() {
  const int sig = WaitForTermination();
  log::Info("signal received", {{"signal", absl::StrCat(sig)}});
  Shutdown();
}

}  // namespace lnob::server
