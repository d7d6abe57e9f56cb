// gateway: wiring only. REST/JSON and gRPC passthrough for every routed service, from the descriptors.

#include <algorithm>
#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/auth/jwt.h"
#include "common/auth/policy.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/server/config.h"
#include "common/util/embedded.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "common/server/service_list.h"
#include "embedded/lnob_gateway_descriptors.h"
#include "services/gateway/api/backend_pool.h"
#include "services/gateway/api/grpc_passthrough.h"
#include "services/gateway/api/http_gateway.h"
#include "services/gateway/api/tls_config.h"
#include "services/gateway/api_keys_wiring.h"
#include "services/gateway/domain/admission.h"
#include "services/gateway/domain/openapi.h"

namespace lnob::gateway {

// The development routes: each service of services/services.list at 127.0.0.1:<grpc port>.
std::string DefaultBackends(const google::protobuf::FileDescriptorSet& set) {
  std::vector<std::string> out;
  for (const auto& svc : lnob::services::All()) {
    if (svc.kind != "service") continue;
    for (const auto& file : set.file()) {
      if (file.package() != absl::StrCat("lnob.", svc.name, ".v1")) continue;
      for (const auto& s : file.service()) {
        out.push_back(absl::StrCat(file.package(), ".", s.name(), "=127.0.0.1:", svc.grpc_port));
      }
    }
  }
  return absl::StrJoin(out, ",");
}

}  // namespace lnob::gateway

// API keys (api_keys_wiring.cc).
ABSL_FLAG(std::string, database_url, "",
          "libpq connection string of the gateway's role (schema gateway); empty = API keys disabled");
ABSL_FLAG(int, db_pool_size, 4, "Maximum PostgreSQL connections of the gateway");
ABSL_FLAG(std::string, jwt_signing_key, "",
          "PEM RSA private key that signs the tokens minted for API-key calls; its public key "
          "must be in the services' --jwt_public_keys (and in this gateway's)");
ABSL_FLAG(absl::Duration, api_key_token_ttl, absl::Seconds(60), "Lifetime of a token minted for an API key");
ABSL_FLAG(absl::Duration, api_key_cache_ttl, absl::Seconds(5),
          "How often the in-memory copy of the API key table is reloaded (100ms..5m); a revocation made "
          "through another replica takes effect within it, through this one at once");
ABSL_FLAG(std::string, admin_listen_host, "127.0.0.1", "Address of the gateway's own gRPC admin API (API keys)");
ABSL_FLAG(int, admin_grpc_port, 50050, "Port of the gateway's own gRPC admin API (0 = pick a free port)");
ABSL_FLAG(std::string, page_token_secret, "", "HMAC secret for page tokens of ListApiKeys (>= 16 bytes)");
ABSL_FLAG(std::string, listen_host, "0.0.0.0", "Address the REST and gRPC servers bind");
ABSL_FLAG(int, http_port, 8080, "REST/JSON port (0 = pick a free port)");
ABSL_FLAG(int, grpc_port, 9090, "gRPC passthrough port (0 = pick a free port)");
ABSL_FLAG(std::string, metrics_host, "0.0.0.0", "Address of the Prometheus endpoint");
ABSL_FLAG(int, metrics_port, 9100, "Prometheus /metrics port (0 = any)");
ABSL_FLAG(std::string, backends, "",
          "Routing: comma-separated proto_service=host:port (empty: every proto service of package "
          "lnob.<name>.v1 goes to 127.0.0.1:<its grpc port>, for each service of services/services.list)");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10),
          "Deadline of each backend call (gRPC face: a cap for unary calls; streams keep the caller's)");
