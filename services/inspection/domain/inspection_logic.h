#ifndef LNOB_SERVICES_INSPECTION_DOMAIN_INSPECTION_LOGIC_H_
#define LNOB_SERVICES_INSPECTION_DOMAIN_INSPECTION_LOGIC_H_

// Inspection use cases. Knows nothing of gRPC or SQL: validates requests (errors name the
// field), applies area scope and the workflow's who-may-do-what, has findings' references
// validated and frozen by their owners (one batched call per owner and kind), and talks to
// the InspectionStore, whose schema enforces the workflow itself.

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "common/api/page_token.h"
#include "common/scope/area_scope.h"
#include "common/server/call.h"
#include "common/server/stream.h"
#include "common/util/clock.h"
#include "common/util/feed_hub.h"
#include "lnob/inspection/v1/inspection.pb.h"
#include "services/inspection/domain/owners.h"
#include "services/inspection/store/inspection_store.h"

namespace lnob::inspection {

// A required date field (INVALID_ARGUMENT naming it), not after `not_after` when given.
absl::StatusOr<absl::CivilDay> RequiredDay(const google::type::Date& d, const std::string& field,
                                           std::optional<absl::CivilDay> not_after = std::nullopt);

// The conclusion's text with every protected passage replaced by its reason (Decree 43/2023).
std::string PublishedText(const v1::Conclusion& con);

inline constexpr char kAppraisePermission[] = "inspection.conclusions.appraise";
// At most this many references per finding (support lines are fetched 1,000 per call).
inline constexpr int kMaxReferences = 5000;

class InspectionLogic {
 public:
  InspectionLogic(InspectionStore* store, scope::AreaScope* scope, Owners* owners, api::PageTokenCodec tokens,
                  const Clock& clock)
      : store_(store),
        scope_(scope),
        owners_(owners),
        tokens_(std::move(tokens)),
        clock_(clock),
        feed_([store] { return store->FeedHead(); }) {}

  using C = server::Call;
  absl::Status ListAgencies(const C& c, const v1::ListAgenciesRequest& req, v1::ListAgenciesResponse* out);
  absl::Status ListRules(const C& c, const v1::ListRulesRequest& req, v1::ListRulesResponse* out);

  absl::Status CreatePlan(const C& c, const v1::CreatePlanRequest& req, v1::Plan* out);
  absl::Status GetPlan(const C& c, const v1::GetPlanRequest& req, v1::Plan* out);
  absl::Status ListPlans(const C& c, const v1::ListPlansRequest& req, v1::ListPlansResponse* out);

  absl::Status CreateInspection(const C& c, const v1::CreateInspectionRequest& req, v1::Inspection* out);
  absl::Status GetInspection(const C& c, const v1::GetInspectionRequest& req, v1::Inspection* out);
  absl::Status ListInspections(const C& c, const v1::ListInspectionsRequest& req, v1::ListInspectionsResponse* out);
  absl::Status AdvanceInspection(const C& c, const v1::AdvanceInspectionRequest& req, v1::Inspection* out);
  absl::Status AppraiseConclusion(const C& c, const v1::AppraiseConclusionRequest& req, v1::Inspection* out);
  absl::Status GetConclusion(const C& c, const v1::GetConclusionRequest& req, v1::Conclusion* out);

  absl::Status CreateFinding(const C& c, const v1::CreateFindingRequest& req, v1::Finding* out);
  absl::Status GetFinding(const C& c, const v1::GetFindingRequest& req, v1::Finding* out);
  absl::Status ListFindings(const C& c, const v1::ListFindingsRequest& req, v1::ListFindingsResponse* out);
  absl::Status LiftHold(const C& c, const v1::LiftHoldRequest& req, v1::Finding* out);

  absl::Status CreateRecommendation(const C& c, const v1::CreateRecommendationRequest& req, v1::Recommendation* out);
  absl::Status GetRecommendation(const C& c, const v1::GetRecommendationRequest& req, v1::Recommendation* out);
  absl::Status ListRecommendations(const C& c, const v1::ListRecommendationsRequest& req,
                                   v1::ListRecommendationsResponse* out);
  absl::Status RecordFollowUp(const C& c, const v1::RecordFollowUpRequest& req, v1::Recommendation* out);
  absl::Status RecordRecovery(const C& c, const v1::RecordRecoveryRequest& req, v1::Recovery* out);
  absl::Status ListRecoveries(const C& c, const v1::ListRecoveriesRequest& req, v1::ListRecoveriesResponse* out);

  absl::Status GetFindingsReport(const C& c, const v1::GetFindingsReportRequest& req, v1::FindingsReport* out);
  absl::Status ListFlaggedRecords(const C& c, const v1::ListFlaggedRecordsRequest& req,
                                  v1::ListFlaggedRecordsResponse* out);
  absl::Status GetStatistics(const C& c, const v1::GetStatisticsRequest& req, v1::Statistics* out);
  absl::Status WatchChanges(const C& c, const v1::WatchChangesRequest& req,
                            server::MessageWriter<v1::ChangeEvent>& sink);

  // For the dashboard gauges, province-wide and all time: recommendations (overdue today),
  // holds active, money required and recovered.
  absl::StatusOr<v1::Statistics> ProvinceStatistics();

 private:
  absl::CivilDay Today() const;
  // The caller's units (any level, any period) or nullopt for the whole province.
  absl::StatusOr<Units> ScopeUnits(const C& c);
  // unit_code given: its subtree (PERMISSION_DENIED OUT_OF_SCOPE when outside the caller's
  // scope); else the caller's scope. Read on `day`'s geography.
  absl::StatusOr<Units> FilterUnits(const C& c, const std::string& unit_code, absl::CivilDay day,
                                    const std::string& field);
  absl::Status CheckSubjects(const C& c, const google::protobuf::RepeatedPtrField<v1::Subject>& subjects,
                             const std::string& field);
  // NOT_FOUND unless one of the units is in the caller's scope.
  absl::Status CheckVisible(const C& c, const std::vector<std::string>& units, const std::string& name);
  absl::StatusOr<v1::Inspection> VisibleInspection(const C& c, const std::string& name, const std::string& field);
  absl::StatusOr<v1::Finding> VisibleFinding(const C& c, const std::string& name, const std::string& field);
  absl::StatusOr<v1::Recommendation> VisibleRecommendation(const C& c, const std::string& name,
                                                           const std::string& field);
  absl::Status Step(const C& c, const v1::AdvanceInspectionRequest& req, v1::Inspection* out);
  // Fetches and freezes the references; fills commune, date, facts and money on each.
  absl::Status ResolveReferences(const C& c, v1::Finding* f);

  InspectionStore* store_;
  scope::AreaScope* scope_;
  Owners* owners_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
  FeedHub feed_;
};

}  // namespace lnob::inspection

#endif  // LNOB_SERVICES_INSPECTION_DOMAIN_INSPECTION_LOGIC_H_
