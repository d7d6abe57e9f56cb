#ifndef LNOB_SERVICES_REGISTRY_STORE_SIMULATION_STORE_H_
#define LNOB_SERVICES_REGISTRY_STORE_SIMULATION_STORE_H_

// Storage boundary of policy simulations: unit costs (data), operations, and the immutable
// snapshots (a simulation and its households whose class changes).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/idempotency_key.h"
#include "lnob/registry/v1/simulation.pb.h"
#include "services/registry/domain/simulation.h"

namespace lnob::registry {

class SimulationStore {
 public:
  virtual ~SimulationStore() = default;

  // Unit costs in force on `as_of` (every version when unset), by content, programme, source, class.
  virtual absl::StatusOr<std::vector<v1::UnitCost>> ListUnitCosts(std::optional<absl::CivilDay> as_of) = 0;

  // Operations. Create runs once per key (*created false on a replay); Update leaves a finished
  // operation as it is; fields of `u` left at their defaults are not changed.
  struct OperationUpdate {
    std::string state;
    int64_t done = -1;
    int64_t total = -1;
    std::string simulation_id, error_code, error_message;
  };
  virtual absl::StatusOr<bool> ReplayOperation(const db::IdempotencyKey& key, v1::SimulationOperation* out) = 0;
  virtual absl::StatusOr<v1::SimulationOperation> CreateOperation(const std::string& creator, int64_t total,
                                                                  const db::IdempotencyKey& key, bool* created) = 0;
  virtual absl::StatusOr<v1::SimulationOperation> UpdateOperation(const std::string& id, const OperationUpdate& u) = 0;
  virtual absl::StatusOr<v1::SimulationOperation> GetOperation(const std::string& id) = 0;
  virtual absl::StatusOr<bool> CancelRequested(const std::string& id) = 0;
  virtual absl::StatusOr<v1::SimulationOperation> RequestCancel(const std::string& id) = 0;

  // Stores the snapshot (s.name is set from the new id) and its households in one transaction.
  virtual absl::StatusOr<v1::Simulation> CreateSimulation(const v1::Simulation& s,
                                                          const std::vector<HouseholdChange>& households) = 0;
  virtual absl::StatusOr<v1::Simulation> GetSimulation(const std::string& id) = 0;
  // Newest first, id < after_id (all when empty); only those whose communes all lie in
  // `within` (every one when nullopt).
  virtual absl::StatusOr<std::vector<v1::Simulation>> ListSimulations(
      const std::optional<std::vector<std::string>>& within, const std::string& after_id, int limit) = 0;
  // The newest province-wide simulation of a registry standard (Simulation.province_wide, not
  // a draft), if any: the dashboard's.
  virtual absl::StatusOr<std::optional<v1::Simulation>> LatestSimulation() = 0;
  // Changing households of a simulation in (commune, id) order after (after_commune,
  // after_id), in `communes` (all when empty), with their commune, head name, head ethnicity
  // and village now (to be masked by the caller).
  virtual absl::StatusOr<std::vector<v1::SimulatedHousehold>> ListHouseholds(
      const std::string& simulation_id, const std::vector<std::string>& communes, const std::string& after_commune,
      const std::string& after_id, int limit) = 0;

  virtual bool Healthy() = 0;
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_STORE_SIMULATION_STORE_H_
