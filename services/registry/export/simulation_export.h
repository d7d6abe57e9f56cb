#ifndef LNOB_SERVICES_REGISTRY_EXPORT_SIMULATION_EXPORT_H_
#define LNOB_SERVICES_REGISTRY_EXPORT_SIMULATION_EXPORT_H_

// A simulation as files, from its stored snapshot and its (already masked) households.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lnob/registry/v1/simulation.pb.h"

namespace lnob::registry {

// One line per household whose class changes in some case.
std::string SimulationHouseholdsCsv(const v1::Simulation& s, const std::vector<v1::SimulatedHousehold>& households);

// Sheets: the simulation (standard, basis, unknowns), the summary by unit, the transition
// matrix, the support need by content and source, the households; Vietnamese headings.
absl::StatusOr<std::string> SimulationXlsx(const v1::Simulation& s,
                                           const std::vector<v1::SimulatedHousehold>& households);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_EXPORT_SIMULATION_EXPORT_H_
