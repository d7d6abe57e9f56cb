#include "services/inspection/peer/grpc_owners.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/api/proto_json.h"
#include "common/peer/household_facts.h"
#include "common/peer/peer.h"
#include "common/status/status.h"
#include "grpcpp/grpcpp.h"
#include "lnob/campaigns/v1/campaigns.grpc.pb.h"
#include "lnob/funding/v1/funding.grpc.pb.h"
#include "lnob/registry/v1/households.grpc.pb.h"

namespace lnob::inspection {
namespace {

namespace fv1 = ::lnob::funding::v1;
namespace rv1 = ::lnob::registry::v1;
namespace cv1 = ::lnob::campaigns::v1;

constexpr size_t kBatch = 1000;  // the owners' batch limit

void SetDay(OwnerRecord* r, const google::type::Date& d) {
  if (!api::IsSet(d)) return;
  r->date = api::ProtoDay(d);
  r->dated = true;
}

class GrpcOwners final : public Owners {
 public:
  explicit GrpcOwners(OwnerPeers peers) : peers_(std::move(peers)), facts_(peers_.registry) {
    auto funding = peer::NewPeerChannel(peers_.funding.address);
    support_ = fv1::SupportService::NewStub(funding);
    ledger_ = fv1::FundingService::NewStub(funding);
    households_ = rv1::HouseholdService::NewStub(peer::NewPeerChannel(peers_.registry.address));
    campaigns_ = cv1::CampaignsService::NewStub(peer::NewPeerChannel(peers_.campaigns.address));
  }

  absl::StatusOr<std::vector<OwnerRecord>> Fetch(const server::Call& call, const std::string& kind,
                                                 const std::vector<std::string>& resources,
                                                 absl::CivilDay as_of) override {
    if (kind == kSupportLine) return SupportLines(call, resources);
    if (kind == kHousehold) return Households(call, resources, as_of);
    if (kind == kFundingPlan) {
      return OneByOne<fv1::GetPlanRequest, fv1::Plan>(
          call, resources, peers_.funding, "funding",
          [this](grpc::ClientContext* ctx, const fv1::GetPlanRequest& req, fv1::Plan* out) {
            return ledger_->GetPlan(ctx, req, out);
          },
          [](const fv1::Plan& p, OwnerRecord* r) {
            r->commune_code = p.unit_code();
            r->date = absl::CivilDay(p.year(), 12, 31);
            r->dated = true;
          });
    }
    if (kind == kAllocation) {
      return OneByOne<fv1::GetAllocationRequest, fv1::Allocation>(
          call, resources, peers_.funding, "funding",
          [this](grpc::ClientContext* ctx, const fv1::GetAllocationRequest& req, fv1::Allocation* out) {
            return ledger_->GetAllocation(ctx, req, out);
          },
          [](const fv1::Allocation& a, OwnerRecord* r) {
            r->commune_code = a.unit_code();
            r->date = absl::CivilDay(a.year(), 12, 31);
            r->dated = true;
          });
    }
    if (kind == kReview) return Reviews(call, resources, as_of);
    if (kind == kActivity) {
      return OneByOne<cv1::GetActivityRequest, cv1::Activity>(
          call, resources, peers_.campaigns, "campaigns",
          [this](grpc::ClientContext* ctx, const cv1::GetActivityRequest& req, cv1::Activity* out) {
            return campaigns_->GetActivity(ctx, req, out);
          },
          [](const cv1::Activity& a, OwnerRecord* r) {
            r->commune_code = a.commune_code();
            SetDay(r, a.start_date());
          });
    }
    if (kind == kSupportEvent) {
      return OneByOne<cv1::GetSupportEventRequest, cv1::SupportEvent>(
          call, resources, peers_.campaigns, "campaigns",
          [this](grpc::ClientContext* ctx, const cv1::GetSupportEventRequest& req, cv1::SupportEvent* out) {
            return campaigns_->GetSupportEvent(ctx, req, out);
          },
          [](const cv1::SupportEvent& e, OwnerRecord* r) {
            r->commune_code = e.commune_code();
            SetDay(r, e.event_date());
            r->amount_vnd = e.amount_vnd();
            if (e.amount_vnd() > 0) r->shares.push_back({e.node_code(), e.source(), e.amount_vnd()});
          });
    }
    return absl::InvalidArgumentError(absl::StrCat("no owner for references of kind ", kind));
  }

