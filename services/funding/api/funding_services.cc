#include "services/funding/api/funding_services.h"

#include "common/server/handler.h"

namespace lnob::funding {

#define LNOB_FUNDING_RPC(Service, Method, Req, Resp)                                                    \
  grpc::Status Service::Method(grpc::ServerContext* ctx, const v1::Req* req, v1::Resp* resp) {         \
    return server::Serve(ctx, [&](const server::Call& call) { return logic_->Method(call, *req, resp); }); \
  }
#include "services/funding/api/funding_rpcs.inc"
#undef LNOB_FUNDING_RPC

grpc::Status SupportService::ImportSupportLines(grpc::ServerContext* ctx,
                                                grpc::ServerReader<v1::ImportSupportLinesRequest>* reader,
                                                v1::ImportSupportLinesResponse* resp) {
  return server::Serve(ctx, [&](const server::Call& call) {
    return logic_->ImportSupportLines(call, [&](v1::ImportSupportLinesRequest* m) { return reader->Read(m); }, resp);
  });
}

}  // namespace lnob::funding
