// registry: wiring only (the process skeleton is common/server/service_main.h).

#include "common/server/server_flags.h"
#include "common/server/service_main.h"
#include "common/status/status.h"
#include "lnob/registry/v1/households.lnob.h"
#include "lnob/registry/v1/reference_data.lnob.h"
#include "lnob/registry/v1/simulation.lnob.h"
#include "services/registry/api/business_metrics.h"
#include "services/registry/domain/household_logic.h"
#include "services/registry/domain/reference_logic.h"
#include "services/registry/domain/simulation_logic.h"
#include "services/registry/domain/unit_directory.h"
#include "services/registry/store/pg_household_store.h"
#include "services/registry/store/pg_reference_store.h"
#include "services/registry/store/pg_simulation_store.h"

LNOB_SERVER_FLAGS("registry", 50051, 9101);
ABSL_FLAG(absl::Duration, business_metrics_interval, absl::Seconds(60),
          "How often the movement gauges (lnob_households, ...) are refreshed");

int main(int argc, char** argv) {
  using namespace lnob::registry;
  return lnob::server::RunService(
      argc, argv, "lnob registry service", ServerConfigFromFlags,
      [](lnob::server::ServiceContext& s) -> absl::Status {
        auto& refs = s.Own(NewPgReferenceStore(&s.pool()));
        auto& units = s.Make<LocalUnitDirectory>(&refs);
        auto& scope = s.Make<lnob::scope::AreaScope>(&units, s.clock());
        auto& reference = s.Make<ReferenceLogic>(&refs, &scope, s.page_tokens(), s.clock());
        LNOB_RETURN_IF_ERROR(s.Serve<v1::ReferenceDataServiceAdapter>(&reference));
        auto& households = s.Own(NewPgHouseholdStore(&s.pool()));
        auto& household = s.Make<HouseholdLogic>(&households, &refs, &scope, s.page_tokens(), s.clock());
        LNOB_RETURN_IF_ERROR(s.Serve<v1::HouseholdServiceAdapter>(&household));
        // Simulations run on their own threads; joined before the logic goes.
        auto& simulations = s.Own(NewPgSimulationStore(&s.pool()));
        auto& tasks = s.Make<lnob::ThreadTaskRunner>();
        auto& simulation =
            s.Make<SimulationLogic>(&household, &refs, &simulations, s.page_tokens(), s.clock(), &tasks);
        LNOB_RETURN_IF_ERROR(s.Serve<v1::SimulationServiceAdapter>(&simulation));
        s.OnServing([] {}, [&simulation, &tasks] {
          simulation.Stop();
          tasks.Join();
        });
        s.SetReadinessProbe([&refs] { return refs.Healthy(); });
        auto& business = s.Make<BusinessMetrics>(&household, s.metrics(), s.clock(), &simulation);
        s.OnServing([&business] { business.Start(absl::GetFlag(FLAGS_business_metrics_interval)); });
        return absl::OkStatus();
      });
}
