#ifndef LNOB_SERVICES_GATEWAY_DOMAIN_API_KEY_AUTH_H_
#define LNOB_SERVICES_GATEWAY_DOMAIN_API_KEY_AUTH_H_

// Authentication of a call made with an API key: the secret is hashed and looked up in an
// in-memory copy of the key table (reloaded every refresh interval and after every change
// made through this gateway's admin API), so a call never waits for the database and a
// flood of made-up keys never reaches it. Unknown, revoked and expired keys are
// UNAUTHENTICATED, and the call gets a short-lived RS256 token carrying the key's roles and
// scope, which replaces whatever authorization the caller sent. The services verify that
// token like any other, so they never have to trust an identity they cannot check.
// No HTTP, no gRPC, no SQL.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "services/gateway/store/api_key_store.h"

namespace lnob::gateway {

struct ApiKeyAuthOptions {
  std::string signing_key_pem;  // RSA private key (PEM) whose public half the services trust
  std::string issuer = "lnob";
  absl::Duration token_ttl = absl::Seconds(60);  // lifetime of a minted token
  // How often the key table is reloaded: a revocation made through another gateway replica
  // takes effect within this time (through this one, at once).
  absl::Duration cache_ttl = absl::Seconds(5);
  // Past this age without a successful reload, API-key calls are UNAVAILABLE rather than
  // served from a copy that may miss revocations. Zero: 3 x cache_ttl + 10 s.
  absl::Duration max_staleness = absl::ZeroDuration();
};

struct ApiKeyGrant {
  int64_t key_id = 0;
  std::string subject;        // "apikey:<id>", the subject of the minted token
  std::string authorization;  // "Bearer <minted token>", to send downstream
  double rate_limit_rps = 0;  // the key's own rate; 0 = the gateway's default
};

class ApiKeyAuthenticator {
 public:
  // INVALID_ARGUMENT when the signing key is not an RSA private key or a duration is out of
  // range (start-up errors).
  static absl::StatusOr<std::unique_ptr<ApiKeyAuthenticator>> Create(ApiKeyStore* store,
                                                                     ApiKeyAuthOptions options,
                                                                     const Clock& clock);

  // Reloads the key table from the store and records the uses seen since the last reload.
  // On failure the previous copy stays in use (until max_staleness).
  absl::Status Refresh();

  // Never blocks on the store. UNAUTHENTICATED (reasons API_KEY_INVALID, API_KEY_REVOKED,
  // API_KEY_EXPIRED) for a key that must not be used; UNAVAILABLE (API_KEYS_UNAVAILABLE)
  // while no recent copy of the key table could be loaded.
  // audience: the called service's (auth::AudienceOfMethod); the token minted for the key
  // is valid for that service only.
  absl::StatusOr<ApiKeyGrant> Authenticate(absl::string_view secret, absl::string_view audience);

  // What failures of this secret are counted under: its listed prefix (a well-formed key),
  // else one shared bucket for malformed secrets.
  static std::string FailureBucketOf(absl::string_view secret);

  // The secret of an "x-api-key" header, else of an "Authorization: ApiKey <secret>" header;
  // empty when the call does not use an API key.
  static std::string SecretFromHeaders(absl::string_view x_api_key, absl::string_view authorization);

  const ApiKeyAuthOptions& options() const { return options_; }

 private:
  ApiKeyAuthenticator(ApiKeyStore* store, ApiKeyAuthOptions options, const Clock& clock)
      : store_(store), options_(std::move(options)), clock_(clock) {}

  struct MintedToken {
    std::string authorization;
    absl::Time reuse_until;
  };

  ApiKeyStore* store_;
  ApiKeyAuthOptions options_;
  const Clock& clock_;
  absl::Mutex refresh_mu_;  // one reload at a time
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, ApiKeyRecord> keys_ ABSL_GUARDED_BY(mu_);  // by secret hash
  absl::Time loaded_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::flat_hash_set<int64_t> used_ ABSL_GUARDED_BY(mu_);                     // since the last reload
  absl::flat_hash_map<std::pair<int64_t, std::string>, MintedToken> tokens_
      ABSL_GUARDED_BY(mu_);  // by key id and audience
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_DOMAIN_API_KEY_AUTH_H_
