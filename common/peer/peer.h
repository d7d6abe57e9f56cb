#ifndef LNOB_COMMON_PEER_PEER_H_
#define LNOB_COMMON_PEER_PEER_H_

// What every client of another lnob service shares: where it is, how long a call may take,
// the channel, the service's own identity on a call, and one rule for a peer that cannot
// answer. Included only by peer implementations (services/*/peer, common/peer).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/service_token.h"
#include "common/peer/peer_config.h"
#include "common/server/call.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "grpcpp/support/sync_stream.h"

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

// Reads a peer's long-lived stream (a change feed): hands each message to `on` until it returns
// false or stop() turns true (both cancel the call and return OK), or the stream breaks (its
// error; a feed that ends is UNAVAILABLE, naming the peer).
template <typename Msg>
absl::Status FollowStream(grpc::ClientContext& ctx, grpc::ClientReaderInterface<Msg>& reader,
                          const std::function<bool(const Msg&)>& on, const std::function<bool()>& stop,
                          absl::string_view peer) {
  // Read() blocks; a watcher cancels the call when asked to stop.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread watcher([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!done) {
      if (stop()) {
        ctx.TryCancel();
        return;
      }
      cv.wait_for(lock, std::chrono::milliseconds(100));
    }
  });
  Msg m;
  bool sink_stopped = false;
  while (reader.Read(&m)) {
    if (!on(m)) {
      sink_stopped = true;
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status s = reader.Finish();
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  watcher.join();
  if (sink_stopped || stop()) return absl::OkStatus();
  if (s.ok()) return absl::UnavailableError(absl::StrCat(peer, " closed the change feed"));
  return PeerStatus(s, peer);
}

}  // namespace lnob::peer

#endif  // LNOB_COMMON_PEER_PEER_H_
