#ifndef LNOB_SERVICES_FUNDING_DOMAIN_FUNDING_LOGIC_H_
#define LNOB_SERVICES_FUNDING_DOMAIN_FUNDING_LOGIC_H_

// Funding use cases. Knows nothing of gRPC or SQL. Every method checks the caller's area
// scope: units with scope::AreaScope over the registry's unit directory (cached), households
// through the registry itself (called with the caller's token, so its scope rules apply).

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "common/api/page_token.h"
#include "common/scope/area_scope.h"
#include "common/server/call.h"
#include "common/server/stream.h"
#include "common/util/clock.h"
#include "services/funding/domain/registry_client.h"
#include "services/funding/store/funding_store.h"

namespace lnob::funding {

inline constexpr char kDefaultProgramme[] = "PROG_BP_1000_EM_HH";

class FundingLogic {
 public:
  FundingLogic(FundingStore* store, RegistryClient* registry, scope::AreaScope* scope, api::PageTokenCodec tokens,
               const Clock& clock)
      : store_(store), registry_(registry), scope_(scope), tokens_(std::move(tokens)), clock_(clock) {}

  using C = server::Call;
  // Catalogue.
  absl::Status ListProgrammeNodes(const C& c, const v1::ListProgrammeNodesRequest& req,
                                  v1::ListProgrammeNodesResponse* out);
  absl::Status GetProgrammeNode(const C& c, const v1::GetProgrammeNodeRequest& req, v1::ProgrammeNode* out);
  absl::Status CreateProgrammeNode(const C& c, const v1::CreateProgrammeNodeRequest& req, v1::ProgrammeNode* out);
  absl::Status ReparentProgrammeNode(const C& c, const v1::ReparentProgrammeNodeRequest& req, v1::ProgrammeNode* out);
  absl::Status ListFundingSources(const C& c, const v1::ListFundingSourcesRequest& req,
                                  v1::ListFundingSourcesResponse* out);
  // Allocations, disbursements, plans, reports.
  absl::Status SetAllocation(const C& c, const v1::SetAllocationRequest& req, v1::Allocation* out);
  absl::Status ListAllocations(const C& c, const v1::ListAllocationsRequest& req, v1::ListAllocationsResponse* out);
  absl::Status ListAllocationRevisions(const C& c, const v1::ListAllocationRevisionsRequest& req,
                                       v1::ListAllocationRevisionsResponse* out);
  absl::Status RecordDisbursement(const C& c, const v1::RecordDisbursementRequest& req, v1::Disbursement* out);
  absl::Status ListDisbursements(const C& c, const v1::ListDisbursementsRequest& req,
                                 v1::ListDisbursementsResponse* out);
  absl::Status CreatePlan(const C& c, const v1::CreatePlanRequest& req, v1::Plan* out);
  absl::Status GetPlan(const C& c, const v1::GetPlanRequest& req, v1::Plan* out);
  absl::Status ListPlans(const C& c, const v1::ListPlansRequest& req, v1::ListPlansResponse* out);
  absl::Status UpdatePlanLines(const C& c, const v1::UpdatePlanLinesRequest& req, v1::Plan* out);
  absl::Status SubmitPlan(const C& c, const v1::PlanActionRequest& req, v1::Plan* out);
  absl::Status ReviewPlan(const C& c, const v1::PlanActionRequest& req, v1::Plan* out);
  absl::Status ApprovePlan(const C& c, const v1::PlanActionRequest& req, v1::Plan* out);
  absl::Status ReturnPlan(const C& c, const v1::PlanActionRequest& req, v1::Plan* out);
  absl::Status ConsolidatePlans(const C& c, const v1::ConsolidatePlansRequest& req, v1::ConsolidatePlansResponse* out);
  absl::Status GetDisbursementReport(const C& c, const v1::GetDisbursementReportRequest& req,
                                     v1::DisbursementReport* out);
  absl::Status GetHouseholdSupport(const C& c, const v1::GetHouseholdSupportRequest& req, v1::HouseholdSupport* out);
  absl::Status GetCostPerEscapedHousehold(const C& c, const v1::GetCostPerEscapedHouseholdRequest& req,
                                          v1::CostPerEscapedHousehold* out);
  absl::Status GetProgrammeProgress(const C& c, const v1::GetProgrammeProgressRequest& req,
                                    v1::ProgrammeProgress* out);
  // Support ledger.
  absl::Status CreateSupportLine(const C& c, const v1::CreateSupportLineRequest& req, v1::SupportLine* out);
  absl::Status GetSupportLine(const C& c, const v1::GetSupportLineRequest& req, v1::SupportLine* out);
  absl::Status ListSupportLines(const C& c, const v1::ListSupportLinesRequest& req, v1::ListSupportLinesResponse* out);
  absl::Status DeliverSupportLine(const C& c, const v1::SupportLineActionRequest& req, v1::SupportLine* out);
  absl::Status CancelSupportLine(const C& c, const v1::SupportLineActionRequest& req, v1::SupportLine* out);
  absl::Status ClearReviewFlag(const C& c, const v1::SupportLineActionRequest& req, v1::SupportLine* out);
  absl::Status ImportSupportLines(const C& c, server::MessageReader<v1::ImportSupportLinesRequest>& in,
                                  v1::ImportSupportLinesResponse* out);

