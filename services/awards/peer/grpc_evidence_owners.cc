#include "services/awards/peer/grpc_evidence_owners.h"

#include <algorithm>
#include <set>
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
#include "lnob/inspection/v1/inspection.grpc.pb.h"
#include "lnob/registry/v1/households.grpc.pb.h"

namespace lnob::awards {
namespace {

namespace fv1 = ::lnob::funding::v1;
namespace rv1 = ::lnob::registry::v1;
namespace cv1 = ::lnob::campaigns::v1;
namespace iv1 = ::lnob::inspection::v1;

constexpr size_t kBatch = 1000;  // the owners' batch limit

class GrpcEvidenceOwners final : public EvidenceOwners {
 public:
  explicit GrpcEvidenceOwners(EvidencePeers peers) : peers_(std::move(peers)), facts_(peers_.registry) {
    households_ = rv1::HouseholdService::NewStub(peer::NewPeerChannel(peers_.registry.address));
    campaigns_ = cv1::CampaignsService::NewStub(peer::NewPeerChannel(peers_.campaigns.address));
    funding_ = fv1::FundingService::NewStub(peer::NewPeerChannel(peers_.funding.address));
    inspection_ = iv1::InspectionService::NewStub(peer::NewPeerChannel(peers_.inspection.address));
  }

