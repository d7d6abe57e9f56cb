#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_REFERENCE_LOGIC_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_REFERENCE_LOGIC_H_

// Reference-data use cases. Knows nothing of gRPC or SQL: validates requests (errors name
// the field), applies area scope, paginates, and talks to the ReferenceStore.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/api/page_token.h"
#include "common/auth/principal.h"
#include "common/server/call.h"
#include "common/scope/area_scope.h"
#include "common/util/clock.h"
#include "services/registry/domain/classifier.h"
#include "services/registry/store/reference_store.h"

namespace lnob::registry {

// Poverty standards as classifier rules.
std::vector<StandardRule> StandardRulesFrom(const std::vector<v1::PovertyStandard>& standards);

// A name checked against a commune's village register on a day: the village it names
// (diacritics and case ignored), else whether the commune keeps a register at all, with up
// to 8 of its villages for the error message.
struct RegisterMatch {
  std::optional<v1::Village> village;
  bool registered = false;
  std::vector<std::string> some_names;
};
absl::StatusOr<RegisterMatch> MatchVillage(ReferenceStore* store, const std::string& commune, absl::CivilDay day,
                                           const std::string& name);
// "is not in the village register of commune C (A, B, ...; ListVillages)".
std::string NotInRegister(const std::string& commune, const RegisterMatch& m);

class ReferenceLogic {
 public:
  ReferenceLogic(ReferenceStore* store, scope::AreaScope* scope, api::PageTokenCodec tokens, const Clock& clock)
      : store_(store), scope_(scope), tokens_(std::move(tokens)), clock_(clock) {}

  using C = server::Call;
  absl::Status GetAdminUnit(const C& c, const v1::GetAdminUnitRequest& req, v1::AdminUnit* out);
  absl::Status ListAdminUnits(const C& c, const v1::ListAdminUnitsRequest& req,
                              v1::ListAdminUnitsResponse* out);
  absl::Status TraceAdminUnit(const C& c, const v1::TraceAdminUnitRequest& req,
                              v1::TraceAdminUnitResponse* out);
  absl::Status CheckContainment(const C& c, const v1::CheckContainmentRequest& req,
                                v1::CheckContainmentResponse* out);
  absl::Status ListLineageEvents(const C& c, const v1::ListLineageEventsRequest& req,
                                 v1::ListLineageEventsResponse* out);
  absl::Status ListAreaClassifications(const C& c, const v1::ListAreaClassificationsRequest& req,
                                       v1::ListAreaClassificationsResponse* out);
  absl::Status GetAreaClassification(const C& c, const v1::GetAreaClassificationRequest& req,
                                     v1::AreaClassification* out);
  absl::Status CreateAreaClassification(const C& c,
                                        const v1::CreateAreaClassificationRequest& req,
                                        v1::AreaClassification* out);
  absl::Status UpdateAreaClassification(const C& c,
                                        const v1::UpdateAreaClassificationRequest& req,
                                        v1::AreaClassification* out);
  absl::Status CreateVillage(const C& c, const v1::CreateVillageRequest& req, v1::Village* out);
  absl::Status ListVillages(const C& c, const v1::ListVillagesRequest& req, v1::ListVillagesResponse* out);
  absl::Status RenameVillage(const C& c, const v1::RenameVillageRequest& req, v1::Village* out);
  absl::Status MergeVillages(const C& c, const v1::MergeVillagesRequest& req, v1::Village* out);
  absl::Status ListPovertyStandards(const C& c, const v1::ListPovertyStandardsRequest& req,
                                    v1::ListPovertyStandardsResponse* out);
  absl::Status GetPovertyStandard(const C& c, const v1::GetPovertyStandardRequest& req,
                                  v1::PovertyStandard* out);
  absl::Status ClassifyProfile(const C& c, const v1::ClassifyProfileRequest& req,
                               v1::ClassifyProfileResponse* out);
  absl::Status ListEthnicGroups(const C& c, const v1::ListEthnicGroupsRequest& req,
                                v1::ListEthnicGroupsResponse* out);
  absl::Status ListReferenceDataChanges(const C& c, const v1::ListReferenceDataChangesRequest& req,
                                        v1::ListReferenceDataChangesResponse* out);

  // Is `unit` inside the caller's area scope on `date` (scope::AreaScope)? PERMISSION_DENIED
  // (OUT_OF_SCOPE) when not.
  absl::Status CheckScope(const auth::Principal& p, const std::string& unit, absl::CivilDay date);

 private:
  absl::CivilDay Today() const;
  // An especially-difficult village's classification tied to the register: `village` checked
  // (its commune, in force on `from`), or `village_name` matched in a commune with a register.
  absl::Status LinkVillage(absl::CivilDay from, v1::AreaClassification* ac);
  ReferenceStore* store_;
  scope::AreaScope* scope_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_REFERENCE_LOGIC_H_
