#ifndef LNOB_COMMON_SERVER_CALL_H_
#define LNOB_COMMON_SERVER_CALL_H_

// What a handler knows about the call it serves. Free of gRPC so that domain logic and
// stores can take it.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/log/trace.h"

namespace lnob::server {

struct Call {
  std::string method;  // "/lnob.registry.v1.ReferenceDataService/GetAdminUnit"
  auth::Principal principal;
  std::string request_id;  // x-request-id (generated when absent)
  TraceContext trace;
  absl::Time deadline = absl::InfiniteFuture();
  absl::Status auth_status;  // set by the interceptor; handlers never run when not OK
  std::string authorization;  // the caller's verified "Bearer ..." header, forwarded downstream
  std::string purpose;  // x-lnob-purpose: why personal data is read (recorded in its audit)
};

}  // namespace lnob::server

#endif  // LNOB_COMMON_SERVER_CALL_H_
