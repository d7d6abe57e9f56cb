#ifndef LNOB_SERVICES_AWARDS_DOMAIN_AWARDS_LOGIC_H_
#define LNOB_SERVICES_AWARDS_DOMAIN_AWARDS_LOGIC_H_

// Awards use cases, first layer: award forms (data), movements and registrations. Knows
// nothing of gRPC or SQL: validates requests (errors name the field), applies area scope,
// builds idempotency keys, pages lists, and talks to the AwardsStore.

#include "absl/status/status.h"
#include "common/api/page_token.h"
#include "common/scope/area_scope.h"
#include "common/server/call.h"
#include "common/server/stream.h"
#include "common/util/clock.h"
#include "common/util/feed_hub.h"
#include "lnob/awards/v1/awards.pb.h"
#include "services/awards/domain/evidence_owners.h"
#include "services/awards/store/awards_store.h"

namespace lnob::awards {

class AwardsLogic {
 public:
  AwardsLogic(AwardsStore* store, EvidenceOwners* owners, scope::AreaScope* scope, api::PageTokenCodec tokens,
              const Clock& clock)
      : store_(store),
        owners_(owners),
        scope_(scope),
        tokens_(std::move(tokens)),
        clock_(clock),
        feed_([store] { return store->FeedHead(); }) {}

  using C = server::Call;
  absl::Status ListAwardForms(const C& c, const v1::ListAwardFormsRequest& req, v1::ListAwardFormsResponse* out);
  absl::Status CreateMovement(const C& c, const v1::CreateMovementRequest& req, v1::Movement* out);
  absl::Status GetMovement(const C& c, const v1::GetMovementRequest& req, v1::Movement* out);
  absl::Status ListMovements(const C& c, const v1::ListMovementsRequest& req, v1::ListMovementsResponse* out);
  absl::Status CreateRegistration(const C& c, const v1::CreateRegistrationRequest& req, v1::Registration* out);
  absl::Status ListRegistrations(const C& c, const v1::ListRegistrationsRequest& req,
                                 v1::ListRegistrationsResponse* out);
  absl::Status RecordSelfEvaluation(const C& c, const v1::RecordSelfEvaluationRequest& req, v1::Registration* out);
  absl::Status CreateInitiative(const C& c, const v1::CreateInitiativeRequest& req, v1::Initiative* out);
  absl::Status ListInitiatives(const C& c, const v1::ListInitiativesRequest& req, v1::ListInitiativesResponse* out);
  absl::Status CreateAdvancedExample(const C& c, const v1::CreateAdvancedExampleRequest& req, v1::AdvancedExample* out);
  absl::Status ListAdvancedExamples(const C& c, const v1::ListAdvancedExamplesRequest& req,
                                    v1::ListAdvancedExamplesResponse* out);

  // Nominations (nominations_logic.cc).
  absl::Status CreateNomination(const C& c, const v1::CreateNominationRequest& req, v1::Nomination* out);
  absl::Status GetNomination(const C& c, const v1::GetNominationRequest& req, v1::Nomination* out);
  absl::Status ListNominations(const C& c, const v1::ListNominationsRequest& req, v1::ListNominationsResponse* out);
  absl::Status CompareEvidence(const C& c, const v1::CompareEvidenceRequest& req, v1::CompareEvidenceResponse* out);
  absl::Status RefreshEvidence(const C& c, const v1::RefreshEvidenceRequest& req, v1::Nomination* out);
  absl::Status RecordUnitReview(const C& c, const v1::RecordUnitReviewRequest& req, v1::Nomination* out);
  absl::Status CreateCouncil(const C& c, const v1::CreateCouncilRequest& req, v1::Council* out);
  absl::Status ListCouncils(const C& c, const v1::ListCouncilsRequest& req, v1::ListCouncilsResponse* out);
  absl::Status OpenCouncilReview(const C& c, const v1::OpenCouncilReviewRequest& req, v1::Nomination* out);
  absl::Status CastVote(const C& c, const v1::CastVoteRequest& req, v1::Nomination* out);
  absl::Status CloseCouncilReview(const C& c, const v1::CloseCouncilReviewRequest& req, v1::Nomination* out);
  absl::Status DecideNomination(const C& c, const v1::DecideNominationRequest& req, v1::Nomination* out);
  absl::Status SubmitNomination(const C& c, const v1::SubmitNominationRequest& req, v1::Nomination* out);
  absl::Status RevokeAward(const C& c, const v1::RevokeAwardRequest& req, v1::Nomination* out);
  absl::Status CheckPrerequisites(const C& c, const v1::CheckPrerequisitesRequest& req,
                                  v1::CheckPrerequisitesResponse* out);

  // Statistics, the annual report, dossiers, the change feed (statistics_logic.cc).
  absl::Status GetStatistics(const C& c, const v1::GetStatisticsRequest& req, v1::Statistics* out);
  absl::Status GetAnnualReport(const C& c, const v1::GetAnnualReportRequest& req, v1::AnnualReport* out);
  absl::Status ExportDossier(const C& c, const v1::ExportDossierRequest& req, v1::Dossier* out);
  absl::Status WatchChanges(const C& c, const v1::WatchChangesRequest& req,
                            server::MessageWriter<v1::ChangeEvent>& sink);
  // The year's statistics for the whole province (the dashboard's gauges).
  absl::StatusOr<v1::Statistics> ProvinceStatistics(int year);

 private:
  absl::CivilDay Today() const;
  // unit_code given: its subtree within the caller's area (OUT_OF_SCOPE when none of it is);
  // else the caller's area (nullopt: the whole province).
  absl::StatusOr<Units> UnitsFor(const C& c, const std::string& unit_code, const std::string& field);

  // What a snapshot cites.
  struct EvidenceRefs {
    std::vector<std::string> households, activities;
    bool poverty = false, disbursement = false, inspection = false;
  };
  // Reads the evidence from its owners under the caller's token and checks each record lies
  // under the nominee's unit; `field` prefixes the errors.
  absl::StatusOr<FrozenEvidence> Freeze(const C& c, const std::string& unit_code, int year, const EvidenceRefs& refs,
                                        const std::string& field);
  // The nomination, NOT_FOUND when outside the caller's area.
  absl::StatusOr<v1::Nomination> Visible(const C& c, const std::string& name, const std::string& field);
  // A workflow step on a visible nomination.
  absl::StatusOr<Step> StepFor(const C& c, const std::string& name, const std::string& etag,
                               db::IdempotencyKey key);

  AwardsStore* store_;
  EvidenceOwners* owners_;
  scope::AreaScope* scope_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
  FeedHub feed_;
};

}  // namespace lnob::awards

#endif  // LNOB_SERVICES_AWARDS_DOMAIN_AWARDS_LOGIC_H_
