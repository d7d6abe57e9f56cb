#ifndef LNOB_SERVICES_REPORTING_STORE_PG_REPORTING_STORE_H_
#define LNOB_SERVICES_REPORTING_STORE_PG_REPORTING_STORE_H_

#include <memory>

#include "services/reporting/store/reporting_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::reporting {

std::unique_ptr<ReportingStore> NewPgReportingStore(db::Pool* pool);

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_STORE_PG_REPORTING_STORE_H_
