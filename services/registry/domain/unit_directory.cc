#include "services/registry/domain/unit_directory.h"

namespace lnob::registry {

scope::UnitTables ToScopeTables(const std::vector<UnitVersion>& units, const std::vector<LineageRow>& lineage) {
  scope::UnitTables out;
  out.units.reserve(units.size());
  for (const auto& u : units) {
    out.units.push_back({u.code, u.level, u.parent_code, u.valid_from, u.valid_to, u.area_type, u.confirmed});
  }
  for (const auto& e : lineage) out.lineage.push_back({e.old_code, e.new_code, e.effective_date});
  return out;
}

absl::StatusOr<scope::UnitTables> LocalUnitDirectory::Load() {
  auto data = refs_->UnitsAndLineage();
  if (!data.ok()) return data.status();
  return ToScopeTables(data->first, data->second);
}

}  // namespace lnob::registry
