#include "common/db/idempotency.h"

#include "common/status/status.h"

namespace lnob::db {

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
  // Checked first: another caller learns nothing about the request it collided with.
  if (!r[0][3].is_null() && r[0][3].as<std::string>() != who) {
    return WithReason(absl::AlreadyExistsError("request_id is already used by another caller; choose a new one"),
                      "REQUEST_ID_TAKEN");
  }
  if (r[0][0].as<std::string>() != m || r[0][1].as<std::string>() != h) {
    return InvalidField("request_id", "already used for a different request");
  }
  if (r[0][2].is_null()) {
    return absl::AbortedError("request with this request_id is still in progress; retry");
  }
  pqxx::binarystring bytes(r[0][2]);
  return std::optional<std::string>(bytes.str());
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
