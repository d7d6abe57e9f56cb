#ifndef LNOB_SERVICES_FUNDING_STORE_PG_FUNDING_STORE_H_
#define LNOB_SERVICES_FUNDING_STORE_PG_FUNDING_STORE_H_

#include <memory>

#include "services/funding/store/funding_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::funding {

std::unique_ptr<FundingStore> NewPgFundingStore(db::Pool* pool);

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_STORE_PG_FUNDING_STORE_H_
