// campaigns: wiring only (the process skeleton is common/server/service_main.h).

#include "common/server/server_flags.h"
#include "common/server/service_main.h"
#include "common/status/status.h"
#include "lnob/campaigns/v1/campaigns.lnob.h"
#include "services/campaigns/domain/campaigns_logic.h"
#include "services/campaigns/store/pg_campaigns_store.h"

LNOB_SERVER_FLAGS("campaigns", 50053, 9103);

int main(int argc, char** argv) {
  using namespace lnob::campaigns;
  return lnob::server::RunService(
      argc, argv, "lnob campaigns service", ServerConfigFromFlags,
      [](lnob::server::ServiceContext& s) -> absl::Status {
        auto& store = s.Own(NewPgCampaignsStore(&s.pool()));
        auto& logic = s.Make<CampaignsLogic>(&store, s.page_tokens(), s.clock());
        LNOB_RETURN_IF_ERROR(s.Serve<v1::CampaignsServiceAdapter>(&logic));
        s.SetReadinessProbe([&store] { return store.Healthy(); });
        return absl::OkStatus();
      });
}
