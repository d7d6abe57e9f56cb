#include "services/campaigns/peer/grpc_funding_catalogue.h"

#include <optional>

#include "absl/synchronization/mutex.h"
#include "common/peer/peer.h"
#include "common/status/status.h"
#include "grpcpp/grpcpp.h"
#include "lnob/funding/v1/funding.grpc.pb.h"

namespace lnob::campaigns {
namespace {

namespace fv1 = ::lnob::funding::v1;

class GrpcFundingCatalogue final : public FundingCatalogue {
 public:
  GrpcFundingCatalogue(peer::PeerConfig config, auth::ServiceTokenSource* self, const Clock& clock,
                       absl::Duration ttl)
      : config_(std::move(config)), self_(self), clock_(clock), ttl_(ttl) {
    stub_ = fv1::CatalogueService::NewStub(peer::NewPeerChannel(config_.address));
  }

  absl::StatusOr<CatalogueCodes> Codes() override {
    {
      absl::MutexLock lock(&mu_);
      if (cached_ && clock_.Now() < fetched_ + ttl_) return *cached_;
    }
    CatalogueCodes out;
    // The nodes in force today (as_of unset), under any parent.
    std::string token;
    do {
      fv1::ListProgrammeNodesRequest req;
      req.set_page_size(1000);
      req.set_page_token(token);
      fv1::ListProgrammeNodesResponse resp;
      grpc::ClientContext ctx;
      LNOB_RETURN_IF_ERROR(peer::AsService(self_, config_.timeout, &ctx));
      if (grpc::Status s = stub_->ListProgrammeNodes(&ctx, req, &resp); !s.ok()) return peer::PeerStatus(s, "funding");
      for (const auto& n : resp.nodes()) out.nodes.insert(n.code());
      token = resp.next_page_token();
    } while (!token.empty());
    fv1::ListFundingSourcesRequest req;
    req.set_page_size(1000);
    fv1::ListFundingSourcesResponse resp;
    grpc::ClientContext ctx;
    LNOB_RETURN_IF_ERROR(peer::AsService(self_, config_.timeout, &ctx));
    if (grpc::Status s = stub_->ListFundingSources(&ctx, req, &resp); !s.ok()) return peer::PeerStatus(s, "funding");
    for (const auto& src : resp.sources()) out.sources.insert(src.code());
    absl::MutexLock lock(&mu_);
    cached_ = out;
    fetched_ = clock_.Now();
    return out;
  }

 private:
  peer::PeerConfig config_;
  auth::ServiceTokenSource* self_;
  const Clock& clock_;
  const absl::Duration ttl_;
  std::unique_ptr<fv1::CatalogueService::Stub> stub_;
  absl::Mutex mu_;
  std::optional<CatalogueCodes> cached_ ABSL_GUARDED_BY(mu_);
  absl::Time fetched_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<FundingCatalogue> NewGrpcFundingCatalogue(peer::PeerConfig config, auth::ServiceTokenSource* self,
                                                          const Clock& clock, absl::Duration ttl) {
  return std::make_unique<GrpcFundingCatalogue>(std::move(config), self, clock, ttl);
}

}  // namespace lnob::campaigns
