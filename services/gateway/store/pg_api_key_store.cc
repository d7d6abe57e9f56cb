#include "services/gateway/store/pg_api_key_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"

namespace lnob::gateway {
namespace {

using db::ArrayLiteral;
using db::ArrayValue;
using db::Str;
using pqxx::transaction_base;

// Timestamps cross the boundary as integral microseconds since the epoch.
std::string Micros(const char* column) {
  return absl::StrCat("(extract(epoch FROM ", column, ") * 1000000)::bigint");
}
std::string FromMicrosSql(int param) {
  return absl::StrCat("(timestamptz 'epoch' + $", param, "::bigint * interval '1 microsecond')");
}

const std::string& Columns() {
  static const std::string* c = new std::string(absl::StrCat(
      "id, display_name, key_prefix, roles, scope_units, ", Micros("expires_at"),
      ", rate_limit_rps, created_by, ", Micros("created_at"), ", ", Micros("revoked_at"),
      ", coalesce(revoked_by, ''), ", Micros("last_used_at")));
  return *c;
}

absl::Time FromMicros(const pqxx::field& f) { return absl::FromUnixMicros(f.as<int64_t>()); }

ApiKeyRecord FromRow(const pqxx::row& r) {
  ApiKeyRecord k;
  k.id = r[0].as<int64_t>();
  k.display_name = Str(r[1]);
  k.key_prefix = Str(r[2]);
  k.roles = ArrayValue(r[3]);
  k.scope_units = ArrayValue(r[4]);
  k.expires_at = FromMicros(r[5]);
  k.rate_limit_rps = r[6].as<double>();
  k.created_by = Str(r[7]);
  k.created_at = FromMicros(r[8]);
  if (!r[9].is_null()) k.revoked_at = FromMicros(r[9]);
  k.revoked_by = Str(r[10]);
  if (!r[11].is_null()) k.last_used_at = FromMicros(r[11]);
  return k;
}

absl::Status NotFound(int64_t id) {
  return WithReason(absl::NotFoundError(absl::StrCat("apiKeys/", id, " not found")), "NOT_FOUND");
}

class PgApiKeyStore : public ApiKeyStore {
 public:
  explicit PgApiKeyStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<ApiKeyRecord> Create(const NewApiKey& k) override {
    return pool_->Write<ApiKeyRecord>([&](transaction_base& tx, ApiKeyRecord& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("INSERT INTO api_keys (display_name, key_prefix, secret_sha256, roles,"
                       " scope_units, expires_at, rate_limit_rps, created_by, request_id)"
                        " VALUES ($1, $2, $3, $4::text[], $5::text[], ", FromMicrosSql(6),
                       ", $7, $8, NULLIF($9, '')) ON CONFLICT (request_id) WHERE request_id IS NOT NULL DO NOTHING"
                       " RETURNING ", Columns()),
          k.display_name, k.key_prefix, k.secret_sha256, ArrayLiteral(k.roles),
          ArrayLiteral(k.scope_units), absl::ToUnixMicros(k.expires_at), k.rate_limit_rps,
          k.created_by, k.request_id);
      if (r.empty()) {
        auto first = tx.exec_params("SELECT id, created_by FROM api_keys WHERE request_id = $1", k.request_id);
        if (first.empty() || Str(first[0][1]) != k.created_by) {
          return WithReason(absl::AlreadyExistsError("request_id was used by another caller"), "REQUEST_ID_TAKEN");
        }
        return WithReason(absl::AlreadyExistsError(absl::StrCat(
                              "apiKeys/", first[0][0].as<int64_t>(),
                              " was created by an earlier attempt with this request_id; its secret is not shown"
                              " again (revoke it if the first answer was lost)")),
                          "API_KEY_EXISTS");
      }
      out = FromRow(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<ApiKeyRecord> Get(int64_t id) override {
    return pool_->Fetch<ApiKeyRecord>([&](transaction_base& tx, ApiKeyRecord& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", Columns(), " FROM api_keys WHERE id = $1"), id);
      if (r.empty()) return NotFound(id);
      out = FromRow(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<ApiKeyRecord>> List(const ApiKeyQuery& q) override {
    const char* state = "any";
    switch (q.state) {
      case ApiKeyState::kAny: break;
      case ApiKeyState::kActive: state = "active"; break;
      case ApiKeyState::kExpired: state = "expired"; break;
      case ApiKeyState::kRevoked: state = "revoked"; break;
    }
    return pool_->Fetch<std::vector<ApiKeyRecord>>(
        [&](transaction_base& tx, std::vector<ApiKeyRecord>& out) -> absl::Status {
          const std::string now = FromMicrosSql(1);
          auto r = tx.exec_params(
              absl::StrCat("SELECT ", Columns(), " FROM api_keys WHERE id > $2 AND CASE $4::text",
                           " WHEN 'active' THEN revoked_at IS NULL AND expires_at > ", now,
                           " WHEN 'expired' THEN revoked_at IS NULL AND expires_at <= ", now,
                           " WHEN 'revoked' THEN revoked_at IS NOT NULL ELSE true END",
                           " ORDER BY id LIMIT $3"),
              absl::ToUnixMicros(q.now), q.after_id, q.limit, state);
          for (const auto& row : r) out.push_back(FromRow(row));
          return absl::OkStatus();
        });
  }

  absl::StatusOr<ApiKeyRecord> Revoke(int64_t id, const std::string& actor) override {
    return pool_->Write<ApiKeyRecord>([&](transaction_base& tx, ApiKeyRecord& out) -> absl::Status {
      tx.exec_params("UPDATE api_keys SET revoked_at = now(), revoked_by = $2"
                     " WHERE id = $1 AND revoked_at IS NULL",
                     id, actor);
      auto r = tx.exec_params(absl::StrCat("SELECT ", Columns(), " FROM api_keys WHERE id = $1"), id);
      if (r.empty()) return NotFound(id);
      out = FromRow(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<ApiKeyRecord>> ListForAuthentication() override {
    return pool_->Fetch<std::vector<ApiKeyRecord>>(
        [&](transaction_base& tx, std::vector<ApiKeyRecord>& out) -> absl::Status {
          auto r = tx.exec(absl::StrCat("SELECT ", Columns(), ", secret_sha256 FROM api_keys ORDER BY id"));
          out.reserve(r.size());
          for (const auto& row : r) {
            out.push_back(FromRow(row));
            out.back().secret_sha256 = Str(row[12]);
          }
          return absl::OkStatus();
        });
  }

  absl::Status RecordUses(const std::vector<int64_t>& ids) override {
    if (ids.empty()) return absl::OkStatus();
    return pool_->Run([&](transaction_base& tx) -> absl::Status {
      // Not rewritten on every call: at most once a minute per key.
      tx.exec_params("UPDATE api_keys SET last_used_at = now() WHERE id = ANY($1::bigint[])"
                     " AND revoked_at IS NULL"
                     " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
                     absl::StrCat("{", absl::StrJoin(ids, ","), "}"));
      return absl::OkStatus();
    });
  }

  bool Healthy() override { return pool_->Ping(); }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<ApiKeyStore> NewPgApiKeyStore(db::Pool* pool) {
  return std::make_unique<PgApiKeyStore>(pool);
}

}  // namespace lnob::gateway
