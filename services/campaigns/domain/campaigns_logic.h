#ifndef LNOB_SERVICES_CAMPAIGNS_DOMAIN_CAMPAIGNS_LOGIC_H_
#define LNOB_SERVICES_CAMPAIGNS_DOMAIN_CAMPAIGNS_LOGIC_H_

// Campaigns use cases. Knows nothing of gRPC or SQL: validates requests (errors name the
// field), applies the caller's area scope, masks and audits personal data, builds idempotency
// keys, pages lists, and talks to the stores. Prestigious persons: persons_logic.cc.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/api/page_token.h"
#include "common/privacy/personal_data.h"
#include "common/scope/area_scope.h"
#include "common/server/call.h"
#include "common/status/status.h"
#include "common/server/stream.h"
#include "common/util/clock.h"
#include "common/util/feed_hub.h"
#include "lnob/campaigns/v1/campaigns.pb.h"
#include "services/campaigns/domain/funding_catalogue.h"
#include "services/campaigns/domain/registry_places.h"
#include "services/campaigns/domain/village_register.h"
#include "services/campaigns/store/campaigns_store.h"
#include "services/campaigns/store/persons_store.h"

namespace lnob::campaigns {

// The campaigns service's personal-data policy (policy/personal_data.json; subjects: persons).
const privacy::PersonalDataPolicy& DefaultPersonalDataPolicy();

// With a cross breakdown (by_ethnic_group_language), the margins the activity left empty are
// its sums by ethnic group and by language.
void FillMargins(v1::Activity* a);

class CampaignsLogic {
 public:
  CampaignsLogic(CampaignsStore* store, PersonsStore* persons, scope::AreaScope* scope, RegistryPlaces* places,
                 FundingCatalogue* funding, api::PageTokenCodec tokens, const Clock& clock,
                 const privacy::PersonalDataPolicy& privacy = DefaultPersonalDataPolicy())
      : store_(store),
        persons_(persons),
        scope_(scope),
        places_(places),
        funding_(funding),
        tokens_(std::move(tokens)),
        clock_(clock),
        privacy_(privacy),
        feed_([store] { return store->FeedHead(); }) {}

  using C = server::Call;
  absl::Status ListLanguages(const C& c, const v1::ListLanguagesRequest& req, v1::ListLanguagesResponse* out);
  absl::Status ListActivityTypes(const C& c, const v1::ListActivityTypesRequest& req,
                                 v1::ListActivityTypesResponse* out);
  absl::Status CreateCampaign(const C& c, const v1::CreateCampaignRequest& req, v1::Campaign* out);
  absl::Status GetCampaign(const C& c, const v1::GetCampaignRequest& req, v1::Campaign* out);
  absl::Status ListCampaigns(const C& c, const v1::ListCampaignsRequest& req, v1::ListCampaignsResponse* out);
  absl::Status SetCampaignStatus(const C& c, const v1::SetCampaignStatusRequest& req, v1::Campaign* out);
  absl::Status CreateActivity(const C& c, const v1::CreateActivityRequest& req, v1::Activity* out);
  absl::Status ImportActivities(const C& c, server::MessageReader<v1::ImportActivitiesRequest>& in,
                                v1::ImportActivitiesResponse* out);
  absl::Status GetActivity(const C& c, const v1::GetActivityRequest& req, v1::Activity* out);
  absl::Status BatchGetActivities(const C& c, const v1::BatchGetActivitiesRequest& req,
                                  v1::BatchGetActivitiesResponse* out);
  absl::Status ListActivities(const C& c, const v1::ListActivitiesRequest& req, v1::ListActivitiesResponse* out);
  absl::Status GetReach(const C& c, const v1::GetReachRequest& req, v1::Reach* out);
  absl::Status GetCoverage(const C& c, const v1::GetCoverageRequest& req, v1::Coverage* out);

