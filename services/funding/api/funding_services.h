#ifndef LNOB_SERVICES_FUNDING_API_FUNDING_SERVICES_H_
#define LNOB_SERVICES_FUNDING_API_FUNDING_SERVICES_H_

// Thin gRPC adapters of FundingLogic, one per proto service.

#include "lnob/funding/v1/funding.grpc.pb.h"
#include "services/funding/domain/funding_logic.h"

namespace lnob::funding {

#define LNOB_FUNDING_CLASS(Name)                              \
  class Name final : public v1::Name::Service {               \
   public:                                                    \
    explicit Name(FundingLogic* logic) : logic_(logic) {}     \
    LNOB_FUNDING_METHODS_##Name                               \
   private:                                                   \
    FundingLogic* logic_;                                     \
  };

#define LNOB_DECLARE(Method, Req, Resp) \
  grpc::Status Method(grpc::ServerContext* ctx, const v1::Req* req, v1::Resp* resp) override;

#define LNOB_FUNDING_METHODS_CatalogueService                                                        \
  LNOB_DECLARE(ListProgrammeNodes, ListProgrammeNodesRequest, ListProgrammeNodesResponse)            \
  LNOB_DECLARE(GetProgrammeNode, GetProgrammeNodeRequest, ProgrammeNode)                             \
  LNOB_DECLARE(CreateProgrammeNode, CreateProgrammeNodeRequest, ProgrammeNode)                       \
  LNOB_DECLARE(ReparentProgrammeNode, ReparentProgrammeNodeRequest, ProgrammeNode)                   \
  LNOB_DECLARE(ListFundingSources, ListFundingSourcesRequest, ListFundingSourcesResponse)
#define LNOB_FUNDING_METHODS_FundingService                                                          \
  LNOB_DECLARE(SetAllocation, SetAllocationRequest, Allocation)                                      \
  LNOB_DECLARE(ListAllocations, ListAllocationsRequest, ListAllocationsResponse)                     \
  LNOB_DECLARE(ListAllocationRevisions, ListAllocationRevisionsRequest, ListAllocationRevisionsResponse) \
  LNOB_DECLARE(RecordDisbursement, RecordDisbursementRequest, Disbursement)                          \
  LNOB_DECLARE(ListDisbursements, ListDisbursementsRequest, ListDisbursementsResponse)               \
  LNOB_DECLARE(CreatePlan, CreatePlanRequest, Plan)                                                  \
  LNOB_DECLARE(GetPlan, GetPlanRequest, Plan)                                                        \
  LNOB_DECLARE(ListPlans, ListPlansRequest, ListPlansResponse)                                       \
  LNOB_DECLARE(UpdatePlanLines, UpdatePlanLinesRequest, Plan)                                        \
  LNOB_DECLARE(SubmitPlan, PlanActionRequest, Plan)                                                  \
  LNOB_DECLARE(ReviewPlan, PlanActionRequest, Plan)                                                  \
  LNOB_DECLARE(ApprovePlan, PlanActionRequest, Plan)                                                 \
  LNOB_DECLARE(ReturnPlan, PlanActionRequest, Plan)                                                  \
  LNOB_DECLARE(ConsolidatePlans, ConsolidatePlansRequest, ConsolidatePlansResponse)                  \
  LNOB_DECLARE(GetDisbursementReport, GetDisbursementReportRequest, DisbursementReport)              \
  LNOB_DECLARE(GetHouseholdSupport, GetHouseholdSupportRequest, HouseholdSupport)                    \
  LNOB_DECLARE(GetCostPerEscapedHousehold, GetCostPerEscapedHouseholdRequest, CostPerEscapedHousehold) \
  LNOB_DECLARE(GetProgrammeProgress, GetProgrammeProgressRequest, ProgrammeProgress)
#define LNOB_FUNDING_METHODS_SupportService                                                          \
  LNOB_DECLARE(CreateSupportLine, CreateSupportLineRequest, SupportLine)                             \
  LNOB_DECLARE(GetSupportLine, GetSupportLineRequest, SupportLine)                                   \
  LNOB_DECLARE(ListSupportLines, ListSupportLinesRequest, ListSupportLinesResponse)                  \
  LNOB_DECLARE(DeliverSupportLine, SupportLineActionRequest, SupportLine)                            \
  LNOB_DECLARE(CancelSupportLine, SupportLineActionRequest, SupportLine)                             \
  LNOB_DECLARE(ClearReviewFlag, SupportLineActionRequest, SupportLine)                               \
  grpc::Status ImportSupportLines(grpc::ServerContext* ctx,                                          \
                                  grpc::ServerReader<v1::ImportSupportLinesRequest>* reader,         \
                                  v1::ImportSupportLinesResponse* resp) override;

LNOB_FUNDING_CLASS(CatalogueService)
LNOB_FUNDING_CLASS(FundingService)
LNOB_FUNDING_CLASS(SupportService)

#undef LNOB_FUNDING_CLASS
#undef LNOB_DECLARE

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_API_FUNDING_SERVICES_H_
