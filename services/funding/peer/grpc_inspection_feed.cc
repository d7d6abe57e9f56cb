#include "services/funding/peer/grpc_inspection_feed.h"

#include <string>

#include "common/api/proto_date.h"
#include "common/peer/peer.h"
#include "grpcpp/grpcpp.h"
#include "lnob/inspection/v1/inspection.grpc.pb.h"

namespace lnob::funding {
namespace {

namespace iv1 = ::lnob::inspection::v1;

class GrpcInspectionFeed final : public InspectionFeed {
 public:
  GrpcInspectionFeed(peer::PeerConfig config, auth::ServiceTokenSource* self)
      : config_(std::move(config)), self_(self),
        stub_(iv1::InspectionService::NewStub(peer::NewPeerChannel(config_.address))) {}

  absl::Status Watch(int64_t from, const std::function<bool(const InspectionChange&)>& sink,
                     const std::function<bool()>& stop) override {
    grpc::ClientContext ctx;
    // A long-lived stream: no deadline.
    if (auto st = peer::AsService(self_, absl::InfiniteDuration(), &ctx); !st.ok()) return st;
    iv1::WatchChangesRequest req;
    req.set_from_cursor(from);
    auto reader = stub_->WatchChanges(&ctx, req);
    return peer::FollowStream<iv1::ChangeEvent>(
        ctx, *reader,
        [&](const iv1::ChangeEvent& e) {
          InspectionChange c;
          c.cursor = e.cursor();
          c.kind = e.kind();
          c.resource = e.resource();
          if (!e.support_line().empty()) c.line_id = e.support_line().substr(e.support_line().rfind('/') + 1);
          c.source = e.source();
          c.node_code = e.node_code();
          c.unit_code = e.commune_code();
          if (api::IsSet(e.date())) c.day = api::ProtoDateText(e.date());
          c.amount_vnd = e.amount_vnd();
          auto when = api::FromProtoTimestamp(e.event_time(), "event_time");
          c.event_time = when.ok() && e.has_event_time() ? *when : absl::Now();
          return sink(c);
        },
        stop, "inspection");
  }

 private:
  peer::PeerConfig config_;
  auth::ServiceTokenSource* self_;
  std::unique_ptr<iv1::InspectionService::Stub> stub_;
};

}  // namespace

std::unique_ptr<InspectionFeed> NewGrpcInspectionFeed(peer::PeerConfig config, auth::ServiceTokenSource* self) {
  return std::make_unique<GrpcInspectionFeed>(std::move(config), self);
}

}  // namespace lnob::funding
