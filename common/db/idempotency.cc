#include "common/db/idempotency.h"

#include "common/status/status.h"

namespace lnob::db {
namespace {

// A stored row against the request: another caller's id, another request under the same id,
// else its response (nullopt while the first is still in progress).
absl::StatusOr<std::optional<std::string>> Check(const pqxx::row& r, const std::string& method,
                                                 const std::string& hash, const std::string& subject) {
  // Checked first: another caller learns nothing about the request it collided with.
  if (!r[3].is_null() && r[3].as<std::string>() != subject) {
    return WithReason(absl::AlreadyExistsError("request_id is already used by another caller; choose a new one"),
                      "REQUEST_ID_TAKEN");
  }
  if (r[0].as<std::string>() != method || r[1].as<std::string>() != hash) {
    return InvalidField("request_id", "already used for a different request");
  }
  if (r[2].is_null()) return std::optional<std::string>();
  pqxx::binarystring bytes(r[2]);
  return std::optional<std::string>(bytes.str());
}

}  // namespace

absl::StatusOr<std::optional<std::string>> BeginIdempotent(pqxx::transaction_base& tx,
                                                           absl::string_view request_id,
                                                           absl::string_view method,
                                                           absl::string_view request_hash,
                                                           absl::string_view subject) {
  const std::string id(request_id), m(method), h(request_hash), who(subject);
  auto ins = tx.exec_params(
      "INSERT INTO idempotency_keys(request_id, method, request_hash, subject) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (request_id) DO NOTHING RETURNING 1",
      id, m, h, who);
  if (!ins.empty()) return std::optional<std::string>();
  auto r = tx.exec_params(
      "SELECT method, request_hash, response, subject FROM idempotency_keys WHERE request_id = $1", id);
  if (r.empty()) {
    return absl::AbortedError("request_id was released concurrently; retry");
  }
  LNOB_ASSIGN_OR_RETURN(auto prior, Check(r[0], m, h, who));
  if (!prior) return absl::AbortedError("request with this request_id is still in progress; retry");
  return prior;
}

absl::StatusOr<std::optional<std::string>> PriorResponse(pqxx::transaction_base& tx, const IdempotencyKey& key) {
  if (key.request_id.empty()) return std::optional<std::string>();
  auto r = tx.exec_params(
      "SELECT method, request_hash, response, subject FROM idempotency_keys WHERE request_id = $1", key.request_id);
  if (r.empty()) return std::optional<std::string>();
  return Check(r[0], key.method, key.request_hash, key.subject);
}

void FinishIdempotent(pqxx::transaction_base& tx, absl::string_view request_id,
                      absl::string_view response) {
  pqxx::binarystring bytes(response.data(), response.size());
  tx.exec_params("UPDATE idempotency_keys SET response = $2 WHERE request_id = $1",
                 std::string(request_id), bytes);
}

absl::Status ImportBelongsTo(pqxx::transaction_base& tx, absl::string_view import_id, absl::string_view actor,
                             absl::string_view actor_column) {
  // actor_column is one of the stores' own column names, never input.
  auto r = tx.exec_params("SELECT " + tx.quote_name(std::string(actor_column)) + " FROM imports WHERE id = $1::uuid",
                          std::string(import_id));
  if (!r.empty() && r[0][0].as<std::string>() != actor) {
    return WithReason(absl::AlreadyExistsError("import_id was started by another caller; choose a new one"),
                      "REQUEST_ID_TAKEN");
  }
  return absl::OkStatus();
}

}  // namespace lnob::db
