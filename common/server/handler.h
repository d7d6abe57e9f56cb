#ifndef LNOB_COMMON_SERVER_HANDLER_H_
#define LNOB_COMMON_SERVER_HANDLER_H_

// Glue for gRPC adapters: every handler is one Serve() call. Identity and permission were
// decided by the interceptor from the proto's method policy; Serve refuses the call when
// they failed, binds the log ids, and maps the returned absl::Status to grpc::Status.

#include <memory>

#include "common/server/call.h"
#include "common/status/grpc_status.h"
#include "grpcpp/server_context.h"

namespace lnob::server {

// The Call the interceptor attached to this context (nullptr when none was: fail closed).
std::shared_ptr<const Call> CallFor(const grpc::ServerContextBase* ctx);

grpc::Status ServeImpl(grpc::ServerContextBase* ctx,
                       const std::function<absl::Status(const Call&)>& fn);

template <typename Fn>
grpc::Status Serve(grpc::ServerContextBase* ctx, Fn&& fn) {
  return ServeImpl(ctx, std::function<absl::Status(const Call&)>(std::forward<Fn>(fn)));
}

}  // namespace lnob::server

#endif  // LNOB_COMMON_SERVER_HANDLER_H_
