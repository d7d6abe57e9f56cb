// funding: wiring only (the process skeleton is common/server/service_main.h).

#include "common/auth/service_token.h"
#include "common/peer/registry_units.h"
#include "common/server/server_flags.h"
#include "common/server/service_main.h"
#include "common/status/status.h"
#include "lnob/funding/v1/funding.lnob.h"
#include "services/funding/api/business_metrics.h"
#include "services/funding/domain/feed_consumer.h"
#include "services/funding/peer/grpc_inspection_feed.h"
#include "services/funding/domain/catalogue_logic.h"
#include "services/funding/domain/funding_logic.h"
#include "services/funding/domain/support_logic.h"
#include "services/funding/peer/grpc_registry_client.h"
#include "services/funding/store/pg_funding_store.h"

LNOB_SERVER_FLAGS("funding", 50052, 9102);
ABSL_FLAG(std::string, registry_address, "127.0.0.1:50051", "host:port of the registry service");
ABSL_FLAG(absl::Duration, registry_timeout, absl::Seconds(5), "Deadline of each registry call");
ABSL_FLAG(std::string, service_signing_key, "",
          "PEM private key that signs this service's own short-lived token (unit directory, change feed); "
          "its public half must be in the registry's --jwt_public_keys");
ABSL_FLAG(bool, follow_registry_changes, true, "Consume the registry change feed (flags planned support lines)");
ABSL_FLAG(std::string, inspection_address, "127.0.0.1:50055",
          "host:port of the inspection service, whose change feed holds support lines and reports recoveries");
ABSL_FLAG(bool, follow_inspection_changes, true,
          "Consume the inspection change feed (holds on support lines, money recovered)");
ABSL_FLAG(absl::Duration, business_metrics_interval, absl::Seconds(60),
          "How often lnob_disbursement_ratio and friends are refreshed");

int main(int argc, char** argv) {
  using namespace lnob::funding;
  return lnob::server::RunService(
      argc, argv, "lnob funding service", ServerConfigFromFlags,
      [](lnob::server::ServiceContext& s) -> absl::Status {
        const lnob::auth::ServiceTokenOptions me =
            lnob::auth::OwnTokenOptions("funding", "registry", s.config().jwt_issuer);
        LNOB_ASSIGN_OR_RETURN(auto self, lnob::auth::ServiceTokenSource::FromKeyFile(
                                             absl::GetFlag(FLAGS_service_signing_key), me, s.clock()));
        auto& token = s.Own(std::move(self));
        auto& catalogue_store = s.Own(NewPgCatalogueStore(&s.pool()));
        auto& ledger_store = s.Own(NewPgLedgerStore(&s.pool()));
        auto& support_store = s.Own(NewPgSupportStore(&s.pool()));
        const lnob::peer::PeerConfig registry_peer{.address = absl::GetFlag(FLAGS_registry_address),
                                                   .timeout = absl::GetFlag(FLAGS_registry_timeout)};
        auto& registry = s.Own(NewGrpcRegistryClient(registry_peer, &token));
        auto& units = s.Own(lnob::peer::NewRegistryUnitDirectory(registry_peer, &token));
        auto& scope = s.Make<lnob::scope::AreaScope>(&units, s.clock());
        auto& shared = s.Make<FundingShared>(FundingStores{&catalogue_store, &ledger_store, &support_store}, &registry, &scope, s.page_tokens(), s.clock());
        auto& catalogue = s.Make<CatalogueLogic>(&shared);
        auto& funding = s.Make<FundingLogic>(&shared);
        auto& support = s.Make<SupportLogic>(&shared);
        LNOB_RETURN_IF_ERROR(s.Serve<v1::CatalogueServiceAdapter>(&catalogue));
        LNOB_RETURN_IF_ERROR(s.Serve<v1::FundingServiceAdapter>(&funding));
        LNOB_RETURN_IF_ERROR(s.Serve<v1::SupportServiceAdapter>(&support));
        s.SetReadinessProbe([&s] { return s.DatabaseAnswers(); });
        auto& feed = s.Make<FeedConsumer>(&registry, &support_store);
        // Inspection's feed is read with a token of its own audience.
        lnob::auth::ServiceTokenOptions to_inspection = me;
        to_inspection.audience = lnob::auth::AudienceOfService("inspection");
        LNOB_ASSIGN_OR_RETURN(auto self_inspection, lnob::auth::ServiceTokenSource::FromKeyFile(
                                                        absl::GetFlag(FLAGS_service_signing_key), to_inspection,
                                                        s.clock()));
        auto& inspection_token = s.Own(std::move(self_inspection));
        auto& inspection_feed = s.Own(NewGrpcInspectionFeed(
            {.address = absl::GetFlag(FLAGS_inspection_address), .timeout = absl::Seconds(5)}, &inspection_token));
        auto& inspection = s.Own(NewInspectionFollower(&inspection_feed, &support_store));
        const bool follow_inspection = absl::GetFlag(FLAGS_follow_inspection_changes);
        auto& business = s.Make<BusinessMetrics>(&funding, &feed, s.metrics(), s.clock(),
                                                 follow_inspection ? &inspection : nullptr);
        if (absl::GetFlag(FLAGS_follow_registry_changes)) {
          s.OnServing([&feed] { feed.Start(); }, [&feed] { feed.Stop(); });
        }
        if (follow_inspection) {
          s.OnServing([&inspection] { inspection.Start(); }, [&inspection] { inspection.StopThread(); });
        }
        s.OnServing([&business] { business.Start(absl::GetFlag(FLAGS_business_metrics_interval)); });
        return absl::OkStatus();
      });
}