  absl::StatusOr<std::vector<OwnerRecord>> Households(const server::Call& call, const std::vector<std::string>& names,
                                                      absl::CivilDay as_of, OwnerRead* read) override {
    *read = {.owner = "registry", .cursor = 0, .read_time = absl::Now()};
    LNOB_ASSIGN_OR_RETURN(auto got, facts_.Fetch(call, names, as_of));
    read->cursor = got.cursor;
    std::vector<OwnerRecord> out;
    out.reserve(got.facts.size());
    for (const auto& f : got.facts) {
      OwnerRecord r;
      r.found = f.found();
      if (r.found) {
        r.commune_code = f.commune_code();
        r.escaped = f.escaped();
        r.ethnic_minority = f.ethnic_minority();
        r.facts_json = api::ProtoJson(f);
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  absl::StatusOr<std::vector<OwnerRecord>> Activities(const server::Call& call, const std::vector<std::string>& names,
                                                      OwnerRead* read) override {
    std::vector<OwnerRecord> out;
    out.reserve(names.size());
    *read = {.owner = "campaigns", .cursor = 0, .read_time = absl::Now()};
    for (size_t at = 0; at < names.size(); at += kBatch) {
      cv1::BatchGetActivitiesRequest req;
      for (size_t i = at; i < std::min(names.size(), at + kBatch); ++i) req.add_names(names[i]);
      cv1::BatchGetActivitiesResponse resp;
      grpc::ClientContext ctx;
      peer::AsCaller(call, peers_.campaigns.timeout, &ctx);
      grpc::Status s = campaigns_->BatchGetActivities(&ctx, req, &resp);
      if (!s.ok()) return peer::PeerStatus(s, "campaigns");
      if (resp.results_size() != req.names_size()) return absl::InternalError("campaigns returned a short batch");
      if (at == 0) read->cursor = resp.cursor();
      for (const auto& res : resp.results()) {
        OwnerRecord r;
        r.found = res.found();
        if (r.found) {
          r.commune_code = res.activity().commune_code();
          r.participants = res.activity().participants_total();
          r.facts_json = api::ProtoJson(res.activity());
        }
        out.push_back(std::move(r));
      }
    }
    return out;
  }

  absl::StatusOr<std::string> Statistic(const server::Call& call, AreaStatistic which, const std::string& unit_code,
                                        int year, OwnerRead* read) override {
    grpc::ClientContext ctx;
    read->read_time = absl::Now();
    if (which == AreaStatistic::kPoverty) {
      peer::AsCaller(call, peers_.registry.timeout, &ctx);
      rv1::GetStatisticsRequest req;
      req.set_year(year);
      req.set_unit_code(unit_code);
      rv1::Statistics resp;
      grpc::Status s = households_->GetStatistics(&ctx, req, &resp);
      if (!s.ok()) return peer::PeerStatus(s, "registry");
      read->owner = "registry";
      read->cursor = resp.cursor();
      return api::ProtoJson(resp);
    }
    if (which == AreaStatistic::kDisbursement) {
      peer::AsCaller(call, peers_.funding.timeout, &ctx);
      fv1::GetDisbursementReportRequest req;
      req.set_year(year);
      req.set_unit_code(unit_code);
      fv1::DisbursementReport resp;
      grpc::Status s = funding_->GetDisbursementReport(&ctx, req, &resp);
      if (!s.ok()) return peer::PeerStatus(s, "funding");
      read->owner = "funding";
      read->cursor = 0;  // funding has no change feed
      return api::ProtoJson(resp);
    }
    peer::AsCaller(call, peers_.inspection.timeout, &ctx);
    iv1::GetStatisticsRequest req;
    req.mutable_period()->set_type(common::v1::Period::YEAR);
    req.mutable_period()->set_year(year);
    req.set_unit_code(unit_code);
    iv1::Statistics resp;
    grpc::Status s = inspection_->GetStatistics(&ctx, req, &resp);
    if (!s.ok()) return peer::PeerStatus(s, "inspection");
    read->owner = "inspection";
    read->cursor = resp.cursor();
    return api::ProtoJson(resp);
  }

  absl::StatusOr<Integrity> IntegrityOf(const server::Call& call, const std::string& unit_code) override {
    Integrity out;
    {  // The feed's cursor first: what follows reflects at least it.
      grpc::ClientContext ctx;
      peer::AsCaller(call, peers_.inspection.timeout, &ctx);
      iv1::GetStatisticsRequest req;
      req.mutable_period()->set_type(common::v1::Period::YEAR);
      req.mutable_period()->set_year(static_cast<int>(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year()));
      req.set_unit_code(unit_code);
      iv1::Statistics resp;
      grpc::Status s = inspection_->GetStatistics(&ctx, req, &resp);
      if (!s.ok()) return peer::PeerStatus(s, "inspection");
      out.cursor = resp.cursor();
    }
    {
      grpc::ClientContext ctx;
      peer::AsCaller(call, peers_.inspection.timeout, &ctx);
      iv1::ListInspectionsRequest req;
      req.set_unit_code(unit_code);
      req.set_open_only(true);
      req.set_page_size(50);
      iv1::ListInspectionsResponse resp;
      grpc::Status s = inspection_->ListInspections(&ctx, req, &resp);
      if (!s.ok()) return peer::PeerStatus(s, "inspection");
      for (const auto& i : resp.inspections()) out.open_inspections.push_back(i.name());
    }
    // Open serious findings on records in the unit: distinct findings (a finding citing two
    // records counts once; a record lists its first 20).
    std::set<std::string> findings;
    int64_t most = 0;
    std::string token;
    for (int page = 0; page < 100; ++page) {
      grpc::ClientContext ctx;
      peer::AsCaller(call, peers_.inspection.timeout, &ctx);
      iv1::ListFlaggedRecordsRequest req;
      req.set_unit_code(unit_code);
      req.set_open_serious_only(true);
      req.set_page_size(1000);
      req.set_page_token(token);
      iv1::ListFlaggedRecordsResponse resp;
      grpc::Status s = inspection_->ListFlaggedRecords(&ctx, req, &resp);
      if (!s.ok()) return peer::PeerStatus(s, "inspection");
      for (const auto& r : resp.records()) {
        findings.insert(r.finding_names().begin(), r.finding_names().end());
        most = std::max(most, r.open_serious_findings());
      }
      token = resp.next_page_token();
      if (token.empty()) break;
    }
    out.open_serious_findings = std::max<int64_t>(most, static_cast<int64_t>(findings.size()));
    return out;
  }

 private:
  EvidencePeers peers_;
  peer::HouseholdFactsClient facts_;
  std::unique_ptr<rv1::HouseholdService::Stub> households_;
  std::unique_ptr<cv1::CampaignsService::Stub> campaigns_;
  std::unique_ptr<fv1::FundingService::Stub> funding_;
  std::unique_ptr<iv1::InspectionService::Stub> inspection_;
};

}  // namespace

std::unique_ptr<EvidenceOwners> NewGrpcEvidenceOwners(EvidencePeers peers) {
  return std::make_unique<GrpcEvidenceOwners>(std::move(peers));
}

}  // namespace lnob::awards