 private:
  absl::StatusOr<std::vector<OwnerRecord>> SupportLines(const server::Call& call,
                                                        const std::vector<std::string>& names) {
    std::vector<OwnerRecord> out;
    out.reserve(names.size());
    for (size_t at = 0; at < names.size(); at += kBatch) {
      fv1::BatchGetSupportLinesRequest req;
      for (size_t i = at; i < std::min(names.size(), at + kBatch); ++i) req.add_names(names[i]);
      fv1::BatchGetSupportLinesResponse resp;
      grpc::ClientContext ctx;
      peer::AsCaller(call, peers_.funding.timeout, &ctx);
      grpc::Status s = support_->BatchGetSupportLines(&ctx, req, &resp);
      if (!s.ok()) return peer::PeerStatus(s, "funding");
      if (resp.results_size() != req.names_size()) return absl::InternalError("funding returned a short batch");
      for (const auto& res : resp.results()) {
        OwnerRecord r;
        r.found = res.found();
        if (r.found) {
          const auto& l = res.line();
          r.commune_code = l.commune_code();
          SetDay(&r, l.date());
          r.amount_vnd = l.amount_vnd();
          for (const auto& sh : l.shares()) r.shares.push_back({sh.node_code(), sh.source(), sh.amount_vnd()});
          r.facts_json = api::ProtoJson(l);
        }
        out.push_back(std::move(r));
      }
    }
    return out;
  }

  absl::StatusOr<std::vector<OwnerRecord>> Households(const server::Call& call, const std::vector<std::string>& names,
                                                      absl::CivilDay as_of) {
    LNOB_ASSIGN_OR_RETURN(auto got, facts_.Fetch(call, names, as_of));
    std::vector<OwnerRecord> out;
    out.reserve(got.facts.size());
    for (const auto& f : got.facts) {
      OwnerRecord r;
      r.found = f.found();
      if (r.found) {
        r.commune_code = f.commune_code();
        r.date = as_of;
        r.dated = true;
        r.facts_json = api::ProtoJson(f);
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  // A review's commune is its household's on the finding's date.
  absl::StatusOr<std::vector<OwnerRecord>> Reviews(const server::Call& call, const std::vector<std::string>& names,
                                                   absl::CivilDay as_of) {
    LNOB_ASSIGN_OR_RETURN(
        auto out, (OneByOne<rv1::GetReviewRequest, rv1::Review>(
                      call, names, peers_.registry, "registry",
                      [this](grpc::ClientContext* ctx, const rv1::GetReviewRequest& req, rv1::Review* out) {
                        return households_->GetReview(ctx, req, out);
                      },
                      [](const rv1::Review& rv, OwnerRecord* r) { SetDay(r, rv.review_date()); })));
    std::vector<std::string> households;
    for (const auto& n : names) households.push_back(n.substr(0, n.find("/reviews/")));
    LNOB_ASSIGN_OR_RETURN(auto facts, Households(call, households, as_of));
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].found) out[i].commune_code = facts[i].commune_code;
    }
    return out;
  }

  // Owners without a batch read: one call per record (findings cite few of these).
  template <typename Req, typename Msg, typename Call, typename Fill>
  absl::StatusOr<std::vector<OwnerRecord>> OneByOne(const server::Call& call, const std::vector<std::string>& names,
                                                    const peer::PeerConfig& config, const char* owner, Call&& rpc,
                                                    Fill&& fill) {
    std::vector<OwnerRecord> out;
    out.reserve(names.size());
    for (const auto& name : names) {
      Req req;
      req.set_name(name);
      Msg msg;
      grpc::ClientContext ctx;
      peer::AsCaller(call, config.timeout, &ctx);
      grpc::Status s = rpc(&ctx, req, &msg);
      OwnerRecord r;
      if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
        out.push_back(std::move(r));
        continue;
      }
      if (!s.ok()) return peer::PeerStatus(s, owner);
      r.found = true;
      fill(msg, &r);
      r.facts_json = api::ProtoJson(msg);
      out.push_back(std::move(r));
    }
    return out;
  }

  OwnerPeers peers_;
  peer::HouseholdFactsClient facts_;
  std::unique_ptr<fv1::SupportService::Stub> support_;
  std::unique_ptr<fv1::FundingService::Stub> ledger_;
  std::unique_ptr<rv1::HouseholdService::Stub> households_;
  std::unique_ptr<cv1::CampaignsService::Stub> campaigns_;
};

}  // namespace

std::unique_ptr<Owners> NewGrpcOwners(OwnerPeers peers) { return std::make_unique<GrpcOwners>(std::move(peers)); }

}  // namespace lnob::inspection
