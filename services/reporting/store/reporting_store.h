#ifndef LNOB_SERVICES_REPORTING_STORE_REPORTING_STORE_H_
#define LNOB_SERVICES_REPORTING_STORE_REPORTING_STORE_H_

// The reporting schema as the logic sees it. The PostgreSQL implementation
// (pg_reporting_store.cc) is the only reporting code that includes libpqxx.

#include <map>
#include <optional>
#include <tuple>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/idempotency_key.h"
#include "google/protobuf/message.h"
#include "lnob/reporting/v1/reporting.pb.h"

namespace lnob::reporting {

// What identifies a report's series: one per definition code, period, unit, geography and source.
struct ReportKey {
  std::string code;
  common::v1::Period period;
  std::string unit_code;
  std::string geography;  // YYYY-MM-DD
  std::string source;     // OWNERS or ROLL_UP
};

// One move of the workflow, checked again by the database (report_moves, maker_checker).
struct Move {
  std::string id;
  std::string etag;       // "" to skip the check
  std::string to_state;   // SUBMITTED, DRAFT, APPROVED, LOCKED
  std::string actor;
  std::string note;
};

struct OperationUpdate {
  std::string state;      // "" keeps RUNNING
  int done_steps = -1;    // -1 keeps it
  int total_steps = -1;
  std::string report_id;
  std::string error_code;
  std::string error_message;
};

class ReportingStore {
 public:
  virtual ~ReportingStore() = default;
  // Every definition with its due rules, sections and indicators, by code then version.
  virtual absl::StatusOr<std::vector<v1::ReportDefinition>> ListDefinitions() = 0;
  // Stores a composed report with its inputs in one transaction (the digest by the database);
  // a replayed key returns the report stored the first time. `previous_id` empty: the first
  // revision of a new series (ALREADY_EXISTS naming the series when its key has one);
  // otherwise the next revision after `previous_id`, which must be the series' latest (a draft
  // is REPLACED, a locked one stays). Fields read: definition, version, period, unit_code,
  // geography, inputs, units, source, rolled_up_from, amendment_reason.
  virtual absl::StatusOr<v1::Report> CreateReport(const v1::Report& report, const std::string& creator,
                                                  const std::string& previous_id, const db::IdempotencyKey& key) = 0;
  // One move, recorded in the report's history.
  virtual absl::StatusOr<v1::Report> MoveReport(const Move& move, const db::IdempotencyKey& key) = 0;
  // The series' report of this key, its latest revision (nullopt when there is none).
  virtual absl::StatusOr<std::optional<v1::Report>> FindLatest(const ReportKey& key) = 0;
  // The most recently locked report of each unit of this key (unit_code and source ignored), by unit.
  virtual absl::StatusOr<std::map<std::string, v1::Report>> LatestLocked(const ReportKey& key, int version,
                                                                          const std::vector<std::string>& units) = 0;
  // roll_up_ratios: field -> (numerator, denominator, factor).
  virtual absl::StatusOr<std::map<std::string, std::tuple<std::string, std::string, double>>> RollUpRatios() = 0;
  // Operations.
  // *created: false when the key's operation existed (a retry).
  virtual absl::StatusOr<v1::Operation> CreateOperation(const v1::Operation& op, const db::IdempotencyKey& key,
                                                        bool* created) = 0;
  virtual absl::StatusOr<v1::Operation> UpdateOperation(const std::string& id, const OperationUpdate& u) = 0;
  virtual absl::StatusOr<v1::Operation> GetOperation(const std::string& id) = 0;
  // True when a cancel was asked for (the worker stops before its next owner call).
  virtual absl::StatusOr<bool> CancelRequested(const std::string& id) = 0;
  virtual absl::StatusOr<v1::Operation> RequestCancel(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::Operation>> ListOperations(const std::string& creator,
                                                                    const std::string& after_id, int limit) = 0;
  // Every LOCKED report's key and definition code (the overdue gauge compares them to the calendar).
  virtual absl::StatusOr<std::vector<ReportKey>> LockedKeys(int year) = 0;
  virtual absl::StatusOr<v1::Report> GetReport(const std::string& id) = 0;
  // Reports of a definition code ("" any) and period year (0 any), of these units (nullopt: any).
  virtual absl::StatusOr<std::vector<v1::Report>> ListReports(const std::string& code, int year,
                                                              const std::optional<std::vector<std::string>>& units,
                                                              const std::string& after_id, int limit) = 0;
  // The response stored for an earlier identical request (a report, or the operation an
  // earlier identical StartReport created): true when there is one.
  virtual absl::StatusOr<bool> Replay(const db::IdempotencyKey& key, google::protobuf::Message* out) = 0;
  virtual bool Healthy() = 0;
};

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_STORE_REPORTING_STORE_H_
