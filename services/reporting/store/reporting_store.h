#ifndef LNOB_SERVICES_REPORTING_STORE_REPORTING_STORE_H_
#define LNOB_SERVICES_REPORTING_STORE_REPORTING_STORE_H_

// The reporting schema as the logic sees it. The PostgreSQL implementation
// (pg_reporting_store.cc) is the only reporting code that includes libpqxx.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lnob/reporting/v1/reporting.pb.h"

namespace lnob::reporting {

class ReportingStore {
 public:
  virtual ~ReportingStore() = default;
  // Every definition with its due rules, sections and indicators, by code then version.
  virtual absl::StatusOr<std::vector<v1::ReportDefinition>> ListDefinitions() = 0;
  virtual bool Healthy() = 0;
};

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_STORE_REPORTING_STORE_H_
