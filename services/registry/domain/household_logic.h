#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_LOGIC_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_LOGIC_H_

// Household registry use cases. Knows nothing of gRPC or SQL. Every method checks the
// caller's area scope: a household outside it is reported exactly like a missing one.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "common/api/page_token.h"
#include "common/server/call.h"
#include "common/server/stream.h"
#include "common/util/clock.h"
#include "services/registry/domain/classifier.h"
#include "common/auth/policy.h"
#include "common/scope/area_scope.h"
#include "common/util/feed_hub.h"
#include "services/registry/domain/personal_data.h"
#include "services/registry/domain/simulation.h"
#include "services/registry/store/household_store.h"
#include "services/registry/store/reference_store.h"

namespace lnob::registry {

class HouseholdLogic {
 public:
  HouseholdLogic(HouseholdStore* store, ReferenceStore* refs, scope::AreaScope* scope, api::PageTokenCodec tokens,
                 const Clock& clock, const PersonalDataPolicy& privacy = DefaultPersonalDataPolicy())
      : store_(store),
        refs_(refs),
        scope_(scope),
        tokens_(std::move(tokens)),
        clock_(clock),
        privacy_(privacy),
        feed_([store] { return store->FeedHead(); }) {}

  using C = server::Call;
  absl::Status CreateHousehold(const C& c, const v1::CreateHouseholdRequest& req, v1::Household* out);
  absl::Status GetHousehold(const C& c, const v1::GetHouseholdRequest& req, v1::Household* out);
  absl::Status UpdateHousehold(const C& c, const v1::UpdateHouseholdRequest& req, v1::Household* out);
  absl::Status ListHouseholds(const C& c, const v1::ListHouseholdsRequest& req,
                              v1::ListHouseholdsResponse* out);
  absl::Status AddMember(const C& c, const v1::AddMemberRequest& req, v1::Household* out);
  absl::Status RemoveMember(const C& c, const v1::RemoveMemberRequest& req, v1::Household* out);
  absl::Status MoveHousehold(const C& c, const v1::MoveHouseholdRequest& req, v1::Household* out);
  absl::Status SplitHousehold(const C& c, const v1::SplitHouseholdRequest& req,
                              v1::SplitHouseholdResponse* out);
  absl::Status MergeHouseholds(const C& c, const v1::MergeHouseholdsRequest& req, v1::Household* out);
  absl::Status ListHouseholdEvents(const C& c, const v1::ListHouseholdEventsRequest& req,
                                   v1::ListHouseholdEventsResponse* out);

  absl::Status CreateReview(const C& c, const v1::CreateReviewRequest& req, v1::Review* out);
  absl::Status GetReview(const C& c, const v1::GetReviewRequest& req, v1::Review* out);
  absl::Status ListReviews(const C& c, const v1::ListReviewsRequest& req, v1::ListReviewsResponse* out);
  absl::Status SubmitReview(const C& c, const v1::SubmitReviewRequest& req, v1::Review* out);
  absl::Status ApproveReview(const C& c, const v1::ApproveReviewRequest& req, v1::Review* out);
  absl::Status RejectReview(const C& c, const v1::RejectReviewRequest& req, v1::Review* out);
  absl::Status PostReview(const C& c, const v1::PostReviewRequest& req, v1::Review* out);
  absl::Status GetClassification(const C& c, const v1::GetClassificationRequest& req,
                                 v1::ClassificationRecord* out);

  // The review procedure (household_procedure.cc).
  absl::Status CreateApplication(const C& c, const v1::CreateApplicationRequest& req, v1::ReviewApplication* out);
  absl::Status ListApplications(const C& c, const v1::ListApplicationsRequest& req, v1::ListApplicationsResponse* out);
  absl::Status RefuseApplication(const C& c, const v1::RefuseApplicationRequest& req, v1::ReviewApplication* out);
  absl::Status OpenReviewRound(const C& c, const v1::OpenReviewRoundRequest& req, v1::ReviewRound* out);
  absl::Status GetReviewRound(const C& c, const v1::GetReviewRoundRequest& req, v1::ReviewRound* out);
  absl::Status ListRoundHouseholds(const C& c, const v1::ListRoundHouseholdsRequest& req,
                                   v1::ListRoundHouseholdsResponse* out);
  absl::Status HoldVillageMeeting(const C& c, const v1::HoldVillageMeetingRequest& req, v1::ReviewRound* out);
  absl::Status PostRoundLists(const C& c, const v1::PostRoundListsRequest& req, v1::ReviewRound* out);
  absl::Status RecognizeRound(const C& c, const v1::RecognizeRoundRequest& req, v1::RecognisedList* out);
  absl::Status GetRecognisedList(const C& c, const v1::GetRecognisedListRequest& req, v1::RecognisedList* out);

