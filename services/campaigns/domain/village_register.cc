#include "services/campaigns/domain/village_register.h"

#include "common/util/text.h"

namespace lnob::campaigns {

VillageRegister::VillageRegister(const std::vector<RegisteredVillage>& all) {
  for (const auto& v : all) by_commune_[v.commune_code].push_back({v, FoldName(v.name)});
}

VillageMatch VillageRegister::Find(const std::string& commune, absl::CivilDay day, const std::string& name) const {
  VillageMatch m;
  auto it = by_commune_.find(commune);
  if (it == by_commune_.end()) return m;
  const std::string folded = FoldName(name);
  for (const auto& e : it->second) {
    if (day < e.village.from || day > e.village.to) continue;
    m.registered = true;
    if (e.folded == folded) {
      m.village = e.village.village;
      m.name = e.village.name;
      return m;
    }
  }
  return m;
}

}  // namespace lnob::campaigns
