#ifndef LNOB_COMMON_DB_IDEMPOTENCY_H_
#define LNOB_COMMON_DB_IDEMPOTENCY_H_

#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/idempotency_key.h"

namespace lnob::db {

// request_id idempotency inside the caller's transaction (table idempotency_keys).
//   Begin: claims the id (concurrent duplicates wait on the row). Returns the stored response
//          of an earlier identical request, or nullopt when the write must be performed.
//          Same id with a different request -> INVALID_ARGUMENT naming request_id; the same id
//          used by another subject -> ALREADY_EXISTS (reason REQUEST_ID_TAKEN).
//   Finish: stores the response to replay.
// request_hash: a digest of the request without its request_id (api::IdempotencyKeyFor).
// Included by stores only; domain code builds keys with common/api/request_id.h.
absl::StatusOr<std::optional<std::string>> BeginIdempotent(pqxx::transaction_base& tx,
                                                           absl::string_view request_id,
                                                           absl::string_view method,
                                                           absl::string_view request_hash,
                                                           absl::string_view subject);
void FinishIdempotent(pqxx::transaction_base& tx, absl::string_view request_id,
                      absl::string_view response);
// Looks, without claiming the id, for the stored response of an earlier identical request
// (the same errors as Begin for a mismatch): a use case that reads other services before it
// writes answers a retry from here before calling them again. nullopt when there is none yet.
absl::StatusOr<std::optional<std::string>> PriorResponse(pqxx::transaction_base& tx, const IdempotencyKey& key);
// PriorResponse in a read transaction of `pool` (a db::Pool), parsed into *out: true when there
// is one.
template <typename PoolT, typename Message>
absl::StatusOr<bool> ReplayResponse(PoolT& pool, const IdempotencyKey& key, Message* out) {
  return pool.template Fetch<bool>([&](pqxx::transaction_base& tx, bool& found) -> absl::Status {
    auto prior = PriorResponse(tx, key);
    if (!prior.ok()) return prior.status();
    found = prior->has_value() && out->ParseFromString(**prior);
    return absl::OkStatus();
  });
}

// An import id belongs to the caller that started it (the row of table `imports` whose
// `actor_column` holds the subject): another caller resuming it gets ALREADY_EXISTS (reason
// REQUEST_ID_TAKEN) and learns nothing of its rows.
absl::Status ImportBelongsTo(pqxx::transaction_base& tx, absl::string_view import_id, absl::string_view actor,
                             absl::string_view actor_column);

// Runs `write` (which fills *out) once per request_id inside the caller's transaction; a
// replay returns the stored response instead.
template <typename Message, typename Write>
absl::Status RunIdempotent(pqxx::transaction_base& tx, const IdempotencyKey& key, Message* out, Write&& write) {
  if (key.request_id.empty()) return write();
  auto prior = BeginIdempotent(tx, key.request_id, key.method, key.request_hash, key.subject);
  if (!prior.ok()) return prior.status();
  if (prior->has_value()) {
    out->ParseFromString(**prior);
    return absl::OkStatus();
  }
  absl::Status st = write();
  if (!st.ok()) return st;
  FinishIdempotent(tx, key.request_id, out->SerializeAsString());
  return absl::OkStatus();
}

}  // namespace lnob::db

#endif  // LNOB_COMMON_DB_IDEMPOTENCY_H_
