#ifndef LNOB_SERVICES_FUNDING_PEER_GRPC_REGISTRY_CLIENT_H_
#define LNOB_SERVICES_FUNDING_PEER_GRPC_REGISTRY_CLIENT_H_

// RegistryClient over the registry's public gRPC API.

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/auth/service_token.h"
#include "common/peer/peer_config.h"
#include "services/funding/domain/registry_client.h"

namespace lnob::funding {

std::unique_ptr<RegistryClient> NewGrpcRegistryClient(peer::PeerConfig config, auth::ServiceTokenSource* self);

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_PEER_GRPC_REGISTRY_CLIENT_H_
