#ifndef LNOB_SERVICES_AWARDS_STORE_PG_AWARDS_STORE_H_
#define LNOB_SERVICES_AWARDS_STORE_PG_AWARDS_STORE_H_

#include <memory>

#include "services/awards/store/awards_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::awards {

std::unique_ptr<AwardsStore> NewPgAwardsStore(db::Pool* pool);

}  // namespace lnob::awards

#endif  // LNOB_SERVICES_AWARDS_STORE_PG_AWARDS_STORE_H_
