#include "common/server/downstream.h"

#include "absl/time/time.h"

namespace lnob::server {

void PrepareDownstream(const Call& call, const std::string& authorization,
                       grpc::ClientContext* ctx) {
  ctx->AddMetadata("traceparent", call.trace.ChildTraceparent());
  if (!call.request_id.empty()) ctx->AddMetadata("x-request-id", call.request_id);
  if (!authorization.empty()) ctx->AddMetadata("authorization", authorization);
  if (call.deadline != absl::InfiniteFuture()) ctx->set_deadline(absl::ToChronoTime(call.deadline));
}

}  // namespace lnob::server
