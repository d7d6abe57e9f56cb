#ifndef LNOB_SERVICES_AWARDS_DOMAIN_AWARDS_LOGIC_H_
#define LNOB_SERVICES_AWARDS_DOMAIN_AWARDS_LOGIC_H_

// Awards use cases, first layer: award forms (data), movements and registrations. Knows
// nothing of gRPC or SQL: validates requests (errors name the field), applies area scope,
// builds idempotency keys, pages lists, and talks to the AwardsStore.

#include "absl/status/status.h"
#include "common/api/page_token.h"
#include "common/scope/area_scope.h"
#include "common/server/call.h"
#include "common/util/clock.h"
#include "lnob/awards/v1/awards.pb.h"
#include "services/awards/store/awards_store.h"

namespace lnob::awards {

class AwardsLogic {
 public:
  AwardsLogic(AwardsStore* store, scope::AreaScope* scope, api::PageTokenCodec tokens, const Clock& clock)
      : store_(store), scope_(scope), tokens_(std::move(tokens)), clock_(clock) {}

  using C = server::Call;
  absl::Status ListAwardForms(const C& c, const v1::ListAwardFormsRequest& req, v1::ListAwardFormsResponse* out);
  absl::Status CreateMovement(const C& c, const v1::CreateMovementRequest& req, v1::Movement* out);
  absl::Status GetMovement(const C& c, const v1::GetMovementRequest& req, v1::Movement* out);
  absl::Status ListMovements(const C& c, const v1::ListMovementsRequest& req, v1::ListMovementsResponse* out);
  absl::Status CreateRegistration(const C& c, const v1::CreateRegistrationRequest& req, v1::Registration* out);
  absl::Status ListRegistrations(const C& c, const v1::ListRegistrationsRequest& req,
                                 v1::ListRegistrationsResponse* out);
  absl::Status CreateInitiative(const C& c, const v1::CreateInitiativeRequest& req, v1::Initiative* out);
  absl::Status ListInitiatives(const C& c, const v1::ListInitiativesRequest& req, v1::ListInitiativesResponse* out);
  absl::Status CreateAdvancedExample(const C& c, const v1::CreateAdvancedExampleRequest& req, v1::AdvancedExample* out);
  absl::Status ListAdvancedExamples(const C& c, const v1::ListAdvancedExamplesRequest& req,
                                    v1::ListAdvancedExamplesResponse* out);

 private:
  absl::CivilDay Today() const;
  // unit_code given: its subtree within the caller's area (OUT_OF_SCOPE when none of it is);
  // else the caller's area (nullopt: the whole province).
  absl::StatusOr<Units> UnitsFor(const C& c, const std::string& unit_code, const std::string& field);

  AwardsStore* store_;
  scope::AreaScope* scope_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
};

}  // namespace lnob::awards

#endif  // LNOB_SERVICES_AWARDS_DOMAIN_AWARDS_LOGIC_H_
