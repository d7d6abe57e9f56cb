#ifndef LNOB_SERVICES_REGISTRY_STORE_HOUSEHOLD_STORE_H_
#define LNOB_SERVICES_REGISTRY_STORE_HOUSEHOLD_STORE_H_

// Storage boundary of households, reviews, statistics, imports and the change feed.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lnob/registry/v1/households.pb.h"
#include "services/registry/domain/household_rules.h"
#include "services/registry/store/reference_store.h"

namespace lnob::registry {

struct HouseholdFilter {
  bool restrict_communes = false;            // when true, only commune_codes
  std::vector<std::string> commune_codes;
  std::string classification;                // "" = any
  std::string head_ethnicity;                // "" = any
  int head_group = 0;                        // 0 any, 1 EM, 2 the majority (table ethnic_majority)
  bool only_no_labor_capacity = false;
  bool only_policy_beneficiary = false;
  std::string name_folded;                   // fold_name() of the query
  std::string after_id;
  int limit = 100;
  bool include_members = false;
};

struct ReviewChange {
  std::string to_state;
  std::string decision_number;
  std::optional<absl::CivilDay> decision_date;
  std::optional<absl::CivilDay> posted_on;
  std::string rejection_reason;
  std::optional<absl::CivilDay> consulted_on;  // the district chair's consultation (§2.3 step 5)
  std::string consultation_document;
};

struct StatsQuery {
  int year = 0;
  // commune code as stored -> bucket unit code (child of the ancestor, or "" when not broken down)
  std::vector<std::pair<std::string, std::string>> communes;
  bool by_ethnic_group = false;
  // Buckets are the villages (their id in force on the period's last day, "" when not linked)
  // instead of the communes' buckets.
  bool by_village = false;
};

struct ImportRow {
  int64_t row_number = 0;
  v1::HouseholdRecord record;  // validated; ids assigned
};

struct ImportBatchResult {
  int64_t committed = 0;
  int64_t already_done = 0;
  std::vector<v1::RowError> errors;  // rows refused by the database (e.g. duplicate citizen ID)
};

class HouseholdStore {
 public:
  virtual ~HouseholdStore() = default;