  absl::Status BatchGetHouseholdFacts(const C& c, const v1::BatchGetHouseholdFactsRequest& req,
                                     v1::BatchGetHouseholdFactsResponse* out);
  absl::Status ListTransitions(const C& c, const v1::ListTransitionsRequest& req,
                               v1::ListTransitionsResponse* out);
  absl::Status GetStatistics(const C& c, const v1::GetStatisticsRequest& req, v1::Statistics* out);

  // A standard applied to the households as their latest approved reviews describe them (the
  // basis), without changing anything: each household's class now against the range of
  // classes the simulated standard gives (simulation.h), grouped by unit, head's group, area
  // and head's sex. Within the caller's area (a unit outside it is refused).
  struct SimulationSpec {
    StandardRule standard;
    std::string unit_code;      // "" = every commune the caller may read
    absl::CivilDay as_of;       // reviews approved by this day
    absl::CivilDay geography;   // units as of this day (buckets, area types)
    bool by_child_unit = false;
  };
  struct SimulationCell {
    std::string unit, commune, ethnic_group, area, head_sex, from, best, worst;
    int64_t households = 0;
    auto Key() const { return std::make_tuple(unit, commune, ethnic_group, area, head_sex, from, best, worst); }
  };
  struct SimulationResult {
    std::vector<SimulationCell> cells;          // by key
    std::map<std::string, int64_t> unknown;     // an input -> households whose class it leaves open
    int64_t households = 0;
    int64_t exact = 0;                          // households with one class under the standard
    // Households whose list (poor, near-poor, neither) differs from now in some case.
    std::vector<HouseholdChange> changing;
    std::vector<std::string> communes;          // the population's communes
    int64_t cursor = 0;                         // the change feed's head read before the scan
  };
  // Each page of the scan; a non-OK status stops it (progress and cancellation).
  using SimulationProgress = std::function<absl::Status(int64_t households_done)>;
  absl::Status Simulate(const C& c, const SimulationSpec& spec, SimulationResult* out,
                        const SimulationProgress& progress = nullptr);
  // Households registered by `as_of` in the population (an estimate of a simulation's size).
  absl::StatusOr<int64_t> SimulationPopulation(const C& c, const SimulationSpec& spec);
  // The caller's communes today; nullopt: the whole province.
  absl::StatusOr<std::optional<std::set<std::string>>> CallerCommunes(const C& c) { return ScopeCommunes(c.principal); }
  // Masks what the caller may not read (personal_data.json) and audits what it may, before
  // the response leaves.
  absl::Status Present(const C& c, absl::Span<google::protobuf::Message* const> msgs);
  absl::Status CreateTarget(const C& c, const v1::CreateTargetRequest& req, v1::MovementTarget* out);
  absl::Status ListTargets(const C& c, const v1::ListTargetsRequest& req, v1::ListTargetsResponse* out);
  absl::Status GetTargetProgress(const C& c, const v1::GetTargetProgressRequest& req,
                                 v1::TargetProgress* out);

  // Streaming import: the reader yields messages until the end of the stream.
  absl::Status ImportHouseholds(const C& c, server::MessageReader<v1::ImportHouseholdsRequest>& in,
                                v1::ImportHouseholdsResponse* out);
  absl::Status ExportHouseholds(const C& c, const v1::ExportHouseholdsRequest& req,
                                server::MessageWriter<v1::HouseholdRecord>& sink);
  // Delivers change events after from_cursor until the stream is cancelled or its deadline passes.
  absl::Status WatchChanges(const C& c, const v1::WatchChangesRequest& req,
                            server::MessageWriter<v1::ChangeEvent>& sink);

  // Carries unreviewed households' year snapshots into the current year (see the store).
  absl::StatusOr<int64_t> RollForwardYears();

  // Validates a household record for create or import; assigns ids. Errors name fields
  // under `prefix` (e.g. "household." or "record.household.").
  absl::Status PrepareHousehold(const C& c, v1::Household* h, const std::string& prefix);
  // Validates a review and computes its classification under the standard in force.
  absl::Status PrepareReview(const v1::Household& h, v1::Review* r, const std::string& prefix,
                             bool imported_approved);

