#include "services/registry/api/household_service.h"

#include "common/server/handler.h"

namespace lnob::registry {

#define LNOB_HOUSEHOLD_RPC(Method, Req, Resp)                                                  \
  grpc::Status HouseholdService::Method(grpc::ServerContext* ctx, const v1::Req* req,          \
                                        v1::Resp* resp) {                                      \
    return server::Serve(ctx, [&](const server::Call& call) { return logic_->Method(call, *req, resp); }); \
  }
#include "services/registry/api/household_rpcs.inc"
#undef LNOB_HOUSEHOLD_RPC

grpc::Status HouseholdService::ImportHouseholds(grpc::ServerContext* ctx,
                                                grpc::ServerReader<v1::ImportHouseholdsRequest>* reader,
                                                v1::ImportHouseholdsResponse* resp) {
  return server::Serve(ctx, [&](const server::Call& call) {
    return logic_->ImportHouseholds(call, [&](v1::ImportHouseholdsRequest* m) { return reader->Read(m); }, resp);
  });
}

grpc::Status HouseholdService::ExportHouseholds(grpc::ServerContext* ctx, const v1::ExportHouseholdsRequest* req,
                                                grpc::ServerWriter<v1::HouseholdRecord>* writer) {
  return server::Serve(ctx, [&](const server::Call& call) {
    return logic_->ExportHouseholds(call, *req, [&](const v1::HouseholdRecord& r) {
      return !ctx->IsCancelled() && writer->Write(r);
    });
  });
}

grpc::Status HouseholdService::WatchChanges(grpc::ServerContext* ctx, const v1::WatchChangesRequest* req,
                                            grpc::ServerWriter<v1::ChangeEvent>* writer) {
  return server::Serve(ctx, [&](const server::Call& call) {
    return logic_->WatchChanges(
        call, *req, [&](const v1::ChangeEvent& e) { return writer->Write(e); },
        [&] {
          return ctx->IsCancelled() ||
                 std::chrono::system_clock::now() >= ctx->deadline();
        });
  });
}

}  // namespace lnob::registry
