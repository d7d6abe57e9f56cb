#ifndef LNOB_SERVICES_CAMPAIGNS_DOMAIN_CAMPAIGNS_LOGIC_H_
#define LNOB_SERVICES_CAMPAIGNS_DOMAIN_CAMPAIGNS_LOGIC_H_

// Campaigns use cases. Knows nothing of gRPC or SQL: validates requests (errors name the
// field), applies the caller's area scope, builds idempotency keys, pages lists, and talks to
// the CampaignsStore.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/api/page_token.h"
#include "common/scope/area_scope.h"
#include "common/server/call.h"
#include "common/util/clock.h"
#include "lnob/campaigns/v1/campaigns.pb.h"
#include "services/campaigns/domain/registry_places.h"
#include "services/campaigns/store/campaigns_store.h"

namespace lnob::campaigns {

class CampaignsLogic {
 public:
  CampaignsLogic(CampaignsStore* store, scope::AreaScope* scope, RegistryPlaces* places, api::PageTokenCodec tokens,
                 const Clock& clock)
      : store_(store), scope_(scope), places_(places), tokens_(std::move(tokens)), clock_(clock) {}

  using C = server::Call;
  absl::Status ListLanguages(const C& c, const v1::ListLanguagesRequest& req, v1::ListLanguagesResponse* out);
  absl::Status ListActivityTypes(const C& c, const v1::ListActivityTypesRequest& req,
                                 v1::ListActivityTypesResponse* out);
  absl::Status CreateCampaign(const C& c, const v1::CreateCampaignRequest& req, v1::Campaign* out);
  absl::Status GetCampaign(const C& c, const v1::GetCampaignRequest& req, v1::Campaign* out);
  absl::Status ListCampaigns(const C& c, const v1::ListCampaignsRequest& req, v1::ListCampaignsResponse* out);
  absl::Status CreateActivity(const C& c, const v1::CreateActivityRequest& req, v1::Activity* out);
  absl::Status GetActivity(const C& c, const v1::GetActivityRequest& req, v1::Activity* out);
  absl::Status ListActivities(const C& c, const v1::ListActivitiesRequest& req, v1::ListActivitiesResponse* out);
  absl::Status GetReach(const C& c, const v1::GetReachRequest& req, v1::Reach* out);
  absl::Status GetCoverage(const C& c, const v1::GetCoverageRequest& req, v1::Coverage* out);

 private:
  absl::Status ValidateActivity(const v1::Activity& a, const std::optional<v1::Campaign>& campaign);
  // The commune must be a commune-level unit in force on the activity's date (the registry's
  // units; a commune merged away by then is refused, naming the one it became), and the
  // village one of its registered villages then, when it keeps a register (linked).
  absl::Status CheckPlace(v1::Activity* a);
  absl::CivilDay Today() const;
  // Communes of any period under `unit` on `day` (all when empty) within the caller's scope;
  // nullopt when neither restricts. PERMISSION_DENIED naming `field` for a unit outside it.
  absl::StatusOr<std::optional<std::vector<std::string>>> CommunesFor(const C& c, const std::string& unit,
                                                                      absl::CivilDay day, const std::string& field);

  CampaignsStore* store_;
  scope::AreaScope* scope_;
  RegistryPlaces* places_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
};

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_DOMAIN_CAMPAIGNS_LOGIC_H_
