#ifndef LNOB_SERVICES_AWARDS_PEER_GRPC_EVIDENCE_OWNERS_H_
#define LNOB_SERVICES_AWARDS_PEER_GRPC_EVIDENCE_OWNERS_H_

#include <memory>

#include "common/peer/peer_config.h"
#include "services/awards/domain/evidence_owners.h"

namespace lnob::awards {

struct EvidencePeers {
  peer::PeerConfig registry;
  peer::PeerConfig campaigns;
  peer::PeerConfig funding;
  peer::PeerConfig inspection;
};

// EvidenceOwners over the owners' own APIs with the caller's token: the registry's
// BatchGetHouseholdFacts and GetStatistics, campaigns' BatchGetActivities, funding's
// GetDisbursementReport, inspection's GetStatistics, ListInspections and ListFlaggedRecords.
std::unique_ptr<EvidenceOwners> NewGrpcEvidenceOwners(EvidencePeers peers);

}  // namespace lnob::awards

#endif  // LNOB_SERVICES_AWARDS_PEER_GRPC_EVIDENCE_OWNERS_H_
