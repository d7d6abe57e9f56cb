#ifndef LNOB_COMMON_PEER_PEER_H_
#define LNOB_COMMON_PEER_PEER_H_

// What every client of another lnob service shares: where it is, how long a call may take,
// the channel, the service's own identity on a call, and one rule for a peer that cannot
// answer. Included only by peer implementations (services/*/peer, common/peer).

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/service_token.h"
#include "common/peer/peer_config.h"
#include "common/server/call.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace lnob::peer {

std::shared_ptr<grpc::Channel> NewPeerChannel(const std::string& address);

// A peer that cannot be reached or does not answer in time is UNAVAILABLE, whatever gRPC said,
// so callers report it (and write nothing) the same way; other errors keep their code.
absl::Status PeerStatus(const grpc::Status& status, absl::string_view peer);

// Calls made on the service's own behalf: its token and the configured timeout.
absl::Status AsService(auth::ServiceTokenSource* self, absl::Duration timeout, grpc::ClientContext* ctx);

// Calls made for a caller: its token (so the peer applies the caller's own area scope), its
// trace and request id, and the caller's remaining deadline capped at `timeout`.
void AsCaller(const server::Call& call, absl::Duration timeout, grpc::ClientContext* ctx);

}  // namespace lnob::peer

#endif  // LNOB_COMMON_PEER_PEER_H_
