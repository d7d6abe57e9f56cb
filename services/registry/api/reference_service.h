#ifndef LNOB_SERVICES_REGISTRY_API_REFERENCE_SERVICE_H_
#define LNOB_SERVICES_REGISTRY_API_REFERENCE_SERVICE_H_

// Thin gRPC adapter: each method is one Serve() call into ReferenceLogic.

#include "lnob/registry/v1/reference_data.grpc.pb.h"
#include "services/registry/domain/reference_logic.h"

namespace lnob::registry {

class ReferenceDataService final : public v1::ReferenceDataService::Service {
 public:
  explicit ReferenceDataService(ReferenceLogic* logic) : logic_(logic) {}

#define LNOB_REGISTRY_RPC(Method, Req, Resp) \
  grpc::Status Method(grpc::ServerContext* ctx, const v1::Req* req, v1::Resp* resp) override;
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

 private:
  ReferenceLogic* logic_;
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_API_REFERENCE_SERVICE_H_
