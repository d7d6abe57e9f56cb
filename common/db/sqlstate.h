#ifndef LNOB_COMMON_DB_SQLSTATE_H_
#define LNOB_COMMON_DB_SQLSTATE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace lnob::db {

// The one SQLSTATE -> status mapping. Messages are generic: SQL text and values (which may
// hold personal data) never reach the caller.
absl::Status StatusFromSqlState(absl::string_view sqlstate, absl::string_view constraint = {});

// Serialization failure or deadlock: the transaction was rolled back and may be re-run.
bool IsRetryableSqlState(absl::string_view sqlstate);

}  // namespace lnob::db

#endif  // LNOB_COMMON_DB_SQLSTATE_H_
