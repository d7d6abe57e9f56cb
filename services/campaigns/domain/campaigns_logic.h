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
#include "common/server/call.h"
#include "common/util/clock.h"
#include "lnob/campaigns/v1/campaigns.pb.h"
#include "services/campaigns/store/campaigns_store.h"

namespace lnob::campaigns {

class CampaignsLogic {
 public:
  CampaignsLogic(CampaignsStore* store, api::PageTokenCodec tokens, const Clock& clock)
      : store_(store), tokens_(std::move(tokens)), clock_(clock) {}

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

 private:
  // The communes the caller may see and write (nullopt: the whole province). Until the
  // registry's unit graph is consulted, a scope matches commune codes as given.
  static std::optional<std::set<std::string>> Scope(const C& c);
  absl::Status ValidateActivity(const v1::Activity& a, const std::optional<v1::Campaign>& campaign);

  CampaignsStore* store_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
};

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_DOMAIN_CAMPAIGNS_LOGIC_H_
