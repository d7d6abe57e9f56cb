#ifndef LNOB_SERVICES_REGISTRY_STORE_PG_REVIEW_PROCEDURE_H_
#define LNOB_SERVICES_REGISTRY_STORE_PG_REVIEW_PROCEDURE_H_

// The review procedure's storage (Form 01 requests, rounds, recognised lists) for the
// PostgreSQL household store, which delegates to these; for pg_household_*.cc only.

#include <string>
#include <vector>

#include "services/registry/store/pg_household_rows.h"

namespace lnob::registry::pg {

using Store = HouseholdStore;

// Inside CreateReview's transaction, after the review row is inserted: a review in a round must
// be of a due household (or answer its open request, which adds it) while the round is open or
// already recognised (a correction); the request it answers is closed as REVIEWED.
absl::Status LinkReview(transaction_base& tx, const std::string& household_id, const v1::Review& r);

absl::StatusOr<v1::ReviewApplication> CreateApplication(db::Pool* pool, const std::string& household_id,
                                                        const v1::ReviewApplication& a, const std::string& actor,
                                                        const IdempotencyKey& key);
absl::StatusOr<std::vector<v1::ReviewApplication>> ListApplications(db::Pool* pool, const Store::ApplicationFilter& f);
absl::StatusOr<v1::ReviewApplication> GetApplication(db::Pool* pool, const std::string& household_id,
                                                     const std::string& application_id);
absl::StatusOr<v1::ReviewApplication> RefuseApplication(db::Pool* pool, const std::string& household_id,
                                                        const std::string& application_id, const std::string& etag,
                                                        const std::string& reason, absl::CivilDay refused_on,
                                                        const std::string& actor);
absl::StatusOr<v1::ReviewRound> OpenRound(db::Pool* pool, const v1::ReviewRound& r, const std::string& actor,
                                          const IdempotencyKey& key);
absl::StatusOr<v1::ReviewRound> GetRound(db::Pool* pool, const std::string& round_id);
absl::StatusOr<std::vector<v1::DueHousehold>> RoundHouseholds(db::Pool* pool, const std::string& round_id,
                                                              const std::string& after, int limit);
absl::StatusOr<v1::ReviewRound> AdvanceRound(db::Pool* pool, const std::string& round_id, const std::string& etag,
                                             const Store::RoundStep& step, const std::string& actor);
absl::StatusOr<v1::RecognisedList> RecognizeRound(db::Pool* pool, const std::string& round_id, const std::string& etag,
                                                  const ReviewChange& decision, const std::string& actor,
                                                  int last_year);
absl::StatusOr<v1::RecognisedList> GetRecognisedList(db::Pool* pool, const std::string& round_id, int version);

}  // namespace lnob::registry::pg

#endif  // LNOB_SERVICES_REGISTRY_STORE_PG_REVIEW_PROCEDURE_H_
