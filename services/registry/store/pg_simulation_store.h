#ifndef LNOB_SERVICES_REGISTRY_STORE_PG_SIMULATION_STORE_H_
#define LNOB_SERVICES_REGISTRY_STORE_PG_SIMULATION_STORE_H_

#include <memory>

#include "services/registry/store/simulation_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::registry {

std::unique_ptr<SimulationStore> NewPgSimulationStore(db::Pool* pool);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_STORE_PG_SIMULATION_STORE_H_
