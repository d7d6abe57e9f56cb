#ifndef LNOB_SERVICES_CAMPAIGNS_STORE_PG_PERSONS_STORE_H_
#define LNOB_SERVICES_CAMPAIGNS_STORE_PG_PERSONS_STORE_H_

#include <memory>

#include "services/campaigns/store/persons_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::campaigns {

std::unique_ptr<PersonsStore> NewPgPersonsStore(db::Pool* pool);

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_STORE_PG_PERSONS_STORE_H_
