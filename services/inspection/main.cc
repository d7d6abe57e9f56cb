// inspection: wiring only (the process skeleton is common/server/service_main.h).

#include "common/auth/service_token.h"
#include "common/peer/registry_units.h"
#include "common/scope/area_scope.h"
#include "common/server/server_flags.h"
#include "common/server/service_main.h"
#include "common/status/status.h"
#include "lnob/inspection/v1/inspection.lnob.h"
#include "services/inspection/api/business_metrics.h"
#include "services/inspection/domain/inspection_logic.h"
#include "services/inspection/peer/grpc_owners.h"
#include "services/inspection/store/pg_inspection_store.h"

LNOB_SERVER_FLAGS("inspection", 50055, 9105);
ABSL_FLAG(std::string, registry_address, "127.0.0.1:50051", "host:port of the registry service");
ABSL_FLAG(absl::Duration, registry_timeout, absl::Seconds(5), "Deadline of each registry call");
ABSL_FLAG(std::string, funding_address, "127.0.0.1:50052", "host:port of the funding service");
ABSL_FLAG(absl::Duration, funding_timeout, absl::Seconds(10), "Deadline of each funding call");
ABSL_FLAG(std::string, campaigns_address, "127.0.0.1:50053", "host:port of the campaigns service");
ABSL_FLAG(absl::Duration, campaigns_timeout, absl::Seconds(5), "Deadline of each campaigns call");
ABSL_FLAG(absl::Duration, business_metrics_interval, absl::Seconds(60),
          "How often the dashboard gauges (overdue recommendations, holds, recoveries) are recomputed");
ABSL_FLAG(std::string, service_signing_key, "",
          "PEM private key that signs this service's own short-lived tokens (the registry's unit directory); "
          "its public half must be in the registry's --jwt_public_keys");

int main(int argc, char** argv) {
  using namespace lnob::inspection;
  return lnob::server::RunService(
      argc, argv, "lnob inspection service", ServerConfigFromFlags,
      [](lnob::server::ServiceContext& s) -> absl::Status {
        const lnob::auth::ServiceTokenOptions me =
            lnob::auth::OwnTokenOptions("inspection", "registry", s.config().jwt_issuer);
        LNOB_ASSIGN_OR_RETURN(auto self, lnob::auth::ServiceTokenSource::FromKeyFile(
                                             absl::GetFlag(FLAGS_service_signing_key), me, s.clock()));
        auto& token = s.Own(std::move(self));
        const lnob::peer::PeerConfig registry_peer{.address = absl::GetFlag(FLAGS_registry_address),
                                                   .timeout = absl::GetFlag(FLAGS_registry_timeout)};
        auto& units = s.Own(lnob::peer::NewRegistryUnitDirectory(registry_peer, &token));
        auto& scope = s.Make<lnob::scope::AreaScope>(&units, s.clock());
        // Findings' references are validated with the caller's own token (its scope).
        auto& owners = s.Own(NewGrpcOwners(
            {.registry = registry_peer,
             .funding = {.address = absl::GetFlag(FLAGS_funding_address), .timeout = absl::GetFlag(FLAGS_funding_timeout)},
             .campaigns = {.address = absl::GetFlag(FLAGS_campaigns_address),
                           .timeout = absl::GetFlag(FLAGS_campaigns_timeout)}}));
        auto& store = s.Own(NewPgInspectionStore(&s.pool()));
        auto& logic = s.Make<InspectionLogic>(&store, &scope, &owners, s.page_tokens(), s.clock());
        LNOB_RETURN_IF_ERROR(s.Serve<v1::InspectionServiceAdapter>(&logic));
        // Readiness follows the database only: an owner's outage fails the calls that need it
        // (UNAVAILABLE) without taking inspection out of its Service.
        s.SetReadinessProbe([&store] { return store.Healthy(); });
        auto& business = s.Make<BusinessMetrics>(&logic, s.metrics(), s.clock());
        s.OnServing([&business] { business.Start(absl::GetFlag(FLAGS_business_metrics_interval)); });
        return absl::OkStatus();
      });
}
