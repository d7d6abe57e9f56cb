#ifndef LNOB_SERVICES_INSPECTION_STORE_INSPECTION_STORE_H_
#define LNOB_SERVICES_INSPECTION_STORE_INSPECTION_STORE_H_

// The inspection schema behind an interface: plans, inspections and their workflow,
// findings with frozen references, recommendations, recoveries, reports and the change feed.
// The database enforces the workflow; this layer maps rows to messages. Unit sets are area
// filters: nullopt means no filter (the whole province).

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/idempotency_key.h"
#include "lnob/inspection/v1/inspection.pb.h"

namespace lnob::inspection {

using Units = std::optional<std::vector<std::string>>;

struct InspectionQuery {
  int year = 0;
  std::string kind;    // "" any
  std::string agency;  // "" any
  std::string state;   // "" any
  bool open_only = false;  // not yet concluded
  Units units;         // any subject among them
  std::string after_id;
  int limit = 100;
};

struct FindingQuery {
  std::string inspection_id;
  Units units;
  std::string category;
  std::string resource;
  bool open_serious_only = false;
  std::string after_id;
  int limit = 100;
};

struct RecommendationQuery {
  std::string inspection_id;
  Units units;          // owner units
  std::string status;   // "" any
  bool overdue_only = false;
  std::string today;    // YYYY-MM-DD: the day "overdue" is judged on
  std::string after_id;
  int limit = 100;
};

struct ReportRow {
  std::string node_code, unit_code, category, severity;
  int64_t findings = 0;
  int64_t to_recover_vnd = 0;
};

struct FlaggedQuery {
  std::string kind;  // "" any
  Units communes;
  bool open_serious_only = false;
  std::string after;  // kind|resource of the last row
  int limit = 100;
};

// An advance of the workflow as the store writes it (validated by the logic).
struct Advance {
  std::string id, etag, to, day, actor, note;
  std::string published_text;  // PUBLISHED: the text without protected passages
};

class InspectionStore {
 public:
  virtual ~InspectionStore() = default;

  virtual absl::StatusOr<std::vector<v1::Agency>> ListAgencies() = 0;
  virtual absl::StatusOr<std::vector<v1::Rule>> ListRules() = 0;
  virtual absl::StatusOr<std::set<std::string>> Categories() = 0;
  // The rule's value on a day (YYYY-MM-DD).
  virtual absl::StatusOr<int> RuleValue(const std::string& code, const std::string& day) = 0;

  // Plan items and decisions are refused with FAILED_PRECONDITION OVERLAP, naming the other
  // one, when a subject overlaps another of the same year and no overlap_reason is given
  // (checked in the writing transaction, after a replay has been answered).
  virtual absl::StatusOr<v1::Plan> CreatePlan(const v1::Plan& plan, const std::string& creator,
                                              const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Plan> GetPlan(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::Plan>> ListPlans(int year, const std::string& agency, const Units& units,
                                                          const std::string& after_id, int limit) = 0;
  // The plan item named inspectionPlans/{uuid}/items/{n}, with its plan's agency.
  virtual absl::StatusOr<std::pair<v1::PlanItem, std::string>> GetPlanItem(const std::string& plan_id,
                                                                          int number) = 0;

  virtual absl::StatusOr<v1::Inspection> CreateInspection(const v1::Inspection& in, const std::string& creator,
                                                          const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Inspection> GetInspection(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::Inspection>> ListInspections(const InspectionQuery& q) = 0;
  // Writes the step and what it records (data requests, report, conclusion fields) from `req`.
  virtual absl::StatusOr<v1::Inspection> AdvanceInspection(const Advance& a,
                                                           const v1::AdvanceInspectionRequest& req) = 0;
  virtual absl::StatusOr<v1::Conclusion> GetConclusion(const std::string& inspection_id) = 0;

  // `f` carries its references resolved (facts, commune, money) and its totals.
  virtual absl::StatusOr<v1::Finding> CreateFinding(const v1::Finding& f, const std::string& creator,
                                                    const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Finding> GetFinding(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::Finding>> ListFindings(const FindingQuery& q) = 0;
  virtual absl::StatusOr<v1::Finding> LiftHold(const std::string& id, const std::string& etag,
                                               const std::string& reason) = 0;

  virtual absl::StatusOr<v1::Recommendation> CreateRecommendation(const v1::Recommendation& r,
                                                                  const std::string& creator,
                                                                  const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Recommendation> GetRecommendation(const std::string& id, const std::string& today) = 0;
  virtual absl::StatusOr<std::vector<v1::Recommendation>> ListRecommendations(const RecommendationQuery& q) = 0;
  virtual absl::StatusOr<v1::Recommendation> RecordFollowUp(const std::string& id, const std::string& etag,
                                                            const v1::FollowUp& f, const std::string& actor,
                                                            const std::string& today,
                                                            const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Recovery> RecordRecovery(const v1::Recovery& r, const std::string& creator,
                                                      const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::Recovery>> ListRecoveries(const std::string& recommendation_id,
                                                                  int64_t after_id, int limit) = 0;

  // Findings dated in [from, to] under `units`, grouped by the dimensions asked (the others
  // left empty).
  virtual absl::StatusOr<std::vector<ReportRow>> FindingsReport(const std::string& from, const std::string& to,
                                                                const Units& units, bool by_node, bool by_unit,
                                                                bool by_category, bool by_severity) = 0;
  virtual absl::StatusOr<std::vector<v1::FlaggedRecord>> ListFlaggedRecords(const FlaggedQuery& q) = 0;
  virtual absl::StatusOr<v1::Statistics> Statistics(const std::string& from, const std::string& to,
                                                    const Units& units, const std::string& today) = 0;

  virtual absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(int64_t after_cursor, int limit) = 0;
  virtual absl::StatusOr<int64_t> FeedHead() = 0;
  virtual bool Healthy() = 0;
};

}  // namespace lnob::inspection

#endif  // LNOB_SERVICES_INSPECTION_STORE_INSPECTION_STORE_H_
