#include "services/campaigns/peer/grpc_registry_places.h"

#include <set>

#include "common/api/proto_date.h"
#include "common/peer/peer.h"
#include "common/status/status.h"
#include "grpcpp/grpcpp.h"
#include "lnob/registry/v1/households.grpc.pb.h"
#include "lnob/registry/v1/reference_data.grpc.pb.h"

namespace lnob::campaigns {
namespace {

namespace rv1 = ::lnob::registry::v1;

class GrpcRegistryPlaces final : public RegistryPlaces {
 public:
  GrpcRegistryPlaces(peer::PeerConfig config, auth::ServiceTokenSource* self) : config_(std::move(config)), self_(self) {
    auto channel = peer::NewPeerChannel(config_.address);
    stub_ = rv1::ReferenceDataService::NewStub(channel);
    households_ = rv1::HouseholdService::NewStub(channel);
  }

  absl::StatusOr<VillageMatch> FindVillage(const std::string& commune, absl::CivilDay day,
                                           const std::string& name) override {
    VillageMatch out;
    rv1::ListVillagesRequest req;
    req.set_commune_code(commune);
    *req.mutable_as_of() = api::ToProtoDate(day);
    req.set_name_query(name);
    req.set_exact_name(true);
    req.set_page_size(1);
    rv1::ListVillagesResponse resp;
    LNOB_RETURN_IF_ERROR(Call(req, &resp));
    if (resp.villages_size() > 0) {
      out.registered = true;
      out.village = resp.villages(0).name();
      out.name = resp.villages(0).display_name();
      return out;
    }
    // No such village: does the commune keep a register at all?
    req.clear_name_query();
    req.set_exact_name(false);
    resp.Clear();
    LNOB_RETURN_IF_ERROR(Call(req, &resp));
    out.registered = resp.villages_size() > 0;
    return out;
  }

  absl::StatusOr<std::vector<RegisteredVillage>> VillagesOf(const std::vector<std::string>& communes,
                                                           absl::CivilDay day) override {
    // One listing of the whole register on the day (the service's token has no area scope),
    // not a call per commune: a province has a few thousand villages.
    const std::set<std::string> wanted(communes.begin(), communes.end());
    std::vector<RegisteredVillage> out;
    std::string token;
    do {
      rv1::ListVillagesRequest req;
      *req.mutable_as_of() = api::ToProtoDate(day);
      req.set_page_size(1000);
      req.set_page_token(token);
      rv1::ListVillagesResponse resp;
      LNOB_RETURN_IF_ERROR(Call(req, &resp));
      for (const auto& v : resp.villages()) {
        if (wanted.count(v.commune_code())) out.push_back({v.name(), v.display_name(), v.commune_code()});
      }
      token = resp.next_page_token();
    } while (!token.empty());
    return out;
  }

  absl::StatusOr<std::vector<RegisteredVillage>> AllVillages() override {
    std::vector<RegisteredVillage> out;
    std::string token;
    do {
      rv1::ListVillagesRequest req;
      req.set_all_periods(true);
      req.set_page_size(1000);
      req.set_page_token(token);
      rv1::ListVillagesResponse resp;
      LNOB_RETURN_IF_ERROR(Call(req, &resp));
      for (const auto& v : resp.villages()) {
        RegisteredVillage r{v.name(), v.display_name(), v.commune_code()};
        if (api::IsSet(v.valid_from())) r.from = api::ProtoDay(v.valid_from());
        if (api::IsSet(v.valid_to())) r.to = api::ProtoDay(v.valid_to());
        out.push_back(std::move(r));
      }
      token = resp.next_page_token();
    } while (!token.empty());
    return out;
  }

  absl::StatusOr<Population> PopulationOf(const std::string& unit, const common::v1::Period& period) override {
    rv1::GetStatisticsRequest req;
    *req.mutable_period() = period;
    req.set_unit_code(unit);
    rv1::Statistics resp;
    grpc::ClientContext ctx;
    LNOB_RETURN_IF_ERROR(peer::AsService(self_, config_.timeout, &ctx));
    if (grpc::Status s = households_->GetStatistics(&ctx, req, &resp); !s.ok()) return peer::PeerStatus(s, "registry");
    Population out;
    for (const auto& r : resp.rows()) {
      out.people += r.people();
      if (r.ethnic_group() == "EM") out.ethnic_minority += r.people();
    }
    return out;
  }

  absl::StatusOr<std::set<std::string>> DifficultVillages(absl::CivilDay day) override {
    std::set<std::string> out;
    std::string token;
    do {
      rv1::ListAreaClassificationsRequest req;
      *req.mutable_as_of() = api::ToProtoDate(day);
      req.set_region(rv1::ESPECIALLY_DIFFICULT_VILLAGE);
      req.set_page_size(1000);
      req.set_page_token(token);
      rv1::ListAreaClassificationsResponse resp;
      LNOB_RETURN_IF_ERROR(Call(req, &resp, &rv1::ReferenceDataService::Stub::ListAreaClassifications));
      for (const auto& a : resp.area_classifications()) {
        if (!a.village().empty()) out.insert(a.village());
      }
      token = resp.next_page_token();
    } while (!token.empty());
    return out;
  }

 private:
  // One call on the service's own behalf (its token, the configured timeout).
  template <typename Req, typename Resp>
  absl::Status Call(const Req& req, Resp* resp,
                    grpc::Status (rv1::ReferenceDataService::Stub::*method)(grpc::ClientContext*, const Req&, Resp*)) {
    grpc::ClientContext ctx;
    LNOB_RETURN_IF_ERROR(peer::AsService(self_, config_.timeout, &ctx));
    grpc::Status s = (stub_.get()->*method)(&ctx, req, resp);
    return s.ok() ? absl::OkStatus() : peer::PeerStatus(s, "registry");
  }
  absl::Status Call(const rv1::ListVillagesRequest& req, rv1::ListVillagesResponse* resp) {
    return Call(req, resp, &rv1::ReferenceDataService::Stub::ListVillages);
  }

  peer::PeerConfig config_;
  auth::ServiceTokenSource* self_;
  std::unique_ptr<rv1::ReferenceDataService::Stub> stub_;
  std::unique_ptr<rv1::HouseholdService::Stub> households_;
};

}  // namespace

std::unique_ptr<RegistryPlaces> NewGrpcRegistryPlaces(peer::PeerConfig config, auth::ServiceTokenSource* self) {
  return std::make_unique<GrpcRegistryPlaces>(std::move(config), self);
}

}  // namespace lnob::campaigns
