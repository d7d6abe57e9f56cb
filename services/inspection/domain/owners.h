#ifndef LNOB_SERVICES_INSPECTION_DOMAIN_OWNERS_H_
#define LNOB_SERVICES_INSPECTION_DOMAIN_OWNERS_H_

// The inspection service's view of the services that own the records a finding cites
// (funding, registry, campaigns). Free of gRPC: the implementation lives in peer/, tests use
// a fake. Every call carries the caller's token, so each owner answers within the caller's
// own area scope: a record outside it is not found, exactly like a missing one.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/server/call.h"

namespace lnob::inspection {

// Kinds of reference, named as in the API (ReferenceKind).
inline constexpr char kSupportLine[] = "SUPPORT_LINE";
inline constexpr char kFundingPlan[] = "FUNDING_PLAN";
inline constexpr char kHousehold[] = "HOUSEHOLD";
inline constexpr char kReview[] = "REVIEW";
inline constexpr char kActivity[] = "ACTIVITY";
inline constexpr char kSupportEvent[] = "SUPPORT_EVENT";
inline constexpr char kAllocation[] = "ALLOCATION";

struct ShareFact {
  std::string node_code;
  std::string source;
  int64_t amount_vnd = 0;
};

// What an owner said about one record.
struct OwnerRecord {
  bool found = false;         // false: missing, or outside the caller's scope
  std::string commune_code;   // where the record is
  absl::CivilDay date = absl::CivilDay(1970, 1, 1);  // the record's own date
  bool dated = false;
  std::string facts_json;     // the owner's record as returned (frozen with the finding)
  // Money records (support lines, support events): the amount and its split by source and
  // node; a support line's shares, an event's single source and node.
  int64_t amount_vnd = 0;
  std::vector<ShareFact> shares;
};

class Owners {
 public:
  virtual ~Owners() = default;
  // One record per resource, in order, all of one kind (kSupportLine also serves SUPPORT_SHARE references).
  // Owners that offer a batch read are asked once per 1,000 records. UNAVAILABLE when an
  // owner cannot answer, naming it.
  virtual absl::StatusOr<std::vector<OwnerRecord>> Fetch(const server::Call& call, const std::string& kind,
                                                         const std::vector<std::string>& resources,
                                                         absl::CivilDay as_of) = 0;
};

}  // namespace lnob::inspection

#endif  // LNOB_SERVICES_INSPECTION_DOMAIN_OWNERS_H_
