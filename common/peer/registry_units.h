#ifndef LNOB_COMMON_PEER_REGISTRY_UNITS_H_
#define LNOB_COMMON_PEER_REGISTRY_UNITS_H_

// The registry's administrative units over its public API, for services other than the
// registry (scope::UnitDirectory, the remote side of the area-scope component). Calls are
// made with the service's own token.

#include <memory>
#include <string>

#include "common/auth/service_token.h"
#include "common/peer/peer_config.h"
#include "common/scope/area_scope.h"

namespace lnob::peer {

// Every unit version in force on a day of the lineage (each effective date and the day
// before) or today, with the lineage: ListLineageEvents and ListAdminUnits, paged.
std::unique_ptr<scope::UnitDirectory> NewRegistryUnitDirectory(PeerConfig config,
                                                               auth::ServiceTokenSource* self);

}  // namespace lnob::peer

#endif  // LNOB_COMMON_PEER_REGISTRY_UNITS_H_
