#ifndef LNOB_SERVICES_GATEWAY_DOMAIN_API_KEY_LOGIC_H_
#define LNOB_SERVICES_GATEWAY_DOMAIN_API_KEY_LOGIC_H_

// The API-key admin use cases (ApiKeyService) and the key secret format. Knows nothing of
// gRPC or SQL: validates requests (errors name the field), generates secrets, paginates and
// talks to the ApiKeyStore.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/api/page_token.h"
#include "common/auth/policy.h"
#include "common/auth/principal.h"
#include "common/server/call.h"
#include "common/util/clock.h"
#include "lnob/gateway/v1/api_keys.pb.h"
#include "services/gateway/store/api_key_store.h"

namespace lnob::gateway {

// A secret is "lnob_" followed by 43 base64url characters (256 random bits).
struct ApiKeySecret {
  std::string secret;
  std::string prefix;         // the first characters, stored and listed to recognise the key
  std::string sha256_hex;     // what the store keeps
};
ApiKeySecret GenerateApiKeySecret();
bool LooksLikeApiKeySecret(absl::string_view secret);
// How many leading characters of a secret are stored and listed ("lnob_" + 8).
inline constexpr size_t kListedPrefixChars = 13;
std::string ApiKeySecretHash(absl::string_view secret);  // lowercase hex SHA-256

// The permission that manages keys; a key may not carry a role granting it.
inline constexpr char kApiKeyAdminPermission[] = "gateway.api_keys.admin";
// Whether an API key may carry this role: not one that manages keys, not a service's own
// (SERVICE_*). The gateway's signing key policy lists exactly these (lnobctl keys --for=gateway).
bool ApiKeyMayCarry(const auth::RolePolicy& roles, absl::string_view role);

// Longest lifetime a key may be given.
inline constexpr absl::Duration kMaxApiKeyLifetime = absl::Hours(24 * 731);

class ApiKeyLogic {
 public:
  ApiKeyLogic(ApiKeyStore* store, api::PageTokenCodec tokens, const Clock& clock,
              const auth::RolePolicy& roles = auth::RolePolicy::Default())
      : store_(store), tokens_(std::move(tokens)), clock_(clock), roles_(roles) {}

  using C = server::Call;
  absl::Status CreateApiKey(const C& c, const v1::CreateApiKeyRequest& req, v1::CreateApiKeyResponse* out);
  absl::Status ListApiKeys(const C& c, const v1::ListApiKeysRequest& req, v1::ListApiKeysResponse* out);
  absl::Status GetApiKey(const C& c, const v1::GetApiKeyRequest& req, v1::ApiKey* out);
  absl::Status RevokeApiKey(const C& c, const v1::RevokeApiKeyRequest& req, v1::ApiKey* out);

  // Runs after every key created or revoked here (the authenticator reloads its copy, so a
  // revocation takes effect at once on this gateway). Set before serving.
  void OnChange(std::function<void()> fn) { on_change_ = std::move(fn); }

  // The resource of a stored key as of `now` (state computed from expiry and revocation).
  static v1::ApiKey ToProto(const ApiKeyRecord& k, absl::Time now);

 private:
  ApiKeyStore* store_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
  const auth::RolePolicy& roles_;
  std::function<void()> on_change_;
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_DOMAIN_API_KEY_LOGIC_H_
