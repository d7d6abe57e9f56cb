#ifndef LNOB_SERVICES_AWARDS_STORE_AWARDS_STORE_H_
#define LNOB_SERVICES_AWARDS_STORE_AWARDS_STORE_H_

// The awards schema behind an interface: award forms (data), movements and registrations.
// Unit sets are area filters: nullopt means the whole province.

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/idempotency_key.h"
#include "lnob/awards/v1/awards.pb.h"

namespace lnob::awards {

using Units = std::optional<std::vector<std::string>>;

struct RegistrationQuery {
  std::string movement_id;
  int year = 0;
  Units units;
  std::string after_id;
  int limit = 100;
};

// One frozen evidence item.
struct EvidenceRow {
  std::string kind;  // an EvidenceKind name
  std::string resource;
  std::string commune_code;
  std::string facts_json;
};

// A snapshot to freeze: the owners' answers and what the service summed from them.
struct FrozenEvidence {
  std::string as_of;  // YYYY-MM-DD
  std::vector<v1::OwnerCursor> owners;
  std::vector<EvidenceRow> items;
  v1::EvidenceSummary summary;
};

// The identities the service folds: the subject across years, who the nomination names.
struct NominationKeys {
  std::string subject_key;              // folded name | folded ref
  std::string name_key;                 // folded name alone (initiative authors)
  std::vector<std::string> named_keys;  // folded: may not vote on it
};

struct NominationQuery {
  Units units;
  int year = 0;
  std::string form_code;
  std::string state;
  std::string sex;
  std::string ethnic_group_code;
  bool ethnic_minority_only = false;
  std::string after_id;
  int limit = 100;
};

// A workflow step on a nomination: which, the etag the caller saw, who, and the replay key.
struct Step {
  std::string nomination_id;
  std::string etag;
  std::string actor;
  db::IdempotencyKey key;
};

struct DecideInput {
  v1::Decision decision;  // with integrity filled by the service
  std::string decision_date;  // YYYY-MM-DD
};

// Awards decided (and not revoked) in a period, grouped by what the statistics break down by.
struct AwardCell {
  std::string form_code, unit_code, subject_kind, sex, ethnic_group_code;
  int64_t count = 0;
};
struct StatisticsRows {
  std::vector<AwardCell> decided;
  std::map<std::string, int64_t> year_states;  // nominations of the year by state
  int64_t revoked = 0;
  int64_t amount_to_recover_vnd = 0;
  int64_t submitted = 0;
};

struct InitiativeQuery {
  Units units;
  int year = 0;
  std::string author_key;  // folded; "" any
  std::string after_id;
  int limit = 100;
};

class AwardsStore {
 public:
  virtual ~AwardsStore() = default;
  virtual absl::StatusOr<std::vector<v1::AwardForm>> ListAwardForms() = 0;
  virtual absl::StatusOr<v1::Movement> CreateMovement(const v1::Movement& m, const std::string& creator,
                                                      const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Movement> GetMovement(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::Movement>> ListMovements(int year, const std::string& after_id,
                                                                  int limit) = 0;
  // subject_key: the subject's name folded (case, diacritics), for the one-registration rule.
  virtual absl::StatusOr<v1::Registration> CreateRegistration(const v1::Registration& r, const std::string& subject_key,
                                                              const std::string& creator,
                                                              const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::Registration>> ListRegistrations(const RegistrationQuery& q) = 0;
  virtual absl::StatusOr<v1::Registration> GetRegistration(const std::string& id) = 0;
  // Once per point (the database checks the dates against the registration's year).
  virtual absl::StatusOr<v1::Registration> RecordSelfEvaluation(const std::string& registration_id,
                                                                const v1::SelfEvaluation& e,
                                                                const std::string& evaluator,
                                                                const db::IdempotencyKey& key) = 0;
  // author_keys: the authors folded, in order.
  virtual absl::StatusOr<v1::Initiative> CreateInitiative(const v1::Initiative& i,
                                                          const std::vector<std::string>& author_keys,
                                                          const std::string& creator, const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::Initiative>> ListInitiatives(const InitiativeQuery& q) = 0;
  virtual absl::StatusOr<v1::AdvancedExample> CreateAdvancedExample(const v1::AdvancedExample& e,
                                                                    const std::string& creator,
                                                                    const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::AdvancedExample>> ListAdvancedExamples(const Units& units, int year,
                                                                                const std::string& after_id,
                                                                                int limit) = 0;

  // Nominations. The snapshot is frozen in the creating transaction as snapshot 1.
  virtual absl::StatusOr<v1::Nomination> CreateNomination(const v1::Nomination& n, const NominationKeys& keys,
                                                          const FrozenEvidence& evidence, const std::string& creator,
                                                          const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Nomination> GetNomination(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::Nomination>> ListNominations(const NominationQuery& q) = 0;
  // A snapshot (seq 0: the latest) with its items in order.
  virtual absl::StatusOr<std::pair<v1::EvidenceSnapshot, std::vector<EvidenceRow>>> GetEvidence(
      const std::string& nomination_id, int seq) = 0;
  // Freezes the next snapshot (DRAFT or UNIT_REVIEWED only).
  virtual absl::StatusOr<v1::Nomination> AddEvidence(const Step& s, const FrozenEvidence& evidence) = 0;
  virtual absl::StatusOr<v1::Nomination> RecordUnitReview(const Step& s, const v1::UnitReview& review) = 0;

  virtual absl::StatusOr<v1::Council> CreateCouncil(const v1::Council& c, const std::vector<std::string>& name_keys,
                                                    const std::string& creator, const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Council> GetCouncil(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::Council>> ListCouncils(const Units& units, const std::string& after_id,
                                                                int limit) = 0;
  virtual absl::StatusOr<v1::Nomination> OpenCouncilReview(const Step& s, const std::string& council_id,
                                                           const std::string& opened_date) = 0;
  virtual absl::StatusOr<v1::Nomination> CastVote(const Step& s, const std::string& choice, int snapshot_seq) = 0;
  virtual absl::StatusOr<v1::Nomination> CloseCouncilReview(const Step& s) = 0;
  // Checks the prerequisites in the deciding transaction; the database checks the rest.
  virtual absl::StatusOr<v1::Nomination> Decide(const Step& s, const DecideInput& d) = 0;
  virtual absl::StatusOr<v1::Nomination> Submit(const Step& s, const v1::Submission& sub) = 0;
  virtual absl::StatusOr<v1::Nomination> Revoke(const Step& s, const v1::Revocation& r) = 0;
  virtual absl::StatusOr<v1::CheckPrerequisitesResponse> CheckPrerequisites(const std::string& form_code,
                                                                            const std::string& unit_code,
                                                                            const NominationKeys& keys, int year) = 0;
  // Dates YYYY-MM-DD; `year` counts nominations by state.
  virtual absl::StatusOr<StatisticsRows> Statistics(const std::string& first, const std::string& last, int year,
                                                    const Units& units) = 0;
  virtual absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(int64_t after_cursor, int limit) = 0;
  virtual absl::StatusOr<int64_t> FeedHead() = 0;
  // The response stored for an earlier identical request, into *out: true when there is one
  // (a use case that reads other services first answers a retry before calling them again).
  virtual absl::StatusOr<bool> Replay(const db::IdempotencyKey& key, google::protobuf::Message* out) = 0;
  virtual bool Healthy() = 0;
};

}  // namespace lnob::awards

#endif  // LNOB_SERVICES_AWARDS_STORE_AWARDS_STORE_H_
