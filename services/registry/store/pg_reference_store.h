#ifndef LNOB_SERVICES_REGISTRY_STORE_PG_REFERENCE_STORE_H_
#define LNOB_SERVICES_REGISTRY_STORE_PG_REFERENCE_STORE_H_

#include <memory>

#include "services/registry/store/reference_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::registry {

// PostgreSQL implementation over the service role's pool (schema "registry").
std::unique_ptr<ReferenceStore> NewPgReferenceStore(db::Pool* pool);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_STORE_PG_REFERENCE_STORE_H_
