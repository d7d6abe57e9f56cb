// campaigns: wiring only (the process skeleton is common/server/service_main.h).

#include "common/auth/service_token.h"
#include "common/peer/registry_units.h"
#include "common/scope/area_scope.h"
#include "common/server/server_flags.h"
#include "common/server/service_main.h"
#include "common/status/status.h"
#include "lnob/campaigns/v1/campaigns.lnob.h"
#include "services/campaigns/api/business_metrics.h"
#include "services/campaigns/domain/campaigns_logic.h"
#include "services/campaigns/peer/grpc_funding_catalogue.h"
#include "services/campaigns/peer/grpc_registry_places.h"
#include "services/campaigns/store/pg_campaigns_store.h"
#include "services/campaigns/store/pg_persons_store.h"

LNOB_SERVER_FLAGS("campaigns", 50053, 9103);
ABSL_FLAG(std::string, registry_address, "127.0.0.1:50051", "host:port of the registry service");
ABSL_FLAG(absl::Duration, registry_timeout, absl::Seconds(5), "Deadline of each registry call");
ABSL_FLAG(std::string, funding_address, "127.0.0.1:50052", "host:port of the funding service");
ABSL_FLAG(absl::Duration, funding_timeout, absl::Seconds(5), "Deadline of each funding call");
ABSL_FLAG(absl::Duration, business_metrics_interval, absl::Seconds(60),
          "How often the dashboard gauges (coverage this quarter, reach by language) are recomputed");
ABSL_FLAG(std::string, service_signing_key, "",
          "PEM private key that signs this service's own short-lived tokens (registry, funding); its public "
          "half must be in their --jwt_public_keys");

int main(int argc, char** argv) {
  using namespace lnob::campaigns;
  return lnob::server::RunService(
      argc, argv, "lnob campaigns service", ServerConfigFromFlags,
      [](lnob::server::ServiceContext& s) -> absl::Status {
        const lnob::auth::ServiceTokenOptions me =
            lnob::auth::OwnTokenOptions("campaigns", "registry", s.config().jwt_issuer);
        LNOB_ASSIGN_OR_RETURN(auto self, lnob::auth::ServiceTokenSource::FromKeyFile(
                                             absl::GetFlag(FLAGS_service_signing_key), me, s.clock()));
        auto& token = s.Own(std::move(self));
        lnob::auth::ServiceTokenOptions to_funding = me;
        to_funding.audience = lnob::auth::AudienceOfService("funding");
        LNOB_ASSIGN_OR_RETURN(auto self_funding, lnob::auth::ServiceTokenSource::FromKeyFile(
                                                     absl::GetFlag(FLAGS_service_signing_key), to_funding, s.clock()));
        auto& funding_token = s.Own(std::move(self_funding));
        const lnob::peer::PeerConfig registry_peer{.address = absl::GetFlag(FLAGS_registry_address),
                                                   .timeout = absl::GetFlag(FLAGS_registry_timeout)};
        auto& units = s.Own(lnob::peer::NewRegistryUnitDirectory(registry_peer, &token));
        auto& scope = s.Make<lnob::scope::AreaScope>(&units, s.clock());
        auto& places = s.Own(NewGrpcRegistryPlaces(registry_peer, &token));
        auto& store = s.Own(NewPgCampaignsStore(&s.pool()));
        auto& persons = s.Own(NewPgPersonsStore(&s.pool()));
        const lnob::peer::PeerConfig funding_peer{.address = absl::GetFlag(FLAGS_funding_address),
                                                  .timeout = absl::GetFlag(FLAGS_funding_timeout)};
        auto& catalogue = s.Own(NewGrpcFundingCatalogue(funding_peer, &funding_token, s.clock()));
        auto& logic = s.Make<CampaignsLogic>(&store, &persons, &scope, &places, &catalogue, s.page_tokens(), s.clock());
        LNOB_RETURN_IF_ERROR(s.Serve<v1::CampaignsServiceAdapter>(&logic));
        // Readiness follows the database only: a registry or funding outage fails the calls
        // that need them (UNAVAILABLE) without taking campaigns out of its Service.
        s.SetReadinessProbe([&store] { return store.Healthy(); });
        auto& business = s.Make<BusinessMetrics>(&logic, s.metrics(), s.clock());
        s.OnServing([&business] { business.Start(absl::GetFlag(FLAGS_business_metrics_interval)); });
        return absl::OkStatus();
      });
}
