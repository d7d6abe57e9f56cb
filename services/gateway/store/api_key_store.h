#ifndef LNOB_SERVICES_GATEWAY_STORE_API_KEY_STORE_H_
#define LNOB_SERVICES_GATEWAY_STORE_API_KEY_STORE_H_

// Storage boundary of the gateway's API keys (schema "gateway"). The PostgreSQL
// implementation is pg_api_key_store.cc, the only gateway code that includes libpqxx.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace lnob::gateway {

struct ApiKeyRecord {
  int64_t id = 0;
  std::string display_name;
  std::string key_prefix;
  std::vector<std::string> roles;
  std::vector<std::string> scope_units;  // empty = the whole province
  absl::Time expires_at = absl::InfinitePast();
  double rate_limit_rps = 0;  // 0 = the gateway's default
  std::string created_by;
  absl::Time created_at = absl::InfinitePast();
  std::optional<absl::Time> revoked_at;
  std::string revoked_by;
  std::optional<absl::Time> last_used_at;
  std::string secret_sha256;  // filled by ListForAuthentication only
};

struct NewApiKey {
  std::string display_name;
  std::string key_prefix;
  std::string secret_sha256;  // lowercase hex; the secret itself never reaches the store
  std::vector<std::string> roles;
  std::vector<std::string> scope_units;
  absl::Time expires_at;
  double rate_limit_rps = 0;
  std::string created_by;
  std::string request_id;  // empty: none
};

enum class ApiKeyState { kAny, kActive, kExpired, kRevoked };

struct ApiKeyQuery {
  ApiKeyState state = ApiKeyState::kAny;
  absl::Time now;        // what "expired" is measured against
  int64_t after_id = 0;  // keyset cursor
  int limit = 100;
};

class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;

  // ALREADY_EXISTS when key.request_id was used before: reason API_KEY_EXISTS naming the
  // key it made when by the same creator, else REQUEST_ID_TAKEN.
  virtual absl::StatusOr<ApiKeyRecord> Create(const NewApiKey& key) = 0;
  // NOT_FOUND when there is no such key.
  virtual absl::StatusOr<ApiKeyRecord> Get(int64_t id) = 0;
  // Ordered by id.
  virtual absl::StatusOr<std::vector<ApiKeyRecord>> List(const ApiKeyQuery& q) = 0;
  // Sets revoked_at/revoked_by once; a second revocation changes nothing. NOT_FOUND when
  // there is no such key.
  virtual absl::StatusOr<ApiKeyRecord> Revoke(int64_t id, const std::string& actor) = 0;
  // Every key with its secret's SHA-256 (revoked and expired ones included): what the
  // authenticator keeps in memory, so that no call waits for the database.
  virtual absl::StatusOr<std::vector<ApiKeyRecord>> ListForAuthentication() = 0;
  // Records that these keys were used (last_used_at, at most once a minute per key).
  virtual absl::Status RecordUses(const std::vector<int64_t>& ids) = 0;
  // True when the database answers.
  virtual bool Healthy() = 0;
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_STORE_API_KEY_STORE_H_
