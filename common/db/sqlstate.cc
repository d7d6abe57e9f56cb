#include "common/db/sqlstate.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace lnob::db {

bool IsRetryableSqlState(absl::string_view s) { return s == "40001" || s == "40P01"; }

absl::Status StatusFromSqlState(absl::string_view s, absl::string_view constraint) {
  const std::string where = constraint.empty() ? "" : absl::StrCat(" (", constraint, ")");
  if (s == "23505") {
    return WithReason(absl::AlreadyExistsError(absl::StrCat("record already exists", where)),
                      "UNIQUE_VIOLATION");
  }
  if (s == "23503") {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("referenced record missing or still referenced", where)),
                      "FOREIGN_KEY_VIOLATION");
  }
  if (s == "23514" && constraint == "maker_checker") {  // migrations: *_maker_checker
    return WithReason(absl::PermissionDeniedError("the approver must not be the submitter (maker-checker)"),
                      "SELF_APPROVAL");
  }
  if (s == "23514" || s == "23P01" || s == "23502") {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("constraint violated", where)),
                      "CONSTRAINT_VIOLATION");
  }
  if (s == "40001" || s == "40P01") {
    return WithReason(absl::AbortedError("concurrent update conflict; retry"), "TX_CONFLICT");
  }
  if (s == "55P03") {
    return WithReason(absl::UnavailableError("lock not available"), "LOCK_TIMEOUT");
  }
  if (s == "57014") {
    return WithReason(absl::DeadlineExceededError("statement cancelled by timeout"),
                      "STATEMENT_TIMEOUT");
  }
  if (s == "42501") {
    return WithReason(absl::InternalError("database privilege missing"), "DB_PRIVILEGE");
  }
  if (absl::StartsWith(s, "08") || s == "57P01" || s == "57P02" || s == "57P03") {
    return WithReason(absl::UnavailableError("database unavailable"), "DB_UNAVAILABLE");
  }
  if (absl::StartsWith(s, "53")) {
    return WithReason(absl::ResourceExhaustedError("database out of resources"),
                      "DB_RESOURCES");
  }
  if (absl::StartsWith(s, "22")) {
    return WithReason(absl::InvalidArgumentError("value out of range or malformed"),
                      "DATA_EXCEPTION");
  }
  if (s == "P0001") {  // RAISE EXCEPTION in a trigger: our own invariant checks
    return WithReason(absl::FailedPreconditionError(absl::StrCat("invariant violated", where)),
                      "INVARIANT");
  }
  return WithReason(absl::InternalError(absl::StrCat("database error ", s)), "DB_ERROR");
}

}  // namespace lnob::db
