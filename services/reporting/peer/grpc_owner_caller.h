#ifndef LNOB_SERVICES_REPORTING_PEER_GRPC_OWNER_CALLER_H_
#define LNOB_SERVICES_REPORTING_PEER_GRPC_OWNER_CALLER_H_

#include <map>
#include <memory>
#include <string>

#include "common/peer/peer_config.h"
#include "services/reporting/domain/owner_caller.h"

namespace lnob::reporting {

// OwnerCaller over gRPC: the method's request and answer types come from the compiled-in
// descriptors, the call is a generic unary call to the owner's address.
std::unique_ptr<OwnerCaller> NewGrpcOwnerCaller(std::map<std::string, peer::PeerConfig> owners);

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_PEER_GRPC_OWNER_CALLER_H_
