#ifndef LNOB_SERVICES_INSPECTION_STORE_PG_INSPECTION_STORE_H_
#define LNOB_SERVICES_INSPECTION_STORE_PG_INSPECTION_STORE_H_

#include <memory>

#include "services/inspection/store/inspection_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::inspection {

std::unique_ptr<InspectionStore> NewPgInspectionStore(db::Pool* pool);

}  // namespace lnob::inspection

#endif  // LNOB_SERVICES_INSPECTION_STORE_PG_INSPECTION_STORE_H_
