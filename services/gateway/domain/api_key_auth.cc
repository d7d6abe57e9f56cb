#include "services/gateway/domain/api_key_auth.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/jwt.h"
#include "common/status/status.h"
#include "services/gateway/domain/api_key_logic.h"

namespace lnob::gateway {
namespace {

// Bounds the minted-token cache.
constexpr size_t kMaxCachedKeys = 10000;

absl::Status Unauthenticated(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::UnauthenticatedError(message), reason);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ApiKeyAuthenticator>> ApiKeyAuthenticator::Create(
    ApiKeyStore* store, ApiKeyAuthOptions options, const Clock& clock) {
  if (auto kid = auth::KeyIdFromPrivatePem(options.signing_key_pem); !kid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the token signing key is not a PEM RSA private key: ", kid.status().message()));
  }
  if (options.token_ttl < absl::Seconds(10) || options.token_ttl > absl::Hours(1)) {
    return absl::InvalidArgumentError("the minted token lifetime must be 10s..1h");
  }
  if (options.cache_ttl < absl::Milliseconds(100) || options.cache_ttl > absl::Minutes(5)) {
    return absl::InvalidArgumentError("the API key refresh interval must be 100ms..5m");
  }
  if (options.issuer.empty()) return absl::InvalidArgumentError("the token issuer must be set");
  return std::unique_ptr<ApiKeyAuthenticator>(new ApiKeyAuthenticator(store, std::move(options), clock));
}

std::string ApiKeyAuthenticator::SecretFromHeaders(absl::string_view x_api_key,
                                                   absl::string_view authorization) {
  if (!x_api_key.empty()) return std::string(absl::StripAsciiWhitespace(x_api_key));
  if (authorization.size() > 7 && absl::StartsWithIgnoreCase(authorization, "ApiKey ")) {
    return std::string(absl::StripAsciiWhitespace(authorization.substr(7)));
  }
  return "";
}

std::string ApiKeyAuthenticator::FailureBucketOf(absl::string_view secret) {
  if (!LooksLikeApiKeySecret(secret)) return "malformed";
  return std::string(secret.substr(0, kListedPrefixChars));
}

absl::Status ApiKeyAuthenticator::Refresh() {
  absl::MutexLock one(&refresh_mu_);
  std::vector<int64_t> used;
  {
    absl::MutexLock l(&mu_);
    used.assign(used_.begin(), used_.end());
    used_.clear();
  }
  // A lost use record only delays last_used_at; the key table matters more.
  const absl::Status recorded = store_->RecordUses(used);
  const absl::Time started = clock_.Now();
  auto all = store_->ListForAuthentication();
  if (!all.ok()) return all.status();
  absl::flat_hash_map<std::string, ApiKeyRecord> keys;
  keys.reserve(all->size());
  for (ApiKeyRecord& k : *all) {
    std::string hash = std::move(k.secret_sha256);
    k.secret_sha256.clear();
    keys.emplace(std::move(hash), std::move(k));
  }
  absl::MutexLock l(&mu_);
  keys_ = std::move(keys);
  loaded_at_ = started;
  if (!recorded.ok()) used_.insert(used.begin(), used.end());
  return recorded;
}

absl::StatusOr<ApiKeyGrant> ApiKeyAuthenticator::Authenticate(absl::string_view secret,
                                                               absl::string_view audience) {
  if (audience.empty()) return Unauthenticated("API_KEY_INVALID", "the called method has no audience");
  if (!LooksLikeApiKeySecret(secret)) return Unauthenticated("API_KEY_INVALID", "malformed API key");
  const std::string hash = ApiKeySecretHash(secret);
  const absl::Time now = clock_.Now();
  const absl::Duration max_staleness = options_.max_staleness > absl::ZeroDuration()
                                           ? options_.max_staleness
                                           : options_.cache_ttl * 3 + absl::Seconds(10);
  ApiKeyRecord key;
  {
    absl::MutexLock l(&mu_);
    if (now - loaded_at_ > max_staleness) {
      return WithReason(absl::UnavailableError("the API key table could not be loaded recently; retry later"),
                        "API_KEYS_UNAVAILABLE");
    }
    auto it = keys_.find(hash);
    if (it == keys_.end()) return Unauthenticated("API_KEY_INVALID", "unknown API key");
    key = it->second;
  }
  if (key.revoked_at) {
    return Unauthenticated("API_KEY_REVOKED", absl::StrCat("API key ", key.key_prefix, "... was revoked"));
  }
  if (now >= key.expires_at) {
    return Unauthenticated("API_KEY_EXPIRED", absl::StrCat("API key ", key.key_prefix, "... has expired"));
  }

  ApiKeyGrant grant;
  grant.key_id = key.id;
  grant.subject = absl::StrCat("apikey:", key.id);
  grant.rate_limit_rps = key.rate_limit_rps;
  {
    absl::MutexLock l(&mu_);
    used_.insert(key.id);  // recorded by the next Refresh
    if (auto it = tokens_.find(std::make_pair(key.id, std::string(audience)));
        it != tokens_.end() && now < it->second.reuse_until) {
      grant.authorization = it->second.authorization;
      return grant;
    }
  }
  auth::Claims c;
  c.issuer = options_.issuer;
  c.audience = {std::string(audience)};
  c.subject = grant.subject;
  c.roles = key.roles;
  c.scope_units = key.scope_units;
  c.issued_at = now;
  c.not_before = now;
  // Never valid past the key itself.
  c.expires_at = std::min(now + options_.token_ttl, key.expires_at);
  auto token = auth::MintRs256(options_.signing_key_pem, c);
  if (!token.ok()) return absl::InternalError(absl::StrCat("cannot sign the API key's token: ", token.status().message()));
  grant.authorization = absl::StrCat("Bearer ", *token);
  // Reused for three quarters of its life, so a forwarded token always has time left.
  MintedToken minted{grant.authorization, now + (c.expires_at - now) * 3 / 4};
  absl::MutexLock l(&mu_);
  if (tokens_.size() >= kMaxCachedKeys) tokens_.clear();
  tokens_[std::make_pair(key.id, std::string(audience))] = std::move(minted);
  return grant;
}

}  // namespace lnob::gateway
