#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_SIMULATION_LOGIC_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_SIMULATION_LOGIC_H_

// Policy simulations (simulation.proto): a standard (one of the registry's, or a draft) applied
// to a population's latest approved reviews by HouseholdLogic::Simulate, priced with the unit
// costs in force, and stored as an immutable snapshot. Runs as an operation in the background.
// Knows nothing of gRPC or SQL.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/api/page_token.h"
#include "common/server/call.h"
#include "common/util/clock.h"
#include "common/util/task_runner.h"
#include "lnob/registry/v1/simulation.pb.h"
#include "services/registry/domain/household_logic.h"
#include "services/registry/store/reference_store.h"
#include "services/registry/store/simulation_store.h"

namespace lnob::registry {

class SimulationLogic {
 public:
  SimulationLogic(HouseholdLogic* households, ReferenceStore* refs, SimulationStore* store, api::PageTokenCodec tokens,
                  const Clock& clock, TaskRunner* tasks = nullptr)
      : households_(households), refs_(refs), store_(store), tokens_(std::move(tokens)), clock_(clock), tasks_(tasks) {}

  using C = server::Call;
  absl::Status StartSimulation(const C& c, const v1::StartSimulationRequest& req, v1::SimulationOperation* out);
  absl::Status GetSimulationOperation(const C& c, const v1::GetSimulationOperationRequest& req,
                                      v1::SimulationOperation* out);
  absl::Status CancelSimulationOperation(const C& c, const v1::CancelSimulationOperationRequest& req,
                                         v1::SimulationOperation* out);
  absl::Status GetSimulation(const C& c, const v1::GetSimulationRequest& req, v1::Simulation* out);
  absl::Status ListSimulations(const C& c, const v1::ListSimulationsRequest& req, v1::ListSimulationsResponse* out);
  absl::Status ListSimulationHouseholds(const C& c, const v1::ListSimulationHouseholdsRequest& req,
                                        v1::ListSimulationHouseholdsResponse* out);
  absl::Status ExportSimulation(const C& c, const v1::ExportSimulationRequest& req, v1::SimulationFile* out);
  absl::Status CompareSimulations(const C& c, const v1::CompareSimulationsRequest& req, v1::SimulationComparison* out);
  absl::Status ListUnitCosts(const C& c, const v1::ListUnitCostsRequest& req, v1::ListUnitCostsResponse* out);

  // The simulation a request asks for, run here and now and stored (what an operation's worker
  // does). `progress` is called after each page of households; a non-OK status stops the run.
  using Progress = std::function<absl::Status(int64_t done)>;
  absl::StatusOr<v1::Simulation> Run(const C& c, const v1::StartSimulationRequest& req,
                                     const Progress& progress = nullptr);

  // The newest simulation of a registry standard over every commune (by_commune included), if
  // any: the dashboard's.
  absl::StatusOr<std::optional<v1::Simulation>> Latest() { return store_->LatestSimulation(); }

  // Running simulations stop at their next page (FAILED, UNAVAILABLE): the server is stopping.
  void Stop() { stopping_.store(true); }

  // At most this many simulations run at once (each holds a thread and a database connection).
  static constexpr int kMaxRunning = 2;
  // At most this many households in one export file (without commune_code).
  static constexpr int64_t kMaxExportHouseholds = 50000;

 private:
  struct Resolved {
    v1::PovertyStandard standard;
    bool draft = false;
    HouseholdLogic::SimulationSpec spec;
  };
  absl::StatusOr<Resolved> Resolve(const v1::StartSimulationRequest& req);
  // The communes a household list is limited to: none (all) or the one asked, which must be
  // one of the simulation's.
  static absl::StatusOr<std::vector<std::string>> CommuneFilter(const v1::Simulation& s, const std::string& commune);
  static absl::Status TooMany();
  // A simulation the caller may read: all its communes in the caller's area (NOT_FOUND otherwise).
  absl::StatusOr<v1::Simulation> Visible(const C& c, const std::string& name, const std::string& field);
  // What the caller may read of the households: masked and audited (personal_data.json), and
  // nothing of what a household is now once it has moved out of the caller's area.
  absl::Status Disclose(const C& c, absl::Span<v1::SimulatedHousehold* const> households);
  absl::StatusOr<std::vector<v1::SimulatedHousehold>> AllHouseholds(const C& c, const v1::Simulation& s,
                                                                   const std::string& commune);

  HouseholdLogic* households_;
  ReferenceStore* refs_;
  SimulationStore* store_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
  TaskRunner* tasks_;
  std::atomic<bool> stopping_{false};
};

// The results a simulation stores, from the scan: cells by unit, the transition matrix, the
// summaries by unit and by commune, the unknowns, and the cost of the newly eligible
// households with `costs` (the unit costs in force). Fills those fields of *out.
void SummarizeSimulation(const HouseholdLogic::SimulationResult& r, const std::vector<v1::UnitCost>& costs,
                         v1::Simulation* out);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_SIMULATION_LOGIC_H_
