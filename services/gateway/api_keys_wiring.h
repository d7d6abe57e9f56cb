#ifndef LNOB_SERVICES_GATEWAY_API_KEYS_WIRING_H_
#define LNOB_SERVICES_GATEWAY_API_KEYS_WIRING_H_

// API keys in the gateway process (wiring only): their flags, the pool of the gateway's own
// schema, the admin service (lnob.gateway.v1.ApiKeyService) on a gRPC port of its own that
// the REST face routes to like any backend, and the authenticator the REST face asks for
// calls made with a key. Without --database_url API keys are disabled (and the log says so).
// grpcpp and libpqxx stay inside the .cc.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace lnob::metrics {
class Metrics;
}

namespace lnob::gateway {

inline constexpr char kApiKeyServiceName[] = "lnob.gateway.v1.ApiKeyService";

class ApiKeyAuthenticator;

// The API-key settings, from main.cc's flags (each problem is reported under its flag name).
struct ApiKeysConfig {
  std::string database_url;  // empty: API keys disabled
  int db_pool_size = 4;
  std::string jwt_signing_key;  // PEM file that signs the tokens minted for API-key calls
  std::string jwt_public_keys;
  std::string jwt_issuer = "lnob";
  absl::Duration api_key_token_ttl = absl::Seconds(60);
  absl::Duration api_key_cache_ttl = absl::Seconds(5);
  std::string admin_listen_host = "127.0.0.1";
  int admin_grpc_port = 50050;
  std::string page_token_secret;
  std::string log_level = "info";

  // Every problem found, one per line, naming the flag (the key files are read by Configure).
  absl::Status Validate() const;
};

class ApiKeysWiring {
 public:
  ApiKeysWiring();
  ~ApiKeysWiring();

  // Checks the configuration; every problem names its flag (a start-up error).
  absl::Status Configure(const ApiKeysConfig& config);
  bool enabled() const;
  // Opens the pool, starts the admin gRPC server (its metrics go to `metrics`) and builds
  // the authenticator. No-op when disabled.
  absl::Status Start(metrics::Metrics* metrics);
  // "host:port" of the admin gRPC server once started.
  std::string admin_address() const;
  // nullptr when disabled.
  ApiKeyAuthenticator* authenticator() const;
  // Drains the admin server.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_API_KEYS_WIRING_H_
