// reporting: wiring only (the process skeleton is common/server/service_main.h).

#include "common/auth/service_token.h"
#include "common/peer/registry_units.h"
#include "common/scope/area_scope.h"
#include "common/server/server_flags.h"
#include "common/server/service_main.h"
#include "common/status/status.h"
#include "lnob/reporting/v1/reporting.lnob.h"
#include "services/reporting/api/business_metrics.h"
#include "services/reporting/domain/reporting_logic.h"
#include "services/reporting/peer/grpc_owner_caller.h"
#include "services/reporting/store/pg_reporting_store.h"

LNOB_SERVER_FLAGS("reporting", 50056, 9106);
ABSL_FLAG(std::string, registry_address, "127.0.0.1:50051", "host:port of the registry service");
ABSL_FLAG(std::string, funding_address, "127.0.0.1:50052", "host:port of the funding service");
ABSL_FLAG(std::string, campaigns_address, "127.0.0.1:50053", "host:port of the campaigns service");
ABSL_FLAG(std::string, inspection_address, "127.0.0.1:50055", "host:port of the inspection service");
ABSL_FLAG(std::string, awards_address, "127.0.0.1:50054", "host:port of the awards service");
ABSL_FLAG(absl::Duration, owner_timeout, absl::Seconds(20),
          "Deadline of each statistics call to an owner while a report is composed");
ABSL_FLAG(absl::Duration, business_metrics_interval, absl::Seconds(60),
          "How often the deadline gauges (overdue reports, days to the next due date) are recomputed");
ABSL_FLAG(absl::Duration, registry_timeout, absl::Seconds(5), "Deadline of each call for the registry's unit directory");
ABSL_FLAG(std::string, service_signing_key, "",
          "PEM private key that signs this service's own short-lived tokens (the registry's unit directory); "
          "its public half must be in the registry's --jwt_public_keys");

int main(int argc, char** argv) {
  using namespace lnob::reporting;
  return lnob::server::RunService(
      argc, argv, "lnob reporting service", ServerConfigFromFlags,
      [](lnob::server::ServiceContext& s) -> absl::Status {
        const lnob::auth::ServiceTokenOptions me =
            lnob::auth::OwnTokenOptions("reporting", "registry", s.config().jwt_issuer);
        LNOB_ASSIGN_OR_RETURN(auto self, lnob::auth::ServiceTokenSource::FromKeyFile(
                                             absl::GetFlag(FLAGS_service_signing_key), me, s.clock()));
        auto& token = s.Own(std::move(self));
        auto& units = s.Own(lnob::peer::NewRegistryUnitDirectory(
            {.address = absl::GetFlag(FLAGS_registry_address), .timeout = absl::GetFlag(FLAGS_registry_timeout)},
            &token));
        auto& scope = s.Make<lnob::scope::AreaScope>(&units, s.clock());
        auto& store = s.Own(NewPgReportingStore(&s.pool()));
        const absl::Duration timeout = absl::GetFlag(FLAGS_owner_timeout);
        auto& owners = s.Own(NewGrpcOwnerCaller({
            {"registry", {.address = absl::GetFlag(FLAGS_registry_address), .timeout = timeout}},
            {"funding", {.address = absl::GetFlag(FLAGS_funding_address), .timeout = timeout}},
            {"campaigns", {.address = absl::GetFlag(FLAGS_campaigns_address), .timeout = timeout}},
            {"inspection", {.address = absl::GetFlag(FLAGS_inspection_address), .timeout = timeout}},
            {"awards", {.address = absl::GetFlag(FLAGS_awards_address), .timeout = timeout}},
        }));
        // Compositions started as operations run on their own threads; joined before the logic goes.
        auto& tasks = s.Make<lnob::ThreadTaskRunner>();
        auto& logic = s.Make<ReportingLogic>(&store, &owners, &scope, s.page_tokens(), s.clock(), &tasks);
        LNOB_RETURN_IF_ERROR(s.Serve<v1::ReportingServiceAdapter>(&logic));
        auto& business = s.Make<BusinessMetrics>(&logic, s.metrics(), s.clock());
        s.OnServing([&business] { business.Start(absl::GetFlag(FLAGS_business_metrics_interval)); });
        // Running compositions finish (each owner call has its deadline) before the logic goes.
        s.OnServing([] {}, [&tasks] { tasks.Join(); });
        // Readiness follows the database only: an owner that is down fails the compositions that need it.
        s.SetReadinessProbe([&store] { return store.Healthy(); });
        return absl::OkStatus();
      });
}
