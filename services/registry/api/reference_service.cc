#include "services/registry/api/reference_service.h"

#include "common/server/handler.h"

namespace lnob::registry {

#define LNOB_REGISTRY_RPC(Method, Req, Resp)                                            \
  grpc::Status ReferenceDataService::Method(grpc::ServerContext* ctx, const v1::Req* req, \
                                            v1::Resp* resp) {                           \
    return server::Serve(ctx, [&](const server::Call& call) {                           \
      return logic_->Method(call.principal, *req, resp);                                \
    });                                                                                 \
  }
LNOB_REGISTRY_RPC(GetAdminUnit, GetAdminUnitRequest, AdminUnit)
LNOB_REGISTRY_RPC(ListAdminUnits, ListAdminUnitsRequest, ListAdminUnitsResponse)
LNOB_REGISTRY_RPC(TraceAdminUnit, TraceAdminUnitRequest, TraceAdminUnitResponse)
LNOB_REGISTRY_RPC(CheckContainment, CheckContainmentRequest, CheckContainmentResponse)
LNOB_REGISTRY_RPC(ListLineageEvents, ListLineageEventsRequest, ListLineageEventsResponse)
LNOB_REGISTRY_RPC(ListAreaClassifications, ListAreaClassificationsRequest, ListAreaClassificationsResponse)
LNOB_REGISTRY_RPC(GetAreaClassification, GetAreaClassificationRequest, AreaClassification)
LNOB_REGISTRY_RPC(CreateAreaClassification, CreateAreaClassificationRequest, AreaClassification)
LNOB_REGISTRY_RPC(UpdateAreaClassification, UpdateAreaClassificationRequest, AreaClassification)
LNOB_REGISTRY_RPC(ListPovertyStandards, ListPovertyStandardsRequest, ListPovertyStandardsResponse)
LNOB_REGISTRY_RPC(GetPovertyStandard, GetPovertyStandardRequest, PovertyStandard)
LNOB_REGISTRY_RPC(ClassifyProfile, ClassifyProfileRequest, ClassifyProfileResponse)
LNOB_REGISTRY_RPC(ListEthnicGroups, ListEthnicGroupsRequest, ListEthnicGroupsResponse)
LNOB_REGISTRY_RPC(ListReferenceDataChanges, ListReferenceDataChangesRequest, ListReferenceDataChangesResponse)
#undef LNOB_REGISTRY_RPC

}  // namespace lnob::registry
