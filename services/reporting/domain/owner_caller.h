#ifndef LNOB_SERVICES_REPORTING_DOMAIN_OWNER_CALLER_H_
#define LNOB_SERVICES_REPORTING_DOMAIN_OWNER_CALLER_H_

// How the reporting service asks the owners of the numbers: one statistics call, named by its
// full method name, with a JSON request in the proto's field names. Free of gRPC: the
// implementation lives in peer/, tests use a fake. Calls carry the caller's token, so each
// owner answers within the caller's area.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/call.h"

namespace lnob::reporting {

struct OwnerAnswer {
  std::string response_json;  // every field printed, in the proto's field names
  int64_t cursor = 0;         // the answer's `cursor` field, when it has one
  absl::Time read_time;
};

class OwnerCaller {
 public:
  virtual ~OwnerCaller() = default;
  // UNAVAILABLE naming the owner when it cannot answer in time.
  virtual absl::StatusOr<OwnerAnswer> Call(const server::Call& call, const std::string& owner,
                                           const std::string& method, const std::string& request_json) = 0;
};

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_DOMAIN_OWNER_CALLER_H_
