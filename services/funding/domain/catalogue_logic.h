#ifndef LNOB_SERVICES_FUNDING_DOMAIN_CATALOGUE_LOGIC_H_
#define LNOB_SERVICES_FUNDING_DOMAIN_CATALOGUE_LOGIC_H_

// lnob.funding.v1.CatalogueService: the effective-dated programme tree and funding sources.
// Knows nothing of gRPC or SQL.

#include "absl/status/status.h"
#include "common/server/call.h"
#include "lnob/funding/v1/funding.pb.h"
#include "services/funding/domain/funding_shared.h"

namespace lnob::funding {

class CatalogueLogic {
 public:
  explicit CatalogueLogic(FundingShared* shared) : s_(*shared) {}

  using C = server::Call;
  absl::Status ListProgrammeNodes(const C& c, const v1::ListProgrammeNodesRequest& req,
                                  v1::ListProgrammeNodesResponse* out);
  absl::Status GetProgrammeNode(const C& c, const v1::GetProgrammeNodeRequest& req, v1::ProgrammeNode* out);
  absl::Status CreateProgrammeNode(const C& c, const v1::CreateProgrammeNodeRequest& req, v1::ProgrammeNode* out);
  absl::Status ReparentProgrammeNode(const C& c, const v1::ReparentProgrammeNodeRequest& req, v1::ProgrammeNode* out);
  absl::Status ListFundingSources(const C& c, const v1::ListFundingSourcesRequest& req,
                                  v1::ListFundingSourcesResponse* out);

 private:
  FundingShared& s_;
};

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_DOMAIN_CATALOGUE_LOGIC_H_
