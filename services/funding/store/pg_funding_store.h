#ifndef LNOB_SERVICES_FUNDING_STORE_PG_FUNDING_STORE_H_
#define LNOB_SERVICES_FUNDING_STORE_PG_FUNDING_STORE_H_

#include <memory>

#include "services/funding/store/funding_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::funding {

// The three stores of the funding schema (each the only code of its service that speaks SQL).
std::unique_ptr<CatalogueStore> NewPgCatalogueStore(db::Pool* pool);
std::unique_ptr<LedgerStore> NewPgLedgerStore(db::Pool* pool);
std::unique_ptr<SupportStore> NewPgSupportStore(db::Pool* pool);

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_STORE_PG_FUNDING_STORE_H_
