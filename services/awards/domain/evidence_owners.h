#ifndef LNOB_SERVICES_AWARDS_DOMAIN_EVIDENCE_OWNERS_H_
#define LNOB_SERVICES_AWARDS_DOMAIN_EVIDENCE_OWNERS_H_

// The awards service's view of the services that own a nomination's evidence (registry,
// campaigns, funding, inspection). Free of gRPC: the implementation lives in peer/, tests use
// a fake. Every call carries the caller's token, so each owner answers within the caller's
// own area scope: a record outside it is not found, exactly like a missing one.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/server/call.h"

namespace lnob::awards {

// An owner's position when it answered: its change-feed cursor (0 for an owner without a
// feed) and the time of the read.
struct OwnerRead {
  std::string owner;
  int64_t cursor = 0;
  absl::Time read_time;
};

// One record as its owner returned it.
struct OwnerRecord {
  bool found = false;        // false: missing, or outside the caller's scope
  std::string commune_code;
  std::string facts_json;    // frozen with the nomination
  bool escaped = false;      // households: the year's transition is an escape
  bool ethnic_minority = false;
  int64_t participants = 0;  // activities: attendances
};

// Statistics of a unit for a year.
enum class AreaStatistic { kPoverty, kDisbursement, kInspection };

// What inspection says about a unit before a decision.
struct Integrity {
  std::vector<std::string> open_inspections;  // inspections/{uuid}, the first 50
  int64_t open_serious_findings = 0;
  int64_t cursor = 0;
};

class EvidenceOwners {
 public:
  virtual ~EvidenceOwners() = default;
  // The registry's facts of households on a date, in order (asked 1,000 at a time).
  virtual absl::StatusOr<std::vector<OwnerRecord>> Households(const server::Call& call,
                                                              const std::vector<std::string>& names,
                                                              absl::CivilDay as_of, OwnerRead* read) = 0;
  // Campaigns' activities, in order (asked 1,000 at a time).
  virtual absl::StatusOr<std::vector<OwnerRecord>> Activities(const server::Call& call,
                                                              const std::vector<std::string>& names,
                                                              OwnerRead* read) = 0;
  // The owner's statistics of a unit for a year, as JSON.
  virtual absl::StatusOr<std::string> Statistic(const server::Call& call, AreaStatistic which,
                                                const std::string& unit_code, int year, OwnerRead* read) = 0;
  // Open inspections of subjects under the unit and open serious findings on records in it.
  virtual absl::StatusOr<Integrity> IntegrityOf(const server::Call& call, const std::string& unit_code) = 0;
};

}  // namespace lnob::awards

#endif  // LNOB_SERVICES_AWARDS_DOMAIN_EVIDENCE_OWNERS_H_
