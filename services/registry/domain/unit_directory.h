#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_UNIT_DIRECTORY_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_UNIT_DIRECTORY_H_

// The registry's own side of the area-scope component: units and lineage straight from its
// reference tables (other services read them over the API, common/peer/registry_units.h).

#include "common/scope/area_scope.h"
#include "services/registry/domain/refdata.h"
#include "services/registry/store/reference_store.h"

namespace lnob::registry {

scope::UnitTables ToScopeTables(const std::vector<UnitVersion>& units, const std::vector<LineageRow>& lineage);

class LocalUnitDirectory final : public scope::UnitDirectory {
 public:
  explicit LocalUnitDirectory(ReferenceStore* refs) : refs_(refs) {}
  absl::StatusOr<scope::UnitTables> Load() override;

 private:
  ReferenceStore* refs_;
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_UNIT_DIRECTORY_H_
