#ifndef LNOB_SERVICES_FUNDING_DOMAIN_SUPPORT_LOGIC_H_
#define LNOB_SERVICES_FUNDING_DOMAIN_SUPPORT_LOGIC_H_

// lnob.funding.v1.SupportService: the support ledger (one policy per household, content and
// year; shares that add up) and its streaming import. Knows nothing of gRPC or SQL.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "common/server/call.h"
#include "common/server/stream.h"
#include "lnob/funding/v1/funding.pb.h"
#include "services/funding/domain/funding_shared.h"

namespace lnob::funding {

class SupportLogic {
 public:
  explicit SupportLogic(FundingShared* shared) : s_(*shared) {}

  using C = server::Call;
  absl::Status CreateSupportLine(const C& c, const v1::CreateSupportLineRequest& req, v1::SupportLine* out);
  absl::Status GetSupportLine(const C& c, const v1::GetSupportLineRequest& req, v1::SupportLine* out);
  absl::Status ListSupportLines(const C& c, const v1::ListSupportLinesRequest& req, v1::ListSupportLinesResponse* out);
  absl::Status BatchGetSupportLines(const C& c, const v1::BatchGetSupportLinesRequest& req,
                                    v1::BatchGetSupportLinesResponse* out);
  absl::Status DeliverSupportLine(const C& c, const v1::DeliverSupportLineRequest& req, v1::SupportLine* out);
  absl::Status CancelSupportLine(const C& c, const v1::CancelSupportLineRequest& req, v1::SupportLine* out);
  absl::Status ClearReviewFlag(const C& c, const v1::ClearReviewFlagRequest& req, v1::SupportLine* out);
  absl::Status ImportSupportLines(const C& c, server::MessageReader<v1::ImportSupportLinesRequest>& in,
                                  v1::ImportSupportLinesResponse* out);

 private:
  // Validates a line and assigns its id; facts are attached afterwards.
  // Brief §3.1-3.3: the content's classes and a rule of each share's node (node_eligibility)
  // for the household's facts on the support date; sets eligibility_basis. A refusal names the
  // field and why, unless the line carries an override reason; an error only when the catalogue
  // cannot be read.
  struct Refusal {
    std::string field, why;
  };
  // Rules by (support date, share nodes): an import asks for them once per combination, not per row.
  using RulesCache = std::map<std::pair<absl::CivilDay, std::vector<std::string>>,
                              std::map<std::string, std::vector<EligibilityRule>>>;
  absl::StatusOr<std::optional<Refusal>> CheckEligibility(const Catalogue& cat, const HouseholdFact& fact,
                                                          v1::SupportLine* line, const std::string& prefix,
                                                          RulesCache* cache = nullptr);
  absl::Status PrepareLine(Catalogue& cat, v1::SupportLine* line, const std::string& prefix);
  template <typename Req>
  absl::Status LineAction(const C& c, const Req& req, const std::string& action,
                          v1::SupportLine* out);

  FundingShared& s_;
};

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_DOMAIN_SUPPORT_LOGIC_H_
