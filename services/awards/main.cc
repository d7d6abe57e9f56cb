// awards: wiring only (the process skeleton is common/server/service_main.h).

#include "common/auth/service_token.h"
#include "common/peer/registry_units.h"
#include "common/scope/area_scope.h"
#include "common/server/server_flags.h"
#include "common/server/service_main.h"
#include "common/status/status.h"
#include "lnob/awards/v1/awards.lnob.h"
#include "services/awards/api/business_metrics.h"
#include "services/awards/domain/awards_logic.h"
#include "services/awards/peer/grpc_evidence_owners.h"
#include "services/awards/store/pg_awards_store.h"

LNOB_SERVER_FLAGS("awards", 50054, 9104);
ABSL_FLAG(std::string, registry_address, "127.0.0.1:50051", "host:port of the registry service");
ABSL_FLAG(absl::Duration, registry_timeout, absl::Seconds(5), "Deadline of each registry call");
ABSL_FLAG(std::string, campaigns_address, "127.0.0.1:50053", "host:port of the campaigns service (evidence)");
ABSL_FLAG(std::string, funding_address, "127.0.0.1:50052", "host:port of the funding service (evidence)");
ABSL_FLAG(std::string, inspection_address, "127.0.0.1:50055",
          "host:port of the inspection service (evidence, and open inspections before a decision)");
ABSL_FLAG(absl::Duration, business_metrics_interval, absl::Seconds(60),
          "How often the dashboard's awards gauges are recomputed");
ABSL_FLAG(absl::Duration, evidence_timeout, absl::Seconds(30),
          "Deadline of each call to an owner of evidence (a batch of 1,000 records)");
ABSL_FLAG(std::string, service_signing_key, "",
          "PEM private key that signs this service's own short-lived tokens (the registry's unit directory); "
          "its public half must be in the registry's --jwt_public_keys");

int main(int argc, char** argv) {
  using namespace lnob::awards;
  return lnob::server::RunService(
      argc, argv, "lnob awards service", ServerConfigFromFlags,
      [](lnob::server::ServiceContext& s) -> absl::Status {
        const lnob::auth::ServiceTokenOptions me =
            lnob::auth::OwnTokenOptions("awards", "registry", s.config().jwt_issuer);
        LNOB_ASSIGN_OR_RETURN(auto self, lnob::auth::ServiceTokenSource::FromKeyFile(
                                             absl::GetFlag(FLAGS_service_signing_key), me, s.clock()));
        auto& token = s.Own(std::move(self));
        const lnob::peer::PeerConfig registry_peer{.address = absl::GetFlag(FLAGS_registry_address),
                                                   .timeout = absl::GetFlag(FLAGS_registry_timeout)};
        auto& units = s.Own(lnob::peer::NewRegistryUnitDirectory(registry_peer, &token));
        auto& scope = s.Make<lnob::scope::AreaScope>(&units, s.clock());
        auto& store = s.Own(NewPgAwardsStore(&s.pool()));
        const absl::Duration evidence_timeout = absl::GetFlag(FLAGS_evidence_timeout);
        auto& owners = s.Own(NewGrpcEvidenceOwners(
            {.registry = {.address = registry_peer.address, .timeout = evidence_timeout},
             .campaigns = {.address = absl::GetFlag(FLAGS_campaigns_address), .timeout = evidence_timeout},
             .funding = {.address = absl::GetFlag(FLAGS_funding_address), .timeout = evidence_timeout},
             .inspection = {.address = absl::GetFlag(FLAGS_inspection_address), .timeout = evidence_timeout}}));
        auto& logic = s.Make<AwardsLogic>(&store, &owners, &scope, s.page_tokens(), s.clock());
        LNOB_RETURN_IF_ERROR(s.Serve<v1::AwardsServiceAdapter>(&logic));
        auto& business = s.Make<BusinessMetrics>(&logic, s.metrics(), s.clock());
        s.OnServing([&business] { business.Start(absl::GetFlag(FLAGS_business_metrics_interval)); });
        // Readiness follows the database only: a registry outage fails the calls that need it.
        s.SetReadinessProbe([&store] { return store.Healthy(); });
        return absl::OkStatus();
      });
}