  virtual absl::StatusOr<v1::Household> Create(const v1::Household& h, const std::string& actor,
                                               const IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Household> Get(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::Household>> List(const HouseholdFilter& f) = 0;
  // Finds the household holding an active member with this citizen ID.
  virtual absl::StatusOr<std::optional<v1::Household>> FindByCitizenId(const std::string& citizen_id) = 0;

  // Runs `mutate` on the current household (locked) and stores the result; the callback
  // validates and edits it. Events describe what happened (no personal data).
  struct Mutation {
    std::string kind;
    std::string detail;
    std::optional<absl::CivilDay> effective_date;
  };
  virtual absl::StatusOr<v1::Household> Mutate(
      const std::string& id, const std::string& etag, const std::string& actor,
      const std::function<absl::Status(v1::Household&, Mutation&)>& mutate) = 0;
  // Split: moves members to a new household. Merge: moves all of source into target.
  virtual absl::StatusOr<std::pair<v1::Household, v1::Household>> Split(
      const std::string& id, const std::string& etag, const std::vector<std::string>& member_ids,
      const v1::Household& created, absl::CivilDay date, const std::string& actor, int last_year) = 0;
  virtual absl::StatusOr<v1::Household> Merge(const std::string& target_id, const std::string& etag,
                                              const std::string& source_id, absl::CivilDay date,
                                              const std::string& actor, int last_year) = 0;
  // Carries every household's year snapshot into the following years up to last_year when no
  // review changed it (a household poor in 2024 and not reviewed is POOR_REMAINING in 2025).
  // Idempotent. Returns the rows added.
  virtual absl::StatusOr<int64_t> RollForwardYears(int last_year) = 0;
  virtual absl::StatusOr<std::vector<v1::HouseholdEvent>> Events(const std::string& id,
                                                                 int64_t after, int limit) = 0;

  virtual absl::StatusOr<v1::Review> CreateReview(const std::string& household_id,
                                                  const v1::Review& r, const std::string& actor,
                                                  const IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Review> GetReview(const std::string& household_id,
                                               const std::string& review_id) = 0;
  virtual absl::StatusOr<std::vector<v1::Review>> ListReviews(const std::string& household_id,
                                                              const std::string& after_id,
                                                              int limit) = 0;
  // Moves a review to a new state if allowed from its current state (FAILED_PRECONDITION
  // otherwise). Approval records the classification, recomputes the year snapshots up to
  // last_year, updates the household and appends to the change feed, in one transaction.
  virtual absl::StatusOr<v1::Review> ChangeReview(const std::string& household_id,
                                                  const std::string& review_id,
                                                  const std::string& etag, const ReviewChange& c,
                                                  const std::string& actor, int last_year) = 0;
  virtual absl::StatusOr<std::vector<v1::ClassificationRecord>> History(const std::string& household_id) = 0;
  // One entry per (id, date) pair, nullopt when the household does not exist: commune, head
  // ethnicity and status now, the classification on the date, the transition of its year.
  struct Fact {
    std::string commune_code, head_ethnicity, status, classification, transition;
    bool ethnic_minority = false;  // the head is not of the majority group (table ethnic_majority)
    bool escaped = false;          // the year's transition is in group ESCAPED (transition_groups)
    std::vector<std::string> region_classes;  // area classifications of its commune/village on the date
  };
  virtual absl::StatusOr<std::vector<std::optional<Fact>>> Facts(const std::vector<std::string>& ids,
                                                                 const std::vector<std::string>& dates) = 0;

  virtual absl::StatusOr<std::vector<v1::TransitionCount>> TransitionCounts(
      int year, const std::optional<std::vector<std::string>>& communes) = 0;
  virtual absl::StatusOr<std::vector<std::string>> TransitionHouseholds(
      int year, const std::optional<std::vector<std::string>>& communes,
      const std::vector<std::string>& categories, const std::string& after_id, int limit) = 0;
  // The categories of a transition group (table transition_groups); NOT_FOUND if unknown.
  virtual absl::StatusOr<std::vector<std::string>> TransitionGroup(const std::string& code) = 0;
  virtual absl::StatusOr<std::vector<v1::StatisticsRow>> Statistics(const StatsQuery& q) = 0;
  // A period inside a year (month, quarter, half): classes on `last` and transitions from the
  // eve of `first`, computed from the classification history (no yearly snapshot holds them).
  struct PeriodGroup {
    std::string bucket, group, class_start, class_end;
    bool ever_poor_before = false, ethnic_minority = false;
    int64_t households = 0, people = 0;
  };
  virtual absl::StatusOr<std::vector<PeriodGroup>> PeriodStatistics(const StatsQuery& q, absl::CivilDay first,
                                                                     absl::CivilDay last) = 0;
  // For a sub-year period's household lists: households of `communes` (any when nullopt) with
  // id > after, in id order, at most `limit`, with their class on the eve of `first`, on
  // `last` and whether they were poor before `first`.
  struct PeriodHousehold {
    std::string id, class_start, class_end;
    bool ever_poor_before = false;
  };
  virtual absl::StatusOr<std::vector<PeriodHousehold>> PeriodHouseholds(
      const std::optional<std::vector<std::string>>& communes, absl::CivilDay first, absl::CivilDay last,
      const std::string& after, int limit) = 0;
  // What a simulation classifies: active households registered by `as_of` (or with a class on
  // that day) in q's communes (with their bucket), after < id <= through ("" for no bound), in
  // id order, at most `limit`; each with its head's group and sex, its class on `as_of` and the
  // approved review that class rests on (none when unclassified). Reads only.
  struct SimulationBasisRow {
    std::string id, commune_code, bucket;
    std::string ethnic_group;  // EM, KINH or UNKNOWN
    std::string head_sex;      // MALE, FEMALE or ""
    std::string current_class; // "" when never classified by then
    std::string area_type, area_override_reason;
    bool reviewed = false;
    int64_t income = 0;
    std::optional<int> proxy_score;
    std::string indicators_json = "[]";  // the review's assessments (code, deprived)
  };
  virtual absl::StatusOr<std::vector<SimulationBasisRow>> SimulationBasis(const StatsQuery& q, absl::CivilDay as_of,
                                                                          const std::string& after,
                                                                          const std::string& through, int limit) = 0;
  // Household ids that cut the households into about `parts` ranges of equal size (from a sample;
  // fewer, or none, for a small registry), ascending: a scan read in parallel.
  virtual absl::StatusOr<std::vector<std::string>> HouseholdIdSplits(int parts) = 0;
  // Denominators: bucket -> active households registered by `last` in the buckets' communes.
  virtual absl::StatusOr<std::map<std::string, int64_t>> RegisteredHouseholds(const StatsQuery& q,
                                                                              absl::CivilDay last) = 0;
  // Bucket -> active poor households flagged no_labor_capacity with the class POOR on `last`.
  virtual absl::StatusOr<std::map<std::string, int64_t>> PoorWithoutLaborCapacity(const StatsQuery& q,
                                                                                  absl::CivilDay last) = 0;
  // EM poor households escaping per year (ESCAPED_POOR + POOR_TO_NEAR_POOR with EM head).
  virtual absl::StatusOr<int64_t> EmEscapes(int year) = 0;

  virtual absl::StatusOr<v1::MovementTarget> CreateTarget(const v1::MovementTarget& t,
                                                          const std::string& actor,
                                                          const IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::MovementTarget>> ListTargets() = 0;
  // Per village id, on `day`: MERGED (merged into another village by then), DIFFICULT (the
  // village it became by then has a classification in `regions`), NOT_IN_FORCE, or LEFT.
  virtual absl::StatusOr<std::map<std::string, std::string>> VillageTargetStatus(
      const std::vector<std::string>& village_ids, absl::CivilDay day, const std::vector<std::string>& regions) = 0;

  virtual absl::Status AuditPersonalDataRead(const std::string& actor, const std::string& method,
                                             const std::string& purpose,
                                             const std::string& request_id,
                                             const std::vector<std::string>& household_ids,
                                             const std::vector<std::string>& categories) = 0;

  virtual absl::StatusOr<ImportBatchResult> ImportBatch(const std::string& import_id,
                                                        const std::string& actor,
                                                        const std::vector<ImportRow>& rows,
                                                        int last_year) = 0;
  // The review procedure as data: windows (table review_windows) and steps (review_steps).
  struct ApplicationRule {  // table application_rules: the answer period of a Form 01 request
    absl::CivilDay valid_from;
    std::optional<absl::CivilDay> valid_to;
    int answer_days = 0;
    bool working_days = false;
    std::string legal_doc;
    bool confirmed = false;
  };
  struct Procedure {
    std::vector<ReviewWindowRule> windows;
    std::vector<ProcedureStep> steps;
    std::vector<ApplicationRule> application_rules;
  };
  virtual absl::StatusOr<Procedure> ReviewProcedure() = 0;
  // Rows of this import already committed (row numbers).
  // ALREADY_EXISTS (REQUEST_ID_TAKEN) when another caller started this import.
  virtual absl::StatusOr<std::vector<int64_t>> ImportedRows(const std::string& import_id, const std::string& actor) = 0;
  virtual absl::Status Export(const std::optional<std::vector<std::string>>& communes,
                              bool include_reviews,
                              const std::function<bool(const v1::HouseholdRecord&)>& sink) = 0;

  // ---- The review procedure (brief §2.2-2.5) ----
  // Stores a validated Form 01 request (name, commune, deadline and caveats set) and adds the
  // household to the due list of its commune's round when one runs and is not yet recognised.
  virtual absl::StatusOr<v1::ReviewApplication> CreateApplication(const std::string& household_id,
                                                                  const v1::ReviewApplication& a,
                                                                  const std::string& actor,
                                                                  const IdempotencyKey& key) = 0;
  struct ApplicationFilter {
    std::optional<std::vector<std::string>> communes;  // nullopt: any
    std::string state;                                 // "" any
    std::optional<absl::CivilDay> overdue_on;          // only open ones past their deadline then
    std::string after_id;
    int limit = 100;
  };
  virtual absl::StatusOr<std::vector<v1::ReviewApplication>> ListApplications(const ApplicationFilter& f) = 0;
  virtual absl::StatusOr<v1::ReviewApplication> GetApplication(const std::string& household_id,
                                                               const std::string& application_id) = 0;
  virtual absl::StatusOr<v1::ReviewApplication> RefuseApplication(const std::string& household_id,
                                                                  const std::string& application_id,
                                                                  const std::string& etag, const std::string& reason,
                                                                  absl::CivilDay refused_on,
                                                                  const std::string& actor) = 0;
  // Opens a round (name set) and draws up its due list: active households of the commune poor
  // or near-poor on opened_on, and those with an open request filed by then. ALREADY_EXISTS
  // (ROUND_EXISTS) when the commune has a round for the list year.
  virtual absl::StatusOr<v1::ReviewRound> OpenRound(const v1::ReviewRound& r, const std::string& actor,
                                                    const IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::ReviewRound> GetRound(const std::string& round_id) = 0;
  virtual absl::StatusOr<std::vector<v1::DueHousehold>> RoundHouseholds(const std::string& round_id,
                                                                        const std::string& after_household_id,
                                                                        int limit) = 0;
  // ROUND_MEETING_HELD (every due household has a submitted, posted or rejected review:
  // otherwise FAILED_PRECONDITION ROUND_INCOMPLETE) or ROUND_POSTED (its SUBMITTED reviews
  // become POSTED).
  struct RoundStep {
    std::string to_state;
    absl::CivilDay date;
    int attendees = 0;
    std::string note;
  };
  virtual absl::StatusOr<v1::ReviewRound> AdvanceRound(const std::string& round_id, const std::string& etag,
                                                       const RoundStep& step, const std::string& actor) = 0;
  // Approves every POSTED review of the round with the decision (maker-checker applies to each)
  // and freezes the next version of the recognised list, in one transaction.
  virtual absl::StatusOr<v1::RecognisedList> RecognizeRound(const std::string& round_id, const std::string& etag,
                                                            const ReviewChange& decision, const std::string& actor,
                                                            int last_year) = 0;
  // version 0: the latest. NOT_FOUND when the round has no such version.
  virtual absl::StatusOr<v1::RecognisedList> GetRecognisedList(const std::string& round_id, int version) = 0;

  virtual absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(int64_t after_cursor, int limit) = 0;
  // The newest committed cursor of the feed (0 when empty).
  virtual absl::StatusOr<int64_t> FeedHead() = 0;
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_STORE_HOUSEHOLD_STORE_H_
