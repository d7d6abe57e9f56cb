#ifndef LNOB_SERVICES_FUNDING_DOMAIN_FUNDING_LOGIC_H_
#define LNOB_SERVICES_FUNDING_DOMAIN_FUNDING_LOGIC_H_

// lnob.funding.v1.FundingService: allocations, disbursements, local plans and reports.
// Knows nothing of gRPC or SQL. Every method checks the caller's area scope: units with
// scope::AreaScope, households through the registry (called with the caller's token).

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/server/call.h"
#include "lnob/funding/v1/funding.pb.h"
#include "services/funding/domain/funding_shared.h"

namespace lnob::funding {

class FundingLogic {
 public:
  explicit FundingLogic(FundingShared* shared) : s_(*shared) {}

  using C = server::Call;
  absl::Status SetAllocation(const C& c, const v1::SetAllocationRequest& req, v1::Allocation* out);
  absl::Status ListAllocations(const C& c, const v1::ListAllocationsRequest& req, v1::ListAllocationsResponse* out);
  absl::Status GetAllocation(const C& c, const v1::GetAllocationRequest& req, v1::Allocation* out);
  absl::Status ListAllocationRevisions(const C& c, const v1::ListAllocationRevisionsRequest& req,
                                       v1::ListAllocationRevisionsResponse* out);
  absl::Status RecordDisbursement(const C& c, const v1::RecordDisbursementRequest& req, v1::Disbursement* out);
  absl::Status ListDisbursements(const C& c, const v1::ListDisbursementsRequest& req,
                                 v1::ListDisbursementsResponse* out);
  absl::Status CreatePlan(const C& c, const v1::CreatePlanRequest& req, v1::Plan* out);
  absl::Status GetPlan(const C& c, const v1::GetPlanRequest& req, v1::Plan* out);
  absl::Status ListPlans(const C& c, const v1::ListPlansRequest& req, v1::ListPlansResponse* out);
  absl::Status UpdatePlanLines(const C& c, const v1::UpdatePlanLinesRequest& req, v1::Plan* out);
  absl::Status SubmitPlan(const C& c, const v1::SubmitPlanRequest& req, v1::Plan* out);
  absl::Status ReviewPlan(const C& c, const v1::ReviewPlanRequest& req, v1::Plan* out);
  absl::Status ApprovePlan(const C& c, const v1::ApprovePlanRequest& req, v1::Plan* out);
  absl::Status ReturnPlan(const C& c, const v1::ReturnPlanRequest& req, v1::Plan* out);
  absl::Status ConsolidatePlans(const C& c, const v1::ConsolidatePlansRequest& req, v1::ConsolidatePlansResponse* out);
  absl::Status GetDisbursementReport(const C& c, const v1::GetDisbursementReportRequest& req,
                                     v1::DisbursementReport* out);
  absl::Status GetHouseholdSupport(const C& c, const v1::GetHouseholdSupportRequest& req, v1::HouseholdSupport* out);
  absl::Status GetCostPerEscapedHousehold(const C& c, const v1::GetCostPerEscapedHouseholdRequest& req,
                                          v1::CostPerEscapedHousehold* out);
  absl::Status GetProgrammeProgress(const C& c, const v1::GetProgrammeProgressRequest& req,
                                    v1::ProgrammeProgress* out);

  // Province-wide disbursement rate per source for the business gauges (year of today).
  absl::StatusOr<std::vector<v1::DisbursementReportRow>> DisbursementBySource(int year);

 private:
  // NOT_FOUND when missing or outside the caller's scope.
  absl::StatusOr<v1::Allocation> VisibleAllocation(const C& c, const std::string& name);
  // Year, scope, node subtree and source filters shared by the allocation and disbursement lists.
  template <typename Req>
  absl::StatusOr<AllocationQuery> MoneyQuery(const C& c, const Req& req);
  absl::Status ValidatePlanLines(Catalogue& cat, const google::protobuf::RepeatedPtrField<v1::PlanLine>& lines,
                                 int year, const std::string& prefix);
  template <typename Req>
  absl::Status PlanAction(const C& c, const Req& req, const std::set<std::string>& from,
                          const std::string& to, v1::Plan* out);
  absl::StatusOr<v1::Plan> VisiblePlan(const C& c, const std::string& name);

  FundingShared& s_;
};

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_DOMAIN_FUNDING_LOGIC_H_
