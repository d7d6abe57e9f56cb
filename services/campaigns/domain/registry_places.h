#ifndef LNOB_SERVICES_CAMPAIGNS_DOMAIN_REGISTRY_PLACES_H_
#define LNOB_SERVICES_CAMPAIGNS_DOMAIN_REGISTRY_PLACES_H_

// The campaigns service's view of the registry's village register. Free of gRPC: the
// implementation lives in peer/, tests use a fake. Called with the service's own identity.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lnob/common/v1/period.pb.h"

namespace lnob::campaigns {

struct VillageMatch {
  bool registered = false;  // the commune has villages in force on the day
  std::string village;      // villages/{uuid} whose name matches (diacritics and case ignored), or ""
  std::string name;         // its name in the register's spelling
};

struct RegisteredVillage {
  std::string village;       // villages/{uuid}
  std::string name;
  std::string commune_code;
  // In force from `from` to `to` inclusive (AllVillages; VillagesOf leaves them unset).
  absl::CivilDay from = absl::CivilDay(1900, 1, 1);
  absl::CivilDay to = absl::CivilDay(9999, 12, 31);
};

// People of the registered households under a unit (the registry's statistics).
struct Population {
  int64_t people = 0;
  int64_t ethnic_minority = 0;  // in households with an ethnic-minority head
};

class RegistryPlaces {
 public:
  virtual ~RegistryPlaces() = default;
  // The village of `commune` in force on `day` named `name`. UNAVAILABLE when the registry
  // cannot answer.
  virtual absl::StatusOr<VillageMatch> FindVillage(const std::string& commune, absl::CivilDay day,
                                                   const std::string& name) = 0;
  // Every village of these communes in force on `day`.
  virtual absl::StatusOr<std::vector<RegisteredVillage>> VillagesOf(const std::vector<std::string>& communes,
                                                                   absl::CivilDay day) = 0;
  // Every version of every village of the register, with its dates (imports resolve villages
  // locally instead of asking once per row).
  virtual absl::StatusOr<std::vector<RegisteredVillage>> AllVillages() = 0;
  // The population under `unit` (province when empty) on the period's last day.
  virtual absl::StatusOr<Population> PopulationOf(const std::string& unit, const common::v1::Period& period) = 0;
  // The villages classified especially difficult on `day` (area classifications naming a
  // register village), as villages/{uuid}.
  virtual absl::StatusOr<std::set<std::string>> DifficultVillages(absl::CivilDay day) = 0;
};

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_DOMAIN_REGISTRY_PLACES_H_
