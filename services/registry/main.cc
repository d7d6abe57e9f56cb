// registry: wiring only. Configuration errors are fatal at start.

#include <cstdio>
#include <cstdlib>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/api/page_token.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "common/server/runner.h"
#include "common/server/server_flags.h"
#include "services/registry/api/business_metrics.h"
#include "services/registry/api/household_service.h"
#include "services/registry/api/reference_service.h"
#include "services/registry/domain/reference_logic.h"
#include "services/registry/domain/household_logic.h"
#include "services/registry/store/pg_household_store.h"
#include "services/registry/store/pg_reference_store.h"

LNOB_SERVER_FLAGS("registry", 50051, 9101);
ABSL_FLAG(absl::Duration, business_metrics_interval, absl::Seconds(60),
          "How often the movement gauges (lnob_households, ...) are refreshed");

int main(int argc, char** argv) {
  lnob::server::PrepareServerProcess();
  absl::SetProgramUsageMessage("lnob registry service (flags may also be set as LNOB_<FLAG>)");
  if (auto st = lnob::server::ApplyEnvironmentToFlags(); !st.ok()) {
    std::fprintf(stderr, "registry: bad environment:\n%s\n", std::string(st.message()).c_str());
    return 2;
  }
  absl::ParseCommandLine(argc, argv);
  lnob::server::ServerConfig config = ServerConfigFromFlags();
  if (auto st = config.Validate(); !st.ok()) {
    std::fprintf(stderr, "registry: invalid configuration:\n%s\n", std::string(st.message()).c_str());
    return 2;
  }

  lnob::server::ServerRunner runner(config);
  if (auto st = runner.Init(); !st.ok()) {
    std::fprintf(stderr, "registry: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  lnob::db::Pool pool({.dsn = config.database_url,
                       .name = "registry",
                       .max_size = config.db_pool_size,
                       .search_path = "registry, public"},
                      &runner.metrics().registry());
  auto store = lnob::registry::NewPgReferenceStore(&pool);
  lnob::registry::ReferenceLogic logic(store.get(),
                                       lnob::api::PageTokenCodec(config.page_token_secret),
                                       lnob::RealClock::Get());
  lnob::registry::ReferenceDataService service(&logic);
  runner.AddService(&service, "lnob.registry.v1.ReferenceDataService");
  auto households = lnob::registry::NewPgHouseholdStore(&pool);
  lnob::registry::HouseholdLogic household_logic(households.get(), store.get(),
                                                 lnob::api::PageTokenCodec(config.page_token_secret),
                                                 lnob::RealClock::Get());
  lnob::registry::HouseholdService household_service(&household_logic);
  runner.AddService(&household_service, "lnob.registry.v1.HouseholdService");
  runner.SetReadinessProbe([&] { return store->Healthy(); });
  lnob::registry::BusinessMetrics business(&household_logic, runner.metrics().registry(), lnob::RealClock::Get());
  business.Start(absl::GetFlag(FLAGS_business_metrics_interval));
  if (auto st = runner.Start(); !st.ok()) {
    std::fprintf(stderr, "registry: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  runner.RunUntilSignal();
  return 0;
}