  absl::Status ListPersonSourceGroups(const C& c, const v1::ListPersonSourceGroupsRequest& req,
                                      v1::ListPersonSourceGroupsResponse* out);
  absl::Status ListRecognitionAuthorities(const C& c, const v1::ListRecognitionAuthoritiesRequest& req,
                                          v1::ListRecognitionAuthoritiesResponse* out);
  absl::Status ListSupportEventTypes(const C& c, const v1::ListSupportEventTypesRequest& req,
                                     v1::ListSupportEventTypesResponse* out);
  absl::Status SetSupportEventAmount(const C& c, const v1::SetSupportEventAmountRequest& req,
                                     v1::SupportEventType* out);
  absl::Status CreatePerson(const C& c, const v1::CreatePersonRequest& req, v1::PrestigiousPerson* out);
  absl::Status GetPerson(const C& c, const v1::GetPersonRequest& req, v1::PrestigiousPerson* out);
  absl::Status ListPersons(const C& c, const v1::ListPersonsRequest& req, v1::ListPersonsResponse* out);
  absl::Status SetPersonStatus(const C& c, const v1::SetPersonStatusRequest& req, v1::PrestigiousPerson* out);
  absl::Status RecordSupportEvent(const C& c, const v1::RecordSupportEventRequest& req, v1::SupportEvent* out);
  absl::Status GetSupportEvent(const C& c, const v1::GetSupportEventRequest& req, v1::SupportEvent* out);
  absl::Status ListSupportEvents(const C& c, const v1::ListSupportEventsRequest& req,
                                 v1::ListSupportEventsResponse* out);
  absl::Status GetPersonCoverage(const C& c, const v1::GetPersonCoverageRequest& req, v1::PersonCoverage* out);
  absl::Status GetSpending(const C& c, const v1::GetSpendingRequest& req, v1::Spending* out);
  absl::Status GetStatistics(const C& c, const v1::GetStatisticsRequest& req, v1::Statistics* out);
  absl::Status WatchChanges(const C& c, const v1::WatchChangesRequest& req,
                            server::MessageWriter<v1::ChangeEvent>& sink);

 private:
  // The codes activities are checked against (read once per call or per import).
  struct Codes {
    std::set<std::string> activity_types, languages;
    std::optional<CatalogueCodes> catalogue;  // funding's, when the activity spends anything
  };
  absl::StatusOr<Codes> LoadCodes();
  // Budget lines naming a source and a programme node funding knows (asked once per call).
  absl::Status CheckBudgetCodes(const google::protobuf::RepeatedPtrField<v1::BudgetLine>& lines,
                                const std::string& field, std::optional<CatalogueCodes>* catalogue, Violations* v);
  // Fills codes.catalogue from funding the first time an activity spends something.
  absl::Status ValidateActivity(const v1::Activity& a, const std::optional<v1::Campaign>& campaign,
                                Codes& codes);
  // The commune must be a commune-level unit in force on the activity's date (the registry's
  // units; a commune merged away by then is refused, naming the one it became), and the
  // village one of its registered villages then, when it keeps a register (linked).
  // `local`: the register held for an import, instead of asking the registry.
  absl::Status CheckPlace(v1::Activity* a, const VillageRegister* local = nullptr);
  // The same for any record: `commune` in force on `day`, `village` matched and linked.
  absl::Status ResolvePlace(const std::string& commune, absl::CivilDay day, const std::string& prefix,
                            std::string* village, std::string* village_ref, const VillageRegister* local = nullptr,
                            const std::string& former = "");
  // Persons listed by an activity: known, each once, ACTIVE on its start date.
  absl::Status CheckActivityPersons(const C& c, const v1::Activity& a);
  // A person the caller may see (NOT_FOUND otherwise, as for a missing one).
  absl::StatusOr<v1::PrestigiousPerson> VisiblePerson(const C& c, const std::string& name, const std::string& field);
  // Masks what the caller may not read and audits what it reads unmasked.
  absl::Status Present(const C& c, absl::Span<google::protobuf::Message* const> msgs);
  absl::CivilDay Today() const;
  // Communes of any period under `unit` on `day` (all when empty) within the caller's scope;
  // nullopt when neither restricts. PERMISSION_DENIED naming `field` for a unit outside it.
  absl::StatusOr<std::optional<std::vector<std::string>>> CommunesFor(const C& c, const std::string& unit,
                                                                      absl::CivilDay day, const std::string& field);

  CampaignsStore* store_;
  PersonsStore* persons_;
  scope::AreaScope* scope_;
  RegistryPlaces* places_;
  FundingCatalogue* funding_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
  const privacy::PersonalDataPolicy& privacy_;
  FeedHub feed_;  // the one poller of the feed's head for every WatchChanges stream
};

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_DOMAIN_CAMPAIGNS_LOGIC_H_
