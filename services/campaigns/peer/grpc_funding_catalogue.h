#ifndef LNOB_SERVICES_CAMPAIGNS_PEER_GRPC_FUNDING_CATALOGUE_H_
#define LNOB_SERVICES_CAMPAIGNS_PEER_GRPC_FUNDING_CATALOGUE_H_

#include <memory>

#include "absl/time/time.h"
#include "common/auth/service_token.h"
#include "common/peer/peer_config.h"
#include "common/util/clock.h"
#include "services/campaigns/domain/funding_catalogue.h"

namespace lnob::campaigns {

// FundingCatalogue over funding's CatalogueService (ListProgrammeNodes, ListFundingSources),
// the answer kept for `ttl` (the catalogue changes by decision, a few times a year).
std::unique_ptr<FundingCatalogue> NewGrpcFundingCatalogue(peer::PeerConfig config, auth::ServiceTokenSource* self,
                                                          const Clock& clock, absl::Duration ttl = absl::Minutes(1));

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_PEER_GRPC_FUNDING_CATALOGUE_H_
