#ifndef LNOB_COMMON_API_REQUEST_ID_H_
#define LNOB_COMMON_API_REQUEST_ID_H_

// request_id idempotency as domain code sees it: validate the id and turn a request into
// the key a store claims (common/db/idempotency.h, the pqxx side, is for stores only).

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/db/idempotency_key.h"

namespace lnob::api {

// request_id must be empty or a UUID (RFC 4122 text form), as Google's API guidelines ask.
// The error names the field `request_id`.
absl::Status ValidateRequestId(absl::string_view request_id);

// Hex SHA-256 of the method and the request's bytes.
std::string RequestHash(absl::string_view method, absl::string_view request_bytes);

// The key of a create or state change: empty (not idempotent) without a request_id; the
// hash covers the request without its request_id, so a replay with the same id and another
// body is told apart; the subject binds the id to its caller (another caller reusing it is
// refused, and never sees the first caller's response).
template <typename Req>
db::IdempotencyKey IdempotencyKeyFor(const Req& req, absl::string_view method, absl::string_view subject) {
  if (req.request_id().empty()) return {};
  Req canonical = req;
  canonical.clear_request_id();
  return {req.request_id(), std::string(method), RequestHash(method, canonical.SerializeAsString()),
          std::string(subject)};
}

}  // namespace lnob::api

#endif  // LNOB_COMMON_API_REQUEST_ID_H_
