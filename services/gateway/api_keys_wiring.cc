// API keys in the gateway process: wiring only (see api_keys_wiring.h); the flags are main.cc's.

#include "services/gateway/api_keys_wiring.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/api/page_token.h"
#include "common/auth/jwt.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "common/server/runner.h"
#include "common/status/status.h"
#include "common/util/periodic.h"
#include "lnob/gateway/v1/api_keys.lnob.h"
#include "services/gateway/domain/api_key_auth.h"
#include "services/gateway/domain/api_key_logic.h"
#include "services/gateway/store/pg_api_key_store.h"

namespace lnob::gateway {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

struct ApiKeysWiring::Impl {
  bool enabled = false;
  server::ServerConfig admin;  // the admin API's gRPC server
  ApiKeyAuthOptions auth;
  std::unique_ptr<db::Pool> pool;
  std::unique_ptr<ApiKeyStore> store;
  std::unique_ptr<ApiKeyLogic> logic;
  std::unique_ptr<v1::ApiKeyServiceAdapter<ApiKeyLogic>> service;
  std::unique_ptr<server::ServerRunner> runner;
  std::unique_ptr<ApiKeyAuthenticator> authenticator;
  std::unique_ptr<PeriodicTask> refresher;
};

ApiKeysWiring::ApiKeysWiring() : impl_(std::make_unique<Impl>()) {}
ApiKeysWiring::~ApiKeysWiring() { Stop(); }

bool ApiKeysWiring::enabled() const { return impl_->enabled; }

absl::Status ApiKeysConfig::Validate() const {
  if (database_url.empty()) return absl::OkStatus();  // API keys disabled: nothing else is read
  std::vector<std::string> errors;
  if (admin_grpc_port < 0 || admin_grpc_port > 65535) errors.push_back("--admin_grpc_port: must be 0..65535");
  if (api_key_token_ttl < absl::Seconds(10) || api_key_token_ttl > absl::Hours(1)) {
    errors.push_back("--api_key_token_ttl: must be 10s..1h");
  }
  if (api_key_cache_ttl < absl::Milliseconds(100) || api_key_cache_ttl > absl::Minutes(5)) {
    errors.push_back("--api_key_cache_ttl: must be 100ms..5m");
  }
  if (jwt_signing_key.empty()) {
    errors.push_back("--jwt_signing_key (LNOB_JWT_SIGNING_KEY): must name the PEM private key that signs API-key tokens");
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
}

absl::Status ApiKeysWiring::Configure(const ApiKeysConfig& config) {
  server::ServerConfig& c = impl_->admin;
  c.service = "gateway";
  c.database_url = config.database_url;
  impl_->enabled = !c.database_url.empty();
  if (!impl_->enabled) return absl::OkStatus();
  c.listen_host = config.admin_listen_host;
  c.grpc_port = config.admin_grpc_port;
  c.db_pool_size = config.db_pool_size;
  c.jwt_public_keys_file = config.jwt_public_keys;
  c.jwt_issuer = config.jwt_issuer;
  c.page_token_secret = config.page_token_secret;
  c.log_level = config.log_level;
  c.shutdown_grace = absl::ZeroDuration();
  c.drain_timeout = absl::Seconds(5);
  c.metrics_port = 0;  // unused: the gateway's endpoint serves the admin API's metrics
  std::vector<std::string> errors;
  if (auto st = config.Validate(); !st.ok()) errors.push_back(std::string(st.message()));
  if (c.grpc_port < 0 || c.grpc_port > 65535) c.grpc_port = 0;  // reported once, under its own name
  if (auto st = c.Validate(); !st.ok()) errors.push_back(std::string(st.message()));
  ApiKeyAuthOptions& a = impl_->auth;
  a.issuer = c.jwt_issuer;
  a.token_ttl = config.api_key_token_ttl;
  a.cache_ttl = config.api_key_cache_ttl;
  const std::string key_file = config.jwt_signing_key;
  if (key_file.empty()) {
    // Reported by Validate().
  } else if (auto pem = ReadFile(key_file); !pem.ok()) {
    errors.push_back(absl::StrCat("--jwt_signing_key: ", pem.status().message()));
  } else {
    a.signing_key_pem = *std::move(pem);
    // The gateway verifies the tokens it mints with the same key set as every other token:
    // a signing key outside that set would turn every API-key call into a 401.
    auto keys = auth::KeySet::FromFile(c.jwt_public_keys_file);
    auth::Claims probe;
    probe.issuer = a.issuer;
    const std::string audience = auth::AudienceOfService("gateway");
    probe.audience = {audience};
    probe.subject = "apikey:probe";
    probe.issued_at = absl::Now();
    probe.expires_at = probe.issued_at + absl::Minutes(1);
    auto token = auth::MintRs256(a.signing_key_pem, probe);
    if (!token.ok()) {
      errors.push_back(absl::StrCat("--jwt_signing_key: ", token.status().message()));
    } else if (keys.ok()) {
      auth::Verifier verifier(*keys, auth::VerifierOptions{.issuer = a.issuer}, RealClock::Get());
      const auth::KeyPolicy* policy = (*keys)->PolicyOf(*auth::KeyIdFromPrivatePem(a.signing_key_pem));
      if (policy == nullptr) {
        errors.push_back("--jwt_signing_key: its public key is not in --jwt_public_keys");
      } else if (!policy->restricted) {
        // The gateway faces the internet: a leak of an unrestricted key would mint a province
        // administrator for every service.
        errors.push_back(absl::StrCat("--jwt_signing_key: its public key in --jwt_public_keys has no '",
                                      auth::kKeyPolicyPrefix,
                                      " subjects=apikey:* roles=...' line (lnobctl keys --for=gateway writes one)"));
      } else if (auto verified = verifier.Verify(*token, audience); !verified.ok()) {
        errors.push_back(absl::StrCat("--jwt_signing_key: ", verified.status().message()));
      }
    }
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
}

absl::Status ApiKeysWiring::Start(metrics::Metrics* metrics) {
  Impl& m = *impl_;
  if (!m.enabled) {
    log::Warn("API keys disabled: no --database_url (calls with x-api-key get 401)");
    return absl::OkStatus();
  }
  m.pool = std::make_unique<db::Pool>(db::PoolOptions{.dsn = m.admin.database_url,
                                                      .name = "gateway",
                                                      .max_size = m.admin.db_pool_size,
                                                      .search_path = "gateway, public"},
                                      &metrics->registry());
  m.store = NewPgApiKeyStore(m.pool.get());
  m.logic = std::make_unique<ApiKeyLogic>(m.store.get(), api::PageTokenCodec(m.admin.page_token_secret),
                                          RealClock::Get());
  auto authenticator = ApiKeyAuthenticator::Create(m.store.get(), m.auth, RealClock::Get());
  if (!authenticator.ok()) return authenticator.status();
  m.authenticator = *std::move(authenticator);
  // The key table is kept in memory and reloaded on its own thread, and at once after a
  // change made here: no call waits for the database.
  auto reload = [authn = m.authenticator.get()] {
    if (auto st = authn->Refresh(); !st.ok()) log::Warn("API keys: reload failed", {{"error", std::string(st.message())}});
  };
  m.logic->OnChange(reload);
  m.refresher = std::make_unique<PeriodicTask>(RealClock::Get(), m.auth.cache_ttl, reload);
  m.service = std::make_unique<v1::ApiKeyServiceAdapter<ApiKeyLogic>>(m.logic.get());
  m.runner = std::make_unique<server::ServerRunner>(m.admin);
  m.runner->EmbedIn(metrics);
  LNOB_RETURN_IF_ERROR(m.runner->Init());
  LNOB_RETURN_IF_ERROR(m.runner->Add(m.service.get()));
  // No readiness probe: while the gateway's database is down, admin calls fail with
  // UNAVAILABLE and API-key calls are served from the last loaded key table (until it is
  // too old), but the REST face stays ready for bearer-token traffic.
  LNOB_RETURN_IF_ERROR(m.runner->Start());
  log::Info("API keys enabled",
            {{"admin_grpc", admin_address()},
             {"refresh_ms", absl::StrCat(absl::ToInt64Milliseconds(m.auth.cache_ttl))},
             {"token_ttl_s", absl::StrCat(absl::ToInt64Seconds(m.auth.token_ttl))}});
  return absl::OkStatus();
}

std::string ApiKeysWiring::admin_address() const {
  if (!impl_->runner) return "";
  const std::string& host = impl_->admin.listen_host;
  // A wildcard bind is reached through loopback from inside the process.
  const std::string reach = host == "0.0.0.0" || host == "::" || host == "[::]" ? "127.0.0.1" : host;
  return absl::StrCat(reach, ":", impl_->runner->grpc_port());
}

ApiKeyAuthenticator* ApiKeysWiring::authenticator() const { return impl_->authenticator.get(); }

void ApiKeysWiring::Stop() {
  if (impl_ && impl_->runner) impl_->runner->Shutdown();
  if (impl_ && impl_->refresher) impl_->refresher->Stop();
}

}  // namespace lnob::gateway
