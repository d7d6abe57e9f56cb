#include "common/peer/peer.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/server/downstream.h"
#include "common/status/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace lnob::peer {

std::shared_ptr<grpc::Channel> NewPeerChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

absl::Status PeerStatus(const grpc::Status& status, absl::string_view peer) {
  if (status.ok()) return absl::OkStatus();
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
      status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return absl::UnavailableError(absl::StrCat(peer, " unavailable: ", status.error_message()));
  }
  return FromGrpcStatus(status);
}

absl::Status AsService(auth::ServiceTokenSource* self, absl::Duration timeout, grpc::ClientContext* ctx) {
  auto auth = self->Authorization();
  if (!auth.ok()) return auth.status();
  ctx->AddMetadata("authorization", *auth);
  if (timeout < absl::InfiniteDuration()) {
    ctx->set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
  }
  return absl::OkStatus();
}

void AsCaller(const server::Call& call, absl::Duration timeout, grpc::ClientContext* ctx) {
  server::PrepareDownstream(call, call.authorization, ctx);
  const auto cap = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout);
  if (call.deadline == absl::InfiniteFuture() || absl::ToChronoTime(call.deadline) > cap) ctx->set_deadline(cap);
}

}  // namespace lnob::peer
