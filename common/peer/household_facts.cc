#include "common/peer/household_facts.h"

#include <algorithm>

#include "common/api/proto_date.h"
#include "common/peer/peer.h"
#include "lnob/registry/v1/households.grpc.pb.h"

namespace lnob::peer {

namespace rv1 = ::lnob::registry::v1;

struct HouseholdFactsClient::Stub {
  std::unique_ptr<rv1::HouseholdService::Stub> stub;
};

HouseholdFactsClient::HouseholdFactsClient(PeerConfig config)
    : config_(std::move(config)),
      stub_(new Stub{rv1::HouseholdService::NewStub(NewPeerChannel(config_.address))}) {}

HouseholdFactsClient::~HouseholdFactsClient() = default;

absl::StatusOr<HouseholdFactsClient::Facts> HouseholdFactsClient::Fetch(const server::Call& call,
                                                                        const std::vector<std::string>& names,
                                                                        absl::CivilDay on) {
  constexpr size_t kBatch = 1000;  // the registry's limit
  Facts out;
  out.facts.reserve(names.size());
  for (size_t at = 0; at < names.size(); at += kBatch) {
    rv1::BatchGetHouseholdFactsRequest req;
    for (size_t i = at; i < std::min(names.size(), at + kBatch); ++i) {
      auto* q = req.add_queries();
      q->set_household(names[i]);
      *q->mutable_date() = api::ToProtoDate(on);
    }
    rv1::BatchGetHouseholdFactsResponse resp;
    grpc::ClientContext ctx;
    AsCaller(call, config_.timeout, &ctx);
    grpc::Status s = stub_->stub->BatchGetHouseholdFacts(&ctx, req, &resp);
    if (!s.ok()) return PeerStatus(s, "registry");
    if (resp.facts_size() != req.queries_size()) return absl::InternalError("registry returned a short batch");
    // The answer is as new as its oldest batch: keep the first cursor.
    if (at == 0) out.cursor = resp.cursor();
    for (auto& f : *resp.mutable_facts()) out.facts.push_back(std::move(f));
  }
  return out;
}

}  // namespace lnob::peer