  // Province-wide disbursement rate per source for the business gauges (year of today).
  absl::StatusOr<std::vector<v1::DisbursementReportRow>> DisbursementBySource(int year);

 private:
  struct Catalogue {
    std::set<std::string> sources;
    std::map<std::string, std::set<std::string>> contents;
    std::map<int, std::set<std::string>> nodes_by_year;  // nodes placed on 31 Dec of the year
  };
  absl::CivilDay Today() const;
  // The unit as in force on 1 January or else 31 December of the year.
  absl::StatusOr<UnitInfo> ResolveUnit(const std::string& code, int year, const std::string& field);
  absl::StatusOr<bool> InScope(const auth::Principal& p, const std::string& unit, int year);
  absl::Status RequireScope(const auth::Principal& p, const std::string& unit, int year, const std::string& field);
  // Units a list/report may cover: under `unit` (checked against the scope) or the scope.
  absl::StatusOr<UnitFilter> ScopeFilter(const auth::Principal& p, const std::string& unit, int year,
                                         const std::string& field);
  // A copy of the cached catalogue (reloaded after kCatalogueTtl or a catalogue write).
  absl::StatusOr<Catalogue> LoadCatalogue();
  void ForgetCatalogue();
  // Year, scope, node subtree and source filters shared by the allocation and disbursement lists.
  template <typename Req>
  absl::StatusOr<AllocationQuery> MoneyQuery(const C& c, const Req& req);
  absl::Status CheckNode(Catalogue& cat, const std::string& code, int year, const std::string& field);
  absl::Status ValidatePlanLines(Catalogue& cat, const google::protobuf::RepeatedPtrField<v1::PlanLine>& lines,
                                 int year, const std::string& prefix);
  // Validates a line and assigns its id; facts are attached afterwards.
  absl::Status PrepareLine(Catalogue& cat, v1::SupportLine* line, const std::string& prefix);
  absl::StatusOr<v1::SupportLine> VisibleLine(const C& c, const std::string& name, const std::string& field);
  absl::Status PlanAction(const C& c, const v1::PlanActionRequest& req, const std::set<std::string>& from,
                          const std::string& to, v1::Plan* out);
  absl::Status LineAction(const C& c, const v1::SupportLineActionRequest& req, const std::string& action,
                          v1::SupportLine* out);
  absl::StatusOr<v1::Plan> VisiblePlan(const C& c, const std::string& name);

  FundingStore* store_;
  RegistryClient* registry_;
  scope::AreaScope* scope_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;

  std::mutex mu_;
  std::shared_ptr<Catalogue> catalogue_;  // guarded by mu_, read only as copies
  absl::Time catalogue_loaded_ = absl::InfinitePast();
};

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_DOMAIN_FUNDING_LOGIC_H_
