#ifndef LNOB_SERVICES_FUNDING_PEER_GRPC_INSPECTION_FEED_H_
#define LNOB_SERVICES_FUNDING_PEER_GRPC_INSPECTION_FEED_H_

// InspectionFeed over the inspection service's WatchChanges, with funding's own token.

#include <memory>

#include "common/auth/service_token.h"
#include "common/peer/peer_config.h"
#include "services/funding/domain/inspection_feed.h"

namespace lnob::funding {

std::unique_ptr<InspectionFeed> NewGrpcInspectionFeed(peer::PeerConfig config, auth::ServiceTokenSource* self);

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_PEER_GRPC_INSPECTION_FEED_H_
