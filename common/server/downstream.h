#ifndef LNOB_COMMON_SERVER_DOWNSTREAM_H_
#define LNOB_COMMON_SERVER_DOWNSTREAM_H_

// Carries a call's identity and context to the services it calls: the same trace (this
// span as parent), the request id, the caller's bearer token, and the remaining deadline.

#include <string>

#include "common/server/call.h"
#include "grpcpp/client_context.h"

namespace lnob::server {

// authorization: the header value to forward ("Bearer ..."), or empty.
void PrepareDownstream(const Call& call, const std::string& authorization,
                       grpc::ClientContext* ctx);

}  // namespace lnob::server

#endif  // LNOB_COMMON_SERVER_DOWNSTREAM_H_
