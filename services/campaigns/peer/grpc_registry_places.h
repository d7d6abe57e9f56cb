#ifndef LNOB_SERVICES_CAMPAIGNS_PEER_GRPC_REGISTRY_PLACES_H_
#define LNOB_SERVICES_CAMPAIGNS_PEER_GRPC_REGISTRY_PLACES_H_

#include <memory>

#include "common/auth/service_token.h"
#include "common/peer/peer_config.h"
#include "services/campaigns/domain/registry_places.h"

namespace lnob::campaigns {

// RegistryPlaces over the registry's ReferenceDataService (ListVillages with exact_name).
std::unique_ptr<RegistryPlaces> NewGrpcRegistryPlaces(peer::PeerConfig config, auth::ServiceTokenSource* self);

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_PEER_GRPC_REGISTRY_PLACES_H_
