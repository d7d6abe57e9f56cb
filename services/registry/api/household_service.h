#ifndef LNOB_SERVICES_REGISTRY_API_HOUSEHOLD_SERVICE_H_
#define LNOB_SERVICES_REGISTRY_API_HOUSEHOLD_SERVICE_H_

// Thin gRPC adapter of HouseholdLogic; streaming methods adapt readers/writers to callbacks.

#include "lnob/registry/v1/households.grpc.pb.h"
#include "services/registry/domain/household_logic.h"

namespace lnob::registry {

class HouseholdService final : public v1::HouseholdService::Service {
 public:
  explicit HouseholdService(HouseholdLogic* logic) : logic_(logic) {}

#define LNOB_HOUSEHOLD_RPC(Method, Req, Resp) \
  grpc::Status Method(grpc::ServerContext* ctx, const v1::Req* req, v1::Resp* resp) override;
#include "services/registry/api/household_rpcs.inc"
#undef LNOB_HOUSEHOLD_RPC

  grpc::Status ImportHouseholds(grpc::ServerContext* ctx,
                                grpc::ServerReader<v1::ImportHouseholdsRequest>* reader,
                                v1::ImportHouseholdsResponse* resp) override;
  grpc::Status ExportHouseholds(grpc::ServerContext* ctx, const v1::ExportHouseholdsRequest* req,
                                grpc::ServerWriter<v1::HouseholdRecord>* writer) override;
  grpc::Status WatchChanges(grpc::ServerContext* ctx, const v1::WatchChangesRequest* req,
                            grpc::ServerWriter<v1::ChangeEvent>* writer) override;

 private:
  HouseholdLogic* logic_;
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_API_HOUSEHOLD_SERVICE_H_
