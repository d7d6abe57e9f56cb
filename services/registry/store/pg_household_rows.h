#ifndef LNOB_SERVICES_REGISTRY_STORE_PG_HOUSEHOLD_ROWS_H_
#define LNOB_SERVICES_REGISTRY_STORE_PG_HOUSEHOLD_ROWS_H_

// The household schema's rows as messages, and the writes every household path shares, for
// the files of the PostgreSQL household store (pg_household_*.cc) only.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/api/proto_date.h"
#include "common/db/pool.h"
#include "services/registry/store/household_store.h"

namespace lnob::registry::pg {

using pqxx::transaction_base;

std::string D(absl::CivilDay d);
using api::ProtoDateText;  // date parameters as SQL text
absl::Status NotFound(const std::string& what);

extern const char kHouseholdColumns[];
extern const char kMemberColumns[];
extern const char kReviewColumns[];

// Rows to messages.
v1::Household HouseholdFromRow(const pqxx::row& r);
v1::Member MemberFromRow(const pqxx::row& r);
v1::Review ReviewFromRow(const pqxx::row& r);
void LoadMembers(transaction_base& tx, std::vector<v1::Household*> hs, bool only_active);
absl::StatusOr<v1::Household> LoadHousehold(transaction_base& tx, const std::string& id, bool lock);
std::vector<HistoryEntry> LoadHistory(transaction_base& tx, const std::string& hid);

// Derived columns.
std::string HeadEthnicity(const v1::Household& h);
int ActivePeople(const v1::Household& h);
std::string IndicatorsJson(const v1::Review& r);

// Writes inside the caller's transaction.
void AddEvent(transaction_base& tx, const std::string& hid, const std::string& kind, const std::string& detail,
              const std::string& effective, const std::string& actor);
// `related`: the other household of a split (the original) or a merge (the one that stays).
void AppendFeed(transaction_base& tx, const std::string& hid, const std::string& kind, const std::string& cls,
                const std::string& prev, const std::string& effective, const std::string& commune,
                const std::string& related = "");
void UpsertMember(transaction_base& tx, const std::string& hid, const v1::Member& m, int seq);
void WriteHousehold(transaction_base& tx, const v1::Household& h, const std::string& actor, bool insert);
void RecomputeYears(transaction_base& tx, const std::string& hid, int last_year);
void InsertReview(transaction_base& tx, const std::string& hid, const v1::Review& r, const std::string& actor,
                  const std::string& state);
// Records an approved classification (history, household row, years, change feed).
void ApplyApproval(transaction_base& tx, const std::string& hid, const std::string& review_id, const std::string& cls,
                   absl::CivilDay effective, int last_year);

// The bulk paths (pg_household_bulk.cc), on the store's pool.
absl::StatusOr<ImportBatchResult> ImportHouseholdBatch(db::Pool* pool, const std::string& import_id,
                                                       const std::string& actor, const std::vector<ImportRow>& rows,
                                                       int last_year);
absl::Status ExportHouseholdRecords(db::Pool* pool, const std::optional<std::vector<std::string>>& communes,
                                    bool include_reviews,
                                    const std::function<bool(const v1::HouseholdRecord&)>& sink);

}  // namespace lnob::registry::pg

#endif  // LNOB_SERVICES_REGISTRY_STORE_PG_HOUSEHOLD_ROWS_H_