ABSL_FLAG(int, max_body_bytes, 4 << 20, "Largest accepted request body (413 above)");
ABSL_FLAG(std::string, jwt_public_keys, "", "PEM file with the public keys that sign tokens (empty: forward unverified)");
ABSL_FLAG(std::string, jwt_issuer, "lnob", "Required 'iss' of bearer tokens");
ABSL_FLAG(double, rate_limit_rps, 50, "Requests per second per client (token subject, else address); 0 = off");
ABSL_FLAG(double, rate_limit_burst, 100, "Burst size of the per-client token bucket");
ABSL_FLAG(std::string, trusted_proxies, "",
          "Comma-separated addresses or CIDR blocks of the proxies (ingress) in front of the gateway: "
          "only behind them is the client address taken from X-Forwarded-For");
ABSL_FLAG(double, auth_failure_rps, 1,
          "Refused credentials (bad tokens, unknown API keys) per second per client address and per key "
          "prefix before they are answered 429; a credential that verifies is never refused");
ABSL_FLAG(double, auth_failure_burst, 100, "Burst size of the refused-credential buckets");
ABSL_FLAG(int, max_streams_per_client, 100,
          "Streaming calls one client (token subject, else address) may have open at once on the gRPC face; "
          "more are refused with RESOURCE_EXHAUSTED (CLIENT_STREAM_LIMIT)");
ABSL_FLAG(std::string, openapi_out, "", "Write the OpenAPI document to this file and exit");
ABSL_FLAG(std::string, ready_file, "", "File written with the bound ports once serving");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");
ABSL_FLAG(int, http_threads, 0, "REST io threads (0 = one per core, at least 2)");
ABSL_FLAG(int, max_concurrent_requests, 1000,
          "Requests served at once on each face; more are refused at once (REST 503 OVERLOADED with "
          "Retry-After, gRPC RESOURCE_EXHAUSTED)");
ABSL_FLAG(int, max_concurrent_streams, 100, "gRPC face: HTTP/2 streams one client connection may have open");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(30),
          "gRPC face: a client connection is closed after this long (clients reconnect)");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Minutes(30),
          "gRPC face: calls of a connection being closed get this long (the longest a stream lives)");
ABSL_FLAG(std::string, route_timeouts, "",
          "Per-route deadlines overriding --timeout: package.Service[/Method]=duration,... "
          "(e.g. lnob.funding.v1.FundingService/GetProgrammeProgress=60s)");
ABSL_FLAG(int, retry_attempts, 3,
          "Attempts of an idempotent REST call whose backend could not be reached (1 = no retry)");
ABSL_FLAG(absl::Duration, retry_backoff, absl::Milliseconds(100),
          "Wait before the first retry of an idempotent REST call; x3 before each further one");
ABSL_FLAG(absl::Duration, http_request_timeout, absl::Seconds(30),
          "Time a REST client gets to send one request (also the idle limit of a kept-alive "
          "connection and of the TLS handshake) and to take its response");
ABSL_FLAG(absl::Duration, http_header_timeout, absl::Seconds(10),
          "Time a REST client gets to send a request's headers, and to start the next request on a "
          "kept-alive connection (slowloris)");
