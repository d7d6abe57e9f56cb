#ifndef LNOB_COMMON_STATUS_GRPC_STATUS_H_
#define LNOB_COMMON_STATUS_GRPC_STATUS_H_

// absl::Status <-> grpc::Status, with google.rpc.Status details in grpc-status-details-bin.
// Included only by gRPC adapters and the server runner.

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace lnob {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace lnob

#endif  // LNOB_COMMON_STATUS_GRPC_STATUS_H_
