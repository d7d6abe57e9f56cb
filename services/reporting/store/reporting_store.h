#ifndef LNOB_SERVICES_REPORTING_STORE_REPORTING_STORE_H_
#define LNOB_SERVICES_REPORTING_STORE_REPORTING_STORE_H_

// The reporting schema as the logic sees it. The PostgreSQL implementation
// (pg_reporting_store.cc) is the only reporting code that includes libpqxx.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/idempotency_key.h"
#include "lnob/reporting/v1/reporting.pb.h"

namespace lnob::reporting {

class ReportingStore {
 public:
  virtual ~ReportingStore() = default;
  // Every definition with its due rules, sections and indicators, by code then version.
  virtual absl::StatusOr<std::vector<v1::ReportDefinition>> ListDefinitions() = 0;
  // Stores a composed report with its inputs in one transaction (the digest by the database);
  // a replayed key returns the report stored the first time.
  virtual absl::StatusOr<v1::Report> CreateReport(const v1::Report& report, const std::string& creator,
                                                  const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Report> GetReport(const std::string& id) = 0;
  // Reports of a definition code ("" any) and period year (0 any), of these units (nullopt: any).
  virtual absl::StatusOr<std::vector<v1::Report>> ListReports(const std::string& code, int year,
                                                              const std::optional<std::vector<std::string>>& units,
                                                              const std::string& after_id, int limit) = 0;
  // The response stored for an earlier identical request: true when there is one.
  virtual absl::StatusOr<bool> Replay(const db::IdempotencyKey& key, v1::Report* out) = 0;
  virtual bool Healthy() = 0;
};

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_STORE_REPORTING_STORE_H_
