#ifndef LNOB_SERVICES_INSPECTION_PEER_GRPC_OWNERS_H_
#define LNOB_SERVICES_INSPECTION_PEER_GRPC_OWNERS_H_

#include <memory>

#include "common/peer/peer_config.h"
#include "services/inspection/domain/owners.h"

namespace lnob::inspection {

struct OwnerPeers {
  peer::PeerConfig registry;
  peer::PeerConfig funding;
  peer::PeerConfig campaigns;
};

// Owners over the owners' own APIs, with the caller's token: funding's BatchGetSupportLines,
// GetPlan and GetAllocation, the registry's BatchGetHouseholdFacts and GetReview, campaigns' GetActivity
// and GetSupportEvent.
std::unique_ptr<Owners> NewGrpcOwners(OwnerPeers peers);

}  // namespace lnob::inspection

#endif  // LNOB_SERVICES_INSPECTION_PEER_GRPC_OWNERS_H_