 private:
  absl::CivilDay Today() const;
  int LastYear() const;
  // Communes of the caller's area scope today (scope::AreaScope); nullopt: whole province.
  absl::StatusOr<std::optional<std::set<std::string>>> ScopeCommunes(const auth::Principal& p);
  absl::StatusOr<std::vector<std::string>> CommunesUnder(const std::string& unit, absl::CivilDay date);
  // (commune code, bucket) for the communes under `unit` on `geo` that `allowed` accepts, each
  // once: the bucket is the unit's child the commune lies in (by_child_unit), else "".
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Buckets(
      const std::string& unit, absl::CivilDay geo, bool by_child_unit,
      const std::function<bool(const std::string&)>& allowed);
  absl::StatusOr<bool> InScope(const auth::Principal& p, const std::string& commune);
  // A simulation's population: its communes (within the caller's area) and their buckets.
  absl::StatusOr<StatsQuery> SimulationQuery(const C& c, const SimulationSpec& spec);
  // The communes a list may read: those under `unit` on `geo` (any when empty) within the
  // caller's scope; nullopt when nothing restricts them.
  absl::StatusOr<std::optional<std::vector<std::string>>> CommuneFilter(const C& c, const std::string& unit,
                                                                       absl::CivilDay geo);
  // Loads a household the caller may see (NOT_FOUND otherwise, whether or not it exists).
  absl::StatusOr<v1::Household> Visible(const C& c, const std::string& id);
  absl::Status Present(const C& c, std::initializer_list<google::protobuf::Message*> msgs) {
    return Present(c, absl::MakeConstSpan(msgs.begin(), msgs.size()));
  }
  absl::Status AuditDisclosure(const C& c, const Disclosure& d);
  // PERMISSION_DENIED (PURPOSE_REQUIRED) when the caller's role must state a purpose for an
  // unmasked read and did not (roles.json "purpose_roles").
  absl::Status RequirePurpose(const C& c);
  // A duplicate citizen ID refused in a household outside the caller's scope: audited.
  absl::Status AuditDuplicateOutsideScope(const C& c, const v1::Household& other);
  absl::StatusOr<std::string> HouseholdId(absl::string_view name, absl::string_view field);
  // A round the caller may see (its commune in the caller's scope; NOT_FOUND otherwise).
  absl::StatusOr<v1::ReviewRound> VisibleRound(const C& c, const std::string& name, const std::string& field);
  // A review's round and request: same household, commune, kind and list year (the store checks
  // the rest under lock).
  absl::Status PrepareProcedureLinks(const C& c, const v1::Household& h, v1::Review* r);
  void MarkOverdue(v1::ReviewApplication* a, absl::CivilDay on) const;
  // An imported past list with its recognised class (Review.baseline_class): not scored.
  absl::Status PrepareBaseline(const v1::Household& h, v1::Review* r, const std::string& prefix,
                               const StandardRule& rule, absl::CivilDay date);
  // The area a household lives in on `date` (brief §1.2: it follows residence): its explicit
  // override when it has one, else that of the unit in force at its commune on that date.
  absl::StatusOr<v1::AreaType> AreaTypeOn(const v1::Household& h, absl::CivilDay date);
  // The area of households living in `commune` on `date` (unconfirmed unit versions ignored);
  // AREA_TYPE_UNSPECIFIED when the unit data does not know the code then.
  absl::StatusOr<v1::AreaType> UnitArea(const std::string& commune, absl::CivilDay date);
  // A commune with a village register takes only its villages in force today (matched without
  // diacritics); a commune without one takes free text. The field error lists the villages.
  absl::Status CheckVillage(const std::string& commune, const std::string& village, const std::string& field);

  HouseholdStore* store_;
  ReferenceStore* refs_;
  scope::AreaScope* scope_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
  const PersonalDataPolicy& privacy_;
  // Reference data every call needs, reloaded from the database every few minutes.
  struct RefCache {
    std::vector<StandardRule> standards;
    HouseholdStore::Procedure procedure;  // review windows and steps (QĐ 24/2021 as data)
    std::set<std::string> ethnic_codes;
  };
  absl::StatusOr<std::shared_ptr<const RefCache>> Refs();
  absl::StatusOr<std::shared_ptr<const scope::UnitGraph>> Graph() { return scope_->Graph(); }

  FeedHub feed_;  // the one poller of the change feed's head for every WatchChanges stream
  std::mutex mu_;
  std::shared_ptr<const RefCache> cache_;
  absl::Time cache_loaded_ = absl::InfinitePast();
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_LOGIC_H_
