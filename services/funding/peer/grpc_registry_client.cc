#include "services/funding/peer/grpc_registry_client.h"

#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/server/downstream.h"
#include "common/peer/peer.h"
#include "grpcpp/grpcpp.h"
#include "lnob/registry/v1/households.grpc.pb.h"

namespace lnob::funding {
namespace {

namespace rv1 = ::lnob::registry::v1;

absl::Status PeerStatus(const grpc::Status& s) { return peer::PeerStatus(s, "registry"); }

class GrpcRegistryClient : public RegistryClient {
 public:
  GrpcRegistryClient(peer::PeerConfig config, auth::ServiceTokenSource* self)
      : config_(std::move(config)), self_(self) {
    households_ = rv1::HouseholdService::NewStub(peer::NewPeerChannel(config_.address));
  }

  absl::StatusOr<std::vector<HouseholdFact>> Facts(
      const server::Call& call, const std::vector<std::pair<std::string, absl::CivilDay>>& queries) override {
    rv1::BatchGetHouseholdFactsRequest req;
    for (const auto& [id, day] : queries) {
      auto* q = req.add_queries();
      q->set_household("households/" + id);
      *q->mutable_date() = api::ToProtoDate(day);
    }
    rv1::BatchGetHouseholdFactsResponse resp;
    grpc::ClientContext ctx;
    AsCaller(call, &ctx);
    grpc::Status s = households_->BatchGetHouseholdFacts(&ctx, req, &resp);
    if (!s.ok()) return PeerStatus(s);
    if (resp.facts_size() != req.queries_size()) return absl::InternalError("registry returned a short fact list");
    std::vector<HouseholdFact> out;
    out.reserve(resp.facts_size());
    for (const auto& f : resp.facts()) {
      HouseholdFact h;
      h.found = f.found();
      h.commune_code = f.commune_code();
      h.ethnic_minority = f.ethnic_minority();
      h.classification = rv1::HouseholdClass_Name(f.classification());
      h.transition = f.transition() == rv1::TRANSITION_CATEGORY_UNSPECIFIED ? "" : rv1::TransitionCategory_Name(f.transition());
      h.escaped = f.escaped();
      for (int r : f.region_classes()) h.region_classes.push_back(rv1::RegionClass_Name(static_cast<rv1::RegionClass>(r)));
      out.push_back(std::move(h));
    }
    return out;
  }

  absl::StatusOr<std::vector<std::string>> TransitionHouseholds(const server::Call& call, int year,
                                                                const std::string& unit_code,
                                                                const std::string& group) override {
    std::vector<std::string> out;
    std::string token;
    do {
      rv1::ListTransitionsRequest req;
      req.set_year(year);
      req.set_unit_code(unit_code);
      req.set_group(group);
      req.set_page_size(1000);
      req.set_page_token(token);
      rv1::ListTransitionsResponse resp;
      grpc::ClientContext ctx;
      AsCaller(call, &ctx);
      grpc::Status s = households_->ListTransitions(&ctx, req, &resp);
      if (!s.ok()) return PeerStatus(s);
      for (const auto& h : resp.households()) out.push_back(h.substr(h.rfind('/') + 1));
      token = resp.next_page_token();
    } while (!token.empty());
    return out;
  }

  absl::Status Watch(int64_t from, const std::function<bool(const RegistryChange&)>& sink,
                     const std::function<bool()>& stop) override {
    grpc::ClientContext ctx;
    if (auto st = AsSelf(&ctx); !st.ok()) return st;
    rv1::WatchChangesRequest req;
    req.set_from_cursor(from);
    auto reader = households_->WatchChanges(&ctx, req);
    return peer::FollowStream<rv1::ChangeEvent>(
        ctx, *reader,
        [&](const rv1::ChangeEvent& e) {
          RegistryChange c;
          c.cursor = e.cursor();
          c.household_id = e.household().substr(e.household().rfind('/') + 1);
          c.kind = e.kind();
          c.classification = rv1::HouseholdClass_Name(e.classification());
          c.previous_classification = rv1::HouseholdClass_Name(e.previous_classification());
          if (!e.related_household().empty()) {
            c.related_household_id = e.related_household().substr(e.related_household().rfind('/') + 1);
          }
          auto when = api::FromProtoTimestamp(e.event_time(), "event_time");
          c.event_time = when.ok() && e.has_event_time() ? *when : absl::Now();
          return sink(c);
        },
        stop, "registry");
  }

 private:
  void AsCaller(const server::Call& call, grpc::ClientContext* ctx) { peer::AsCaller(call, config_.timeout, ctx); }
  // The change feed is a long-lived stream: no deadline.
  absl::Status AsSelf(grpc::ClientContext* ctx) { return peer::AsService(self_, absl::InfiniteDuration(), ctx); }

  peer::PeerConfig config_;
  auth::ServiceTokenSource* self_;
  std::unique_ptr<rv1::HouseholdService::Stub> households_;
};

}  // namespace

std::unique_ptr<RegistryClient> NewGrpcRegistryClient(peer::PeerConfig config, auth::ServiceTokenSource* self) {
  return std::make_unique<GrpcRegistryClient>(std::move(config), self);
}

}  // namespace lnob::funding
