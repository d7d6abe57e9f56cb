#ifndef LNOB_SERVICES_FUNDING_DOMAIN_REGISTRY_CLIENT_H_
#define LNOB_SERVICES_FUNDING_DOMAIN_REGISTRY_CLIENT_H_

// The funding service's view of the registry (its only peer). Free of gRPC: the
// implementation lives in peer/, tests use a fake. Calls made for a caller carry the
// caller's token, so the registry applies the caller's own area scope; the unit directory
// and the change feed are read with the service's own identity.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/server/call.h"

namespace lnob::funding {

struct HouseholdFact {
  bool found = false;  // false: missing or outside the caller's scope
  std::string commune_code;
  bool ethnic_minority = false;
  std::string classification;  // registry HouseholdClass name on the date
  std::string transition;      // TransitionCategory name of the date's year ("" when none)
  bool escaped = false;        // that transition is in the registry's group ESCAPED
  std::vector<std::string> region_classes;  // area classifications of its commune/village then
};

struct UnitInfo {
  std::string code;
  std::string parent_code;
  int level = 0;  // 1 province, 2 district, 3 commune (registry UnitLevel numbers)
};

struct RegistryChange {
  int64_t cursor = 0;
  std::string household_id;  // uuid
  std::string kind;
  std::string classification;
  std::string previous_classification;
  absl::Time event_time = absl::InfinitePast();  // when the registry committed it
  // HOUSEHOLD_SPLIT: the household split from; HOUSEHOLD_MERGED: the one merged into (uuid).
  std::string related_household_id;
};

class RegistryClient {
 public:
  virtual ~RegistryClient() = default;
  // One fact per (household uuid, date), in order. UNAVAILABLE when the registry is down.
  virtual absl::StatusOr<std::vector<HouseholdFact>> Facts(
      const server::Call& call, const std::vector<std::pair<std::string, absl::CivilDay>>& queries) = 0;
  // Uuids of households whose transition in `year` is in the registry's transition group
  // `group` (e.g. ESCAPED: the one definition of escaping poverty, registry data), under
  // unit_code (empty: the caller's whole scope).
  virtual absl::StatusOr<std::vector<std::string>> TransitionHouseholds(
      const server::Call& call, int year, const std::string& unit_code, const std::string& group) = 0;
  // Delivers changes with cursor > from until sink returns false, stop() turns true or the
  // stream breaks (the error is returned; the caller reconnects).
  virtual absl::Status Watch(int64_t from, const std::function<bool(const RegistryChange&)>& sink,
                             const std::function<bool()>& stop) = 0;
};

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_DOMAIN_REGISTRY_CLIENT_H_
