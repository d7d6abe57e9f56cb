#ifndef LNOB_SERVICES_CAMPAIGNS_STORE_PG_CAMPAIGNS_STORE_H_
#define LNOB_SERVICES_CAMPAIGNS_STORE_PG_CAMPAIGNS_STORE_H_

#include <memory>

#include "services/campaigns/store/campaigns_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::campaigns {

std::unique_ptr<CampaignsStore> NewPgCampaignsStore(db::Pool* pool);

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_STORE_PG_CAMPAIGNS_STORE_H_
