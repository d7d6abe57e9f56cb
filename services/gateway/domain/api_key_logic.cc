#include "services/gateway/domain/api_key_logic.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/api/resource_name.h"
#include "common/auth/jwt.h"
#include "common/status/status.h"
#include "common/util/sha256.h"

namespace lnob::gateway {
namespace {

constexpr absl::string_view kSecretPrefix = "lnob_";
constexpr size_t kSecretRandomChars = 43;  // base64url of 32 bytes, unpadded
constexpr double kMaxRateLimitRps = 10000;

bool ValidUnitCode(absl::string_view code) {
  if (code.size() < 2 || code.size() > 5) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

ApiKeySecret GenerateApiKeySecret() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  ApiKeySecret s;
  s.secret = absl::StrCat(kSecretPrefix, auth::Base64UrlEncode(absl::string_view(
                                             reinterpret_cast<const char*>(bytes), sizeof bytes)));
  s.prefix = s.secret.substr(0, kListedPrefixChars);
  s.sha256_hex = ApiKeySecretHash(s.secret);
  return s;
}

bool ApiKeyMayCarry(const auth::RolePolicy& roles, absl::string_view role) {
  return roles.HasRole(role) && !roles.Grants({std::string(role)}, kApiKeyAdminPermission) &&
         !absl::StartsWith(role, "SERVICE_");
}

bool LooksLikeApiKeySecret(absl::string_view secret) {
  if (!absl::ConsumePrefix(&secret, kSecretPrefix) || secret.size() != kSecretRandomChars) return false;
  for (char c : secret) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string ApiKeySecretHash(absl::string_view secret) { return Sha256Hex(secret); }

v1::ApiKey ApiKeyLogic::ToProto(const ApiKeyRecord& k, absl::Time now) {
  v1::ApiKey out;
  out.set_name(absl::StrCat("apiKeys/", k.id));
  out.set_display_name(k.display_name);
  for (const auto& r : k.roles) out.add_roles(r);
  for (const auto& u : k.scope_units) out.add_scope_unit_codes(u);
  *out.mutable_expire_time() = api::ToProtoTimestamp(k.expires_at);
  out.set_rate_limit_rps(k.rate_limit_rps);
  out.set_key_prefix(k.key_prefix);
  out.set_state(k.revoked_at       ? v1::ApiKey::REVOKED
                : k.expires_at <= now ? v1::ApiKey::EXPIRED
                                      : v1::ApiKey::ACTIVE);
  *out.mutable_create_time() = api::ToProtoTimestamp(k.created_at);
  out.set_created_by(k.created_by);
  if (k.revoked_at) *out.mutable_revoke_time() = api::ToProtoTimestamp(*k.revoked_at);
  out.set_revoked_by(k.revoked_by);
  if (k.last_used_at) *out.mutable_last_use_time() = api::ToProtoTimestamp(*k.last_used_at);
  return out;
}

absl::Status ApiKeyLogic::CreateApiKey(const C& c, const v1::CreateApiKeyRequest& req,
                                       v1::CreateApiKeyResponse* out) {
  const auth::Principal& p = c.principal;
  const absl::Time now = clock_.Now();
  const v1::ApiKey& k = req.api_key();
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  Violations v;
  if (!req.has_api_key()) v.Add("api_key", "is required");
  if (k.display_name().empty()) {
    v.Add("api_key.display_name", "is required (which system uses the key)");
  } else if (k.display_name().size() > 200) {
    v.Add("api_key.display_name", "must be at most 200 bytes");
  }
  if (k.roles().empty()) v.Add("api_key.roles", "at least one role is required");
  std::set<std::string> seen;
  for (int i = 0; i < k.roles_size(); ++i) {
    const std::string& role = k.roles(i);
    const std::string field = absl::StrCat("api_key.roles[", i, "]");
    if (!roles_.HasRole(role)) {
      v.Add(field, absl::StrCat("unknown role '", role, "' (see common/auth/roles.json)"));
    } else if (!ApiKeyMayCarry(roles_, role)) {
      v.Add(field, absl::StrCat(role, " may manage API keys or is a service's own role; a key cannot carry it"));
    } else if (!seen.insert(role).second) {
      v.Add(field, "is listed twice");
    }
  }
  if (k.scope_unit_codes().empty()) {
    if (const std::string role = roles_.AreaRoleIn({k.roles().begin(), k.roles().end()}); !role.empty()) {
      v.Add("api_key.scope_unit_codes", absl::StrCat("is required for role ", role, " (it acts in an area)"));
    }
  }
  seen.clear();
  for (int i = 0; i < k.scope_unit_codes_size(); ++i) {
    const std::string& code = k.scope_unit_codes(i);
    const std::string field = absl::StrCat("api_key.scope_unit_codes[", i, "]");
    if (!ValidUnitCode(code)) {
      v.Add(field, "must be a 2-5 digit GSO code");
    } else if (!seen.insert(code).second) {
      v.Add(field, "is listed twice");
    }
  }
  // A creator limited to an area can only hand out keys within the units of its own scope.
  if (!p.scope.whole_province()) {
    if (k.scope_unit_codes().empty()) {
      v.Add("api_key.scope_unit_codes", "is required: the caller's own scope is limited");
    }
    for (int i = 0; i < k.scope_unit_codes_size(); ++i) {
      const auto& mine = p.scope.unit_codes;
      if (std::find(mine.begin(), mine.end(), k.scope_unit_codes(i)) == mine.end()) {
        v.Add(absl::StrCat("api_key.scope_unit_codes[", i, "]"), "is outside the caller's scope");
      }
    }
  }
  absl::Time expires = absl::InfinitePast();
  absl::StatusOr<absl::Time> parsed = api::FromProtoTimestamp(k.expire_time(), "api_key.expire_time");
  if (!k.has_expire_time()) {
    v.Add("api_key.expire_time", "is required (REST: RFC 3339, e.g. 2026-12-31T00:00:00Z)");
  } else if (!parsed.ok()) {
    v.Add("api_key.expire_time", "must be a timestamp between years 1 and 9999");
  } else if ((expires = *parsed) <= now) {
    v.Add("api_key.expire_time", "must be in the future");
  } else if (expires > now + kMaxApiKeyLifetime) {
    v.Add("api_key.expire_time", "must be at most two years ahead");
  }
  if (!std::isfinite(k.rate_limit_rps()) || k.rate_limit_rps() < 0 ||
      k.rate_limit_rps() > kMaxRateLimitRps) {
    v.Add("api_key.rate_limit_rps", absl::StrCat("must be 0 (gateway default) to ", kMaxRateLimitRps));
  }
  LNOB_RETURN_IF_ERROR(v.Status());

  const ApiKeySecret secret = GenerateApiKeySecret();
  NewApiKey n;
  n.display_name = k.display_name();
  n.key_prefix = secret.prefix;
  n.secret_sha256 = secret.sha256_hex;
  n.roles.assign(k.roles().begin(), k.roles().end());
  n.scope_units.assign(k.scope_unit_codes().begin(), k.scope_unit_codes().end());
  n.expires_at = expires;
  n.rate_limit_rps = k.rate_limit_rps();
  n.created_by = p.subject.empty() ? "unknown" : p.subject;
  n.request_id = req.request_id();
  LNOB_ASSIGN_OR_RETURN(ApiKeyRecord stored, store_->Create(n));
  if (on_change_) on_change_();
  *out->mutable_api_key() = ToProto(stored, now);
  out->set_secret(secret.secret);
  return absl::OkStatus();
}

namespace {

// An administrator limited to an area sees and revokes only keys it could have created:
// keys scoped to units of its own scope.
bool Manages(const auth::Principal& p, const ApiKeyRecord& k) {
  if (p.scope.whole_province()) return true;
  if (k.scope_units.empty()) return false;
  for (const auto& u : k.scope_units) {
    if (std::find(p.scope.unit_codes.begin(), p.scope.unit_codes.end(), u) == p.scope.unit_codes.end()) return false;
  }
  return true;
}

}  // namespace

absl::Status ApiKeyLogic::ListApiKeys(const C& c, const v1::ListApiKeysRequest& req,
                                      v1::ListApiKeysResponse* out) {
  const auth::Principal& p = c.principal;
  if (!v1::ApiKey::State_IsValid(req.state())) return InvalidField("state", "unknown state");
  ApiKeyQuery q;
  q.now = clock_.Now();
  switch (req.state()) {
    case v1::ApiKey::ACTIVE: q.state = ApiKeyState::kActive; break;
    case v1::ApiKey::EXPIRED: q.state = ApiKeyState::kExpired; break;
    case v1::ApiKey::REVOKED: q.state = ApiKeyState::kRevoked; break;
    default: q.state = ApiKeyState::kAny; break;
  }
  LNOB_ASSIGN_OR_RETURN(
      auto rows, api::FetchPage<ApiKeyRecord>(
                     tokens_, req,
                     [&](const std::string& after, int limit) -> absl::StatusOr<std::vector<ApiKeyRecord>> {
                       LNOB_ASSIGN_OR_RETURN(q.after_id, api::IdCursor(after));
                       q.limit = limit;
                       return store_->List(q);
                     },
                     [](const ApiKeyRecord& r) { return absl::StrCat(r.id); }, out->mutable_next_page_token()));
  // Keys of other areas are skipped (a page may come back short; the token still advances).
  for (const auto& r : rows) {
    if (Manages(p, r)) *out->add_api_keys() = ToProto(r, q.now);
  }
  return absl::OkStatus();
}

absl::Status ApiKeyLogic::GetApiKey(const C& c, const v1::GetApiKeyRequest& req, v1::ApiKey* out) {
  const auth::Principal& p = c.principal;
  LNOB_ASSIGN_OR_RETURN(int64_t id, api::ParseIntId(req.name(), "apiKeys", "name"));
  LNOB_ASSIGN_OR_RETURN(ApiKeyRecord k, store_->Get(id));
  if (!Manages(p, k)) return absl::NotFoundError(absl::StrCat(req.name(), " not found"));
  *out = ToProto(k, clock_.Now());
  return absl::OkStatus();
}

absl::Status ApiKeyLogic::RevokeApiKey(const C& c, const v1::RevokeApiKeyRequest& req, v1::ApiKey* out) {
  const auth::Principal& p = c.principal;
  LNOB_ASSIGN_OR_RETURN(int64_t id, api::ParseIntId(req.name(), "apiKeys", "name"));
  LNOB_ASSIGN_OR_RETURN(ApiKeyRecord current, store_->Get(id));
  if (!Manages(p, current)) return absl::NotFoundError(absl::StrCat(req.name(), " not found"));
  LNOB_ASSIGN_OR_RETURN(ApiKeyRecord k, store_->Revoke(id, p.subject.empty() ? "unknown" : p.subject));
  if (on_change_) on_change_();
  *out = ToProto(k, clock_.Now());
  return absl::OkStatus();
}

}  // namespace lnob::gateway
