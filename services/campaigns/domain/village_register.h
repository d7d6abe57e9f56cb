#ifndef LNOB_SERVICES_CAMPAIGNS_DOMAIN_VILLAGE_REGISTER_H_
#define LNOB_SERVICES_CAMPAIGNS_DOMAIN_VILLAGE_REGISTER_H_

// The registry's village register held in memory for one import: every version of every
// village with its dates, matched the way the registry matches (FoldName: diacritics, case,
// apostrophes and spacing ignored), so that a million rows cost one listing, not a call each.

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/campaigns/domain/registry_places.h"

namespace lnob::campaigns {

class VillageRegister {
 public:
  explicit VillageRegister(const std::vector<RegisteredVillage>& all);
  // As RegistryPlaces::FindVillage: whether the commune keeps villages on `day`, and the one
  // named `name` then, if any.
  VillageMatch Find(const std::string& commune, absl::CivilDay day, const std::string& name) const;

 private:
  struct Entry {
    RegisteredVillage village;
    std::string folded;
  };
  std::map<std::string, std::vector<Entry>> by_commune_;
};

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_DOMAIN_VILLAGE_REGISTER_H_
