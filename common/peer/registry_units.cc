#include "common/peer/registry_units.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/api/proto_date.h"
#include "common/peer/peer.h"
#include "grpcpp/grpcpp.h"
#include "lnob/registry/v1/reference_data.grpc.pb.h"

namespace lnob::peer {
namespace {

namespace rv1 = ::lnob::registry::v1;

const char* LevelName(rv1::UnitLevel level) {
  switch (level) {
    case rv1::UNIT_LEVEL_PROVINCE: return "province";
    case rv1::UNIT_LEVEL_DISTRICT: return "district";
    case rv1::UNIT_LEVEL_COMMUNE: return "commune";
    default: return "";
  }
}

class RegistryUnitDirectory final : public scope::UnitDirectory {
 public:
  RegistryUnitDirectory(PeerConfig config, auth::ServiceTokenSource* self)
      : config_(std::move(config)), self_(self) {
    stub_ = rv1::ReferenceDataService::NewStub(NewPeerChannel(config_.address));
  }

  absl::StatusOr<scope::UnitTables> Load() override {
    scope::UnitTables out;
    std::set<absl::CivilDay> days{absl::CivilDay(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()))};
    std::string token;
    do {
      rv1::ListLineageEventsRequest req;
      req.set_page_size(1000);
      req.set_page_token(token);
      rv1::ListLineageEventsResponse resp;
      if (auto st = Call(req, &resp, &rv1::ReferenceDataService::Stub::ListLineageEvents); !st.ok()) return st;
      for (const auto& e : resp.events()) {
        auto day = api::FromProtoDate(e.effective_date(), "effective_date");
        if (!day.ok()) continue;
        days.insert(*day);
        days.insert(*day - 1);
        if (!e.new_code().empty()) out.lineage.push_back({e.old_code(), e.new_code(), *day});
      }
      token = resp.next_page_token();
    } while (!token.empty());
    std::map<std::pair<std::string, std::string>, scope::UnitVersion> versions;  // (code, valid_from)
    for (absl::CivilDay day : days) {
      token.clear();
      do {
        rv1::ListAdminUnitsRequest req;
        *req.mutable_as_of() = api::ToProtoDate(day);
        req.set_page_size(1000);
        req.set_page_token(token);
        rv1::ListAdminUnitsResponse resp;
        if (auto st = Call(req, &resp, &rv1::ReferenceDataService::Stub::ListAdminUnits); !st.ok()) return st;
        for (const auto& u : resp.admin_units()) {
          scope::UnitVersion v;
          v.code = u.code();
          v.level = LevelName(u.level());
          v.parent_code = u.parent_code();
          v.name = u.display_name();
          if (api::IsSet(u.valid_from())) {
            if (auto d = api::FromProtoDate(u.valid_from(), "valid_from"); d.ok()) v.valid_from = *d;
          }
          if (api::IsSet(u.valid_to())) {
            if (auto d = api::FromProtoDate(u.valid_to(), "valid_to"); d.ok()) v.valid_to = *d;
          }
          v.area_type = u.area_type() == rv1::AREA_TYPE_URBAN ? "URBAN" : "RURAL";
          v.confirmed = u.confirmed();
          const std::string from = v.valid_from ? absl::FormatCivilTime(*v.valid_from) : "";
          versions.emplace(std::make_pair(v.code, from), std::move(v));
        }
        token = resp.next_page_token();
      } while (!token.empty());
    }
    for (auto& [key, v] : versions) out.units.push_back(std::move(v));
    return out;
  }

 private:
  template <typename Req, typename Resp, typename Method>
  absl::Status Call(const Req& req, Resp* resp, Method method) {
    grpc::ClientContext ctx;
    if (auto st = AsService(self_, config_.timeout, &ctx); !st.ok()) return st;
    return PeerStatus(((*stub_).*method)(&ctx, req, resp), "registry (unit directory)");
  }

  PeerConfig config_;
  auth::ServiceTokenSource* self_;
  std::unique_ptr<rv1::ReferenceDataService::Stub> stub_;
};

}  // namespace

std::unique_ptr<scope::UnitDirectory> NewRegistryUnitDirectory(PeerConfig config,
                                                               auth::ServiceTokenSource* self) {
  return std::make_unique<RegistryUnitDirectory>(std::move(config), self);
}

}  // namespace lnob::peer
