#ifndef LNOB_SERVICES_GATEWAY_DOMAIN_API_KEY_AUTH_H_
#define LNOB_SERVICES_GATEWAY_DOMAIN_API_KEY_AUTH_H_

// Authentication of a call made with an API key: the secret is hashed and looked up (with a
// short cache), unknown, revoked and expired keys are UNAUTHENTICATED, and the call gets a
// short-lived RS256 token carrying the key's roles and scope, which replaces whatever
// authorization the caller sent. The services verify that token like any other, so they
// never have to trust an identity they cannot check. No HTTP, no gRPC, no SQL.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
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
  std::string audience = "lnob";
  absl::Duration token_ttl = absl::Seconds(60);  // lifetime of a minted token
  // How long a looked-up key is trusted before the store is asked again: a revocation takes
  // effect within this time. Zero asks the store on every call.
  absl::Duration cache_ttl = absl::Seconds(5);
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

  // UNAUTHENTICATED (reasons API_KEY_INVALID, API_KEY_REVOKED, API_KEY_EXPIRED) for a key that
  // must not be used; the store's status (e.g. UNAVAILABLE) when it cannot be asked.
  absl::StatusOr<ApiKeyGrant> Authenticate(absl::string_view secret);

  // The secret of an "x-api-key" header, else of an "Authorization: ApiKey <secret>" header;
  // empty when the call does not use an API key.
  static std::string SecretFromHeaders(absl::string_view x_api_key, absl::string_view authorization);

  const ApiKeyAuthOptions& options() const { return options_; }

 private:
  ApiKeyAuthenticator(ApiKeyStore* store, ApiKeyAuthOptions options, const Clock& clock)
      : store_(store), options_(std::move(options)), clock_(clock) {}

  struct CachedKey {
    bool found = false;
    ApiKeyRecord key;
    absl::Time loaded;
  };
  struct MintedToken {
    std::string authorization;
    absl::Time reuse_until;
  };

  ApiKeyStore* store_;
  ApiKeyAuthOptions options_;
  const Clock& clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, CachedKey> keys_ ABSL_GUARDED_BY(mu_);  // by secret hash
  absl::flat_hash_map<int64_t, MintedToken> tokens_ ABSL_GUARDED_BY(mu_);  // by key id
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_DOMAIN_API_KEY_AUTH_H_