ABSL_FLAG(int, http_max_connections, 2000,
          "REST connections open at once; at the cap the longest-idle connection is closed to make room");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(5),
          "At shutdown, time in-flight requests and calls get to finish before they are cancelled");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain: serve HTTPS and gRPC over TLS (with --tls_key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificates: clients of both faces must present a certificate they signed (mTLS)");

int main(int argc, char** argv) {
  lnob::server::PrepareServerProcess();
  absl::SetProgramUsageMessage("lnob gateway (flags may also be set as LNOB_<FLAG>)");
  if (auto st = lnob::server::ApplyEnvironmentToFlags(); !st.ok()) {
    std::fprintf(stderr, "gateway: bad environment:\n%s\n", std::string(st.message()).c_str());
    return 2;
  }
  absl::ParseCommandLine(argc, argv);
  lnob::log::Severity sev = lnob::log::Severity::kInfo;
  if (!lnob::log::ParseSeverity(absl::GetFlag(FLAGS_log_level), &sev)) {
    std::fprintf(stderr, "gateway: --log_level must be debug, info, warning or error\n");
    return 2;
  }
  lnob::log::Init("gateway", sev);

  lnob::gateway::GatewayConfig config;
  config.listen_host = absl::GetFlag(FLAGS_listen_host);
  config.http_port = absl::GetFlag(FLAGS_http_port);
  config.timeout = absl::GetFlag(FLAGS_timeout);
  if (auto t = lnob::gateway::ParseRouteTimeouts(absl::GetFlag(FLAGS_route_timeouts)); t.ok()) {
    config.route_timeouts = *std::move(t);
  } else {
    std::fprintf(stderr, "gateway: --route_timeouts: %s\n", std::string(t.status().message()).c_str());
    return 2;
  }
  config.max_attempts = absl::GetFlag(FLAGS_retry_attempts);
  config.retry_backoff = absl::GetFlag(FLAGS_retry_backoff);
  if (config.max_attempts < 1 || config.max_attempts > 5 || config.retry_backoff <= absl::ZeroDuration()) {
    std::fprintf(stderr, "gateway: --retry_attempts must be 1..5 and --retry_backoff positive\n");
    return 2;
  }
  config.max_body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_body_bytes));
  lnob::gateway::AdmissionConfig admission_config;
  admission_config.rate_limit_rps = absl::GetFlag(FLAGS_rate_limit_rps);
  admission_config.rate_limit_burst = absl::GetFlag(FLAGS_rate_limit_burst);
  admission_config.failure_rps = absl::GetFlag(FLAGS_auth_failure_rps);
  admission_config.failure_burst = absl::GetFlag(FLAGS_auth_failure_burst);
  admission_config.max_streams_per_client = absl::GetFlag(FLAGS_max_streams_per_client);
  if (auto proxies = lnob::gateway::TrustedProxies::Parse(absl::GetFlag(FLAGS_trusted_proxies)); proxies.ok()) {
    admission_config.trusted_proxies = *std::move(proxies);
  } else {
    std::fprintf(stderr, "gateway: --trusted_proxies: %s\n", std::string(proxies.status().message()).c_str());
    return 2;
  }
  if (auto st = admission_config.Validate(); !st.ok()) {
    std::fprintf(stderr, "gateway: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromString(lnob::gateway::EmbeddedDescriptorSet().at(0).content)) {
    std::fprintf(stderr, "gateway: embedded descriptor set does not parse\n");
    return 2;
  }
  google::protobuf::DescriptorPool pool;
  for (const auto& file : set.file()) {
    if (pool.BuildFile(file) == nullptr) {
      std::fprintf(stderr, "gateway: descriptor %s does not build\n", file.name().c_str());
      return 2;
    }
  }
  std::vector<std::string> services;
  std::map<std::string, std::string> backend_map;  // proto service -> host:port
  std::string backends = absl::GetFlag(FLAGS_backends);
  if (backends.empty()) backends = lnob::gateway::DefaultBackends(set);
  for (absl::string_view entry : absl::StrSplit(backends, ',', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    if (kv.first.empty() || kv.second.empty()) {
      std::fprintf(stderr, "gateway: --backends: '%s' is not service=host:port\n", std::string(entry).c_str());
      return 2;
    }
    backend_map[kv.first] = kv.second;
    services.push_back(kv.first);
  }
  // API keys and their admin API (api_keys_wiring.cc; disabled without --database_url). The
  // admin API is always in the routes and the OpenAPI document.
  lnob::gateway::ApiKeysWiring api_keys;
  const lnob::gateway::ApiKeysConfig api_keys_config{
      .database_url = absl::GetFlag(FLAGS_database_url),
      .db_pool_size = absl::GetFlag(FLAGS_db_pool_size),
      .jwt_signing_key = absl::GetFlag(FLAGS_jwt_signing_key),
      .jwt_public_keys = absl::GetFlag(FLAGS_jwt_public_keys),
      .jwt_issuer = absl::GetFlag(FLAGS_jwt_issuer),
      .api_key_token_ttl = absl::GetFlag(FLAGS_api_key_token_ttl),
      .api_key_cache_ttl = absl::GetFlag(FLAGS_api_key_cache_ttl),
      .admin_listen_host = absl::GetFlag(FLAGS_admin_listen_host),
      .admin_grpc_port = absl::GetFlag(FLAGS_admin_grpc_port),
      .page_token_secret = absl::GetFlag(FLAGS_page_token_secret),
      .log_level = absl::GetFlag(FLAGS_log_level)};
  if (auto st = api_keys.Configure(api_keys_config); !st.ok()) {
    std::fprintf(stderr, "gateway: invalid configuration:\n%s\n", std::string(st.message()).c_str());
    return 2;
  }
  if (!backend_map.count(lnob::gateway::kApiKeyServiceName)) services.push_back(lnob::gateway::kApiKeyServiceName);
  if (config.http_port < 0 || config.http_port > 65535 || config.timeout <= absl::ZeroDuration()) {
    std::fprintf(stderr, "gateway: --http_port must be 0..65535 and --timeout positive\n");
    return 2;
  }
  const int http_threads = absl::GetFlag(FLAGS_http_threads);
  if (http_threads != 0 && (http_threads < 2 || http_threads > 256)) {
    std::fprintf(stderr, "gateway: --http_threads must be 0 (one per core) or 2..256\n");
    return 2;
  }
  config.http_threads = http_threads != 0 ? http_threads
                                          : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  config.max_concurrent_requests = absl::GetFlag(FLAGS_max_concurrent_requests);
  if (config.max_concurrent_requests < 1) {
    std::fprintf(stderr, "gateway: --max_concurrent_requests must be at least 1\n");
    return 2;
  }
  config.request_timeout = absl::GetFlag(FLAGS_http_request_timeout);
  config.header_timeout = absl::GetFlag(FLAGS_http_header_timeout);
  if (config.header_timeout <= absl::ZeroDuration() || absl::GetFlag(FLAGS_http_max_connections) < 10) {
    std::fprintf(stderr, "gateway: --http_header_timeout must be positive and --http_max_connections at least 10\n");
    return 2;
  }
  config.max_connections = static_cast<size_t>(absl::GetFlag(FLAGS_http_max_connections));
  config.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  if (config.request_timeout <= absl::ZeroDuration() || config.drain_timeout < absl::ZeroDuration()) {
    std::fprintf(stderr, "gateway: --http_request_timeout must be positive and --drain_timeout not negative\n");
    return 2;
  }
  auto tls = lnob::gateway::LoadTlsConfig(absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                                          absl::GetFlag(FLAGS_tls_client_ca));
  if (!tls.ok()) {
    std::fprintf(stderr, "gateway: invalid TLS configuration:\n%s\n", std::string(tls.status().message()).c_str());
    return 2;
  }
  config.tls = *tls;

  lnob::gateway::PassthroughConfig grpc_config;
  grpc_config.listen_host = config.listen_host;
  grpc_config.grpc_port = absl::GetFlag(FLAGS_grpc_port);
  grpc_config.unary_timeout = config.timeout;
  grpc_config.max_concurrent_requests = config.max_concurrent_requests;
  grpc_config.drain_timeout = config.drain_timeout;
  grpc_config.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  grpc_config.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  grpc_config.max_connection_age_grace = absl::GetFlag(FLAGS_max_connection_age_grace);
  grpc_config.tls = *std::move(tls);
  if (auto st = grpc_config.Validate(); !st.ok()) {
    std::fprintf(stderr, "gateway: %s\n", std::string(st.message()).c_str());
    return 2;
  }

  auto routes = lnob::gateway::RouteTable::FromPool(pool, services);
  if (!routes.ok()) {
    std::fprintf(stderr, "gateway: %s\n", std::string(routes.status().message()).c_str());
    return 2;
  }
  const std::string openapi = lnob::gateway::OpenApiJson(*routes, "lnob API", "0.1.0");
  if (const std::string out = absl::GetFlag(FLAGS_openapi_out); !out.empty()) {
    FILE* f = std::fopen(out.c_str(), "w");
    if (f == nullptr) return 2;
    std::fwrite(openapi.data(), 1, openapi.size(), f);
    std::fclose(f);
    return 0;
  }
  lnob::metrics::Metrics metrics("gateway", "0.1.0", "");
  auto metrics_port = metrics.Serve(absl::StrCat(absl::GetFlag(FLAGS_metrics_host), ":", absl::GetFlag(FLAGS_metrics_port)));
  if (!metrics_port.ok()) {
    std::fprintf(stderr, "gateway: %s\n", std::string(metrics_port.status().message()).c_str());
    return 2;
  }
  if (auto st = api_keys.Start(&metrics); !st.ok()) {
    std::fprintf(stderr, "gateway: API keys: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  if (api_keys.enabled()) {  // routed like any backend, on both faces
    backend_map[lnob::gateway::kApiKeyServiceName] = api_keys.admin_address();
  }
  if (backend_map.empty()) {
    std::fprintf(stderr, "gateway: --backends must name at least one service\n");
    return 2;
  }
  // One admission (identity, permission, rate) and one backend pool, shared by both faces.
  std::shared_ptr<const lnob::auth::KeySet> keys;
  if (const std::string keys_file = absl::GetFlag(FLAGS_jwt_public_keys); !keys_file.empty()) {
    auto loaded = lnob::auth::KeySet::FromFile(keys_file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "gateway: %s\n", std::string(loaded.status().message()).c_str());
      return 2;
    }
    keys = *std::move(loaded);
  }
  std::unique_ptr<lnob::auth::Authorizer> authorizer;
  if (keys != nullptr) {
    authorizer = std::make_unique<lnob::auth::Authorizer>(
        std::make_unique<lnob::auth::Verifier>(
            keys, lnob::auth::VerifierOptions{.issuer = absl::GetFlag(FLAGS_jwt_issuer)},
            lnob::RealClock::Get()),
        lnob::auth::RolePolicy::Default());
    bool registration_failed = false;
    for (const auto& svc : services) {
      if (auto st = authorizer->RegisterService(pool.FindServiceByName(svc)); !st.ok()) {
        std::fprintf(stderr, "gateway: --backends: %s: %s\n", svc.c_str(), std::string(st.message()).c_str());
        registration_failed = true;
      }
    }
    if (registration_failed) return 2;  // never serve a service without its access policy
  }
  lnob::gateway::Admission admission(std::move(admission_config), std::move(authorizer), api_keys.authenticator(),
                                     lnob::RealClock::Get());
  lnob::gateway::BackendPool backend_pool({.backends = backend_map, .max_send_bytes = grpc_config.max_message_bytes});
  backend_pool.Start();
  config.openapi_json = openapi;
  lnob::gateway::HttpGateway gateway(config, &pool, *std::move(routes), &metrics, &admission, &backend_pool);
  if (auto st = gateway.Start(); !st.ok()) {
    std::fprintf(stderr, "gateway: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  lnob::gateway::GrpcPassthrough passthrough(grpc_config, &pool, &metrics, &admission, &backend_pool);
  if (auto st = passthrough.Start(); !st.ok()) {
    std::fprintf(stderr, "gateway: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  if (const std::string ready = absl::GetFlag(FLAGS_ready_file); !ready.empty()) {
    if (FILE* f = std::fopen((ready + ".tmp").c_str(), "w")) {
      std::fprintf(f, "{\"http_port\":%d,\"grpc_port\":%d,\"metrics_port\":%d}\n", gateway.port(),
                   passthrough.port(), *metrics_port);
      std::fclose(f);
      std::rename((ready + ".tmp").c_str(), ready.c_str());
    }
  }
  lnob::server::WaitForTermination();
  lnob::log::Info("gateway stopping");
  // Both faces drain at once: shutdown takes one drain timeout, not two.
  std::thread rest_stop([&gateway] { gateway.Stop(); });
  passthrough.Stop();
  rest_stop.join();
  backend_pool.Stop();
  api_keys.Stop();
  lnob::log::Info("stopped");
  return 0;
}
