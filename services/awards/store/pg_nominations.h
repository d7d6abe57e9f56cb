#ifndef LNOB_SERVICES_AWARDS_STORE_PG_NOMINATIONS_H_
#define LNOB_SERVICES_AWARDS_STORE_PG_NOMINATIONS_H_

// The nominations half of the PostgreSQL awards store (PgAwardsStore delegates here). Internal
// to store/.

#include <string>
#include <utility>
#include <vector>

#include "services/awards/store/awards_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::awards::pg {

absl::StatusOr<v1::Nomination> CreateNomination(db::Pool* pool, const v1::Nomination& n, const NominationKeys& keys,
                                                const FrozenEvidence& evidence, const std::string& creator,
                                                const db::IdempotencyKey& key);
absl::StatusOr<v1::Nomination> GetNomination(db::Pool* pool, const std::string& id);
absl::StatusOr<std::vector<v1::Nomination>> ListNominations(db::Pool* pool, const NominationQuery& q);
absl::StatusOr<std::pair<v1::EvidenceSnapshot, std::vector<EvidenceRow>>> GetEvidence(db::Pool* pool,
                                                                                      const std::string& id, int seq);
absl::StatusOr<v1::Nomination> AddEvidence(db::Pool* pool, const Step& s, const FrozenEvidence& evidence);
absl::StatusOr<v1::Nomination> RecordUnitReview(db::Pool* pool, const Step& s, const v1::UnitReview& review);
absl::StatusOr<v1::Council> CreateCouncil(db::Pool* pool, const v1::Council& c, const std::vector<std::string>& name_keys,
                                          const std::string& creator, const db::IdempotencyKey& key);
absl::StatusOr<v1::Council> GetCouncil(db::Pool* pool, const std::string& id);
absl::StatusOr<std::vector<v1::Council>> ListCouncils(db::Pool* pool, const Units& units, const std::string& after_id,
                                                      int limit);
absl::StatusOr<v1::Nomination> OpenCouncilReview(db::Pool* pool, const Step& s, const std::string& council_id,
                                                 const std::string& opened_date);
absl::StatusOr<v1::Nomination> CastVote(db::Pool* pool, const Step& s, const std::string& choice, int snapshot_seq);
absl::StatusOr<v1::Nomination> CloseCouncilReview(db::Pool* pool, const Step& s);
absl::StatusOr<v1::Nomination> Decide(db::Pool* pool, const Step& s, const DecideInput& d);
absl::StatusOr<v1::Nomination> Submit(db::Pool* pool, const Step& s, const v1::Submission& sub);
absl::StatusOr<v1::Nomination> Revoke(db::Pool* pool, const Step& s, const v1::Revocation& r);
absl::StatusOr<v1::CheckPrerequisitesResponse> CheckPrerequisites(db::Pool* pool, const std::string& form_code,
                                                                  const std::string& unit_code,
                                                                  const NominationKeys& keys, int year);

absl::StatusOr<StatisticsRows> Statistics(db::Pool* pool, const std::string& first, const std::string& last, int year,
                                          const Units& units);
absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(db::Pool* pool, int64_t after_cursor, int limit);

}  // namespace lnob::awards::pg

#endif  // LNOB_SERVICES_AWARDS_STORE_PG_NOMINATIONS_H_
