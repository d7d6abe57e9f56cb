#ifndef LNOB_SERVICES_FUNDING_STORE_FUNDING_STORE_H_
#define LNOB_SERVICES_FUNDING_STORE_FUNDING_STORE_H_

// Persistence boundary of the funding service. The PostgreSQL implementation enforces the
// "counted once" invariants in the database (see migrations/001_funding.sql); its errors
// come back as FAILED_PRECONDITION naming the rule (and the existing line when there is one).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/funding/domain/eligibility.h"
#include "absl/time/civil_time.h"
#include "common/db/idempotency_key.h"
#include "lnob/funding/v1/funding.pb.h"
#include "services/funding/domain/inspection_feed.h"

namespace lnob::funding {

namespace v1 = ::lnob::funding::v1;
using db::IdempotencyKey;

// Unit filter of a query: nullopt = no restriction.
using UnitFilter = std::optional<std::vector<std::string>>;

struct AllocationQuery {
  int year = 0;
  UnitFilter units;
  std::optional<std::vector<std::string>> nodes;
  std::string source;
  std::string after_id;
  int limit = 100;
};

struct PlanQuery {
  int year = 0;
  UnitFilter units;
  std::string state;
  std::string after_id;
  int limit = 100;
};

struct SupportQuery {
  std::string household_id;
  int year = 0;
  std::string content;
  UnitFilter communes;
  bool review_flag_only = false;
  std::string after_id;
  int limit = 100;
};

struct ReportQuery {
  int year = 0;
  // A sub-year period ("YYYY-MM-DD", inclusive); empty for the whole year.
  std::string first, last;
  bool by_source = false, by_programme = false, by_node = false, by_unit = false;
  UnitFilter units;
};

// One import row after validation, with the registry's facts already attached.
struct ImportRow {
  int64_t row_number = 0;
  v1::SupportLine line;  // id assigned, shares, facts
};
struct ImportOutcome {
  int64_t committed = 0;
  int64_t already_done = 0;
  size_t refused_again = 0;  // leading entries of errors: rows refused by an earlier run
  std::vector<v1::RowError> errors;
};

struct FeedChange {
  int64_t cursor = 0;
  std::string household_id;    // empty: nothing to do but move the cursor
  std::string classification;  // new class (classification changes)
  bool closed = false;         // the household was merged away or dissolved
  std::string reason;
  // Ledger lineage (brief §3.5): `household_id` continues the ledger history of `ancestor_id`
  // (a household split off from it, or the household it merged into).
  std::string lineage_household_id, ancestor_id;
};

// plan_levels: which unit levels make plans in a year and which one the year is consolidated on.
struct PlanLevelRule {
  std::vector<std::string> allowed;  // "district", "commune"
  std::string counted;
  std::string legal_doc;
};

struct SupportTotals {
  int64_t households = 0;  // distinct households with support
  int64_t amount = 0;
  std::map<std::string, int64_t> by_source;
};

// One store per proto service (the registry's granularity); the PostgreSQL implementations
// share one pool and the row mappers of pg_funding_rows.h.

// CatalogueService: programme tree and funding sources.
class CatalogueStore {
 public:
  virtual ~CatalogueStore() = default;

  // Catalogue.
  virtual absl::StatusOr<std::vector<v1::ProgrammeNode>> ListNodes(absl::CivilDay as_of, const std::string& parent,
                                                                   const std::string& after, int limit) = 0;
  virtual absl::StatusOr<v1::ProgrammeNode> GetNode(const std::string& code, absl::CivilDay as_of) = 0;
  // A retry with key.request_id returns the node the first attempt created.
  virtual absl::StatusOr<v1::ProgrammeNode> CreateNode(const v1::ProgrammeNode& node, absl::CivilDay valid_from,
                                                       const std::string& actor, const IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::ProgrammeNode> ReparentNode(const std::string& code, const std::string& new_parent,
                                                         absl::CivilDay from, const std::string& legal_doc) = 0;
  // Codes of a node and everything under it on a date.
  virtual absl::StatusOr<std::vector<std::string>> Subtree(const std::string& code, absl::CivilDay as_of) = 0;
  virtual absl::StatusOr<std::vector<v1::FundingSource>> ListSources() = 0;
  // content code -> classifications for which planned support still qualifies.
  virtual absl::StatusOr<std::map<std::string, std::set<std::string>>> ListContents() = 0;
  // Per node: the eligibility rules in force on `date` (node_eligibility), the node's own or
  // else its programme's; a node with none is absent.
  virtual absl::StatusOr<std::map<std::string, std::vector<EligibilityRule>>> EligibilityRules(
      const std::vector<std::string>& nodes, absl::CivilDay date) = 0;
};

// FundingService: allocations, disbursements, plans and the reports over the ledger.
class LedgerStore {
 public:
  virtual ~LedgerStore() = default;

  // Allocations and disbursements.
  virtual absl::StatusOr<v1::Allocation> SetAllocation(const v1::Allocation& a, const std::string& reason,
                                                       const std::string& etag, const std::string& actor,
                                                       const IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::Allocation>> ListAllocations(const AllocationQuery& q) = 0;
  virtual absl::StatusOr<v1::Allocation> GetAllocation(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::AllocationRevision>> ListRevisions(const std::string& id) = 0;
  virtual absl::StatusOr<v1::Disbursement> RecordDisbursement(const v1::Disbursement& d, const std::string& actor,
                                                              const IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::Disbursement>> ListDisbursements(const AllocationQuery& q) = 0;

  // Plans.
  virtual absl::StatusOr<v1::Plan> CreatePlan(const v1::Plan& p, const std::string& actor,
                                              const IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Plan> GetPlan(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::Plan>> ListPlans(const PlanQuery& q) = 0;
  virtual absl::StatusOr<v1::Plan> UpdatePlanLines(const std::string& id, const std::vector<v1::PlanLine>& lines,
                                                   const std::string& etag, const std::string& actor) = 0;
  // Moves the plan to `to` when its state is one of `from` (FAILED_PRECONDITION otherwise).
  virtual absl::StatusOr<v1::Plan> ChangePlanState(const std::string& id, const std::string& etag,
                                                   const std::set<std::string>& from, const std::string& to,
                                                   const std::string& comments, const std::string& actor) = 0;
  virtual absl::StatusOr<PlanLevelRule> PlanLevels(int year) = 0;
  // The year's approved plans of the counted level (plan_levels), and the others beside them.
  virtual absl::StatusOr<v1::ConsolidatePlansResponse> Consolidate(int year) = 0;

  // Reports.
  virtual absl::StatusOr<std::vector<v1::DisbursementReportRow>> DisbursementReport(const ReportQuery& q) = 0;
  virtual absl::StatusOr<SupportTotals> SupportFor(const std::vector<std::string>& household_ids, int year) = 0;
  // Households of a programme's cohort: EM, POOR on the support date, a share under the
  // programme's subtree in the year; with the support they got from it.
  virtual absl::StatusOr<std::map<std::string, int64_t>> ProgrammeCohort(const std::string& programme, int year) = 0;
  virtual absl::StatusOr<int64_t> ProgrammeTarget(const std::string& programme, int year) = 0;
};

// SupportService: the support ledger, its bulk import and the registry change feed that flags
// its lines.
class SupportStore {
 public:
  virtual ~SupportStore() = default;

  // Support ledger.
  virtual absl::StatusOr<v1::SupportLine> CreateSupportLine(const v1::SupportLine& line, const std::string& actor,
                                                            const IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::SupportLine> GetSupportLine(const std::string& id) = 0;
  // The lines that exist among `ids` (uuids), in no particular order, with their shares.
  virtual absl::StatusOr<std::vector<v1::SupportLine>> GetSupportLines(const std::vector<std::string>& ids) = 0;
  virtual absl::StatusOr<std::vector<v1::SupportLine>> ListSupportLines(const SupportQuery& q) = 0;
  // action: DELIVER, CANCEL or CLEAR_FLAG.
  virtual absl::StatusOr<v1::SupportLine> ChangeSupportLine(const std::string& id, const std::string& etag,
                                                            const std::string& action, const std::string& reason,
                                                            const std::string& actor) = 0;
  // The live line (not cancelled) for household x content x year, if any.
  virtual absl::StatusOr<std::optional<std::string>> ExistingPolicy(const std::string& household_id,
                                                                    const std::string& content, int year) = 0;
  // Commits one batch in one transaction: rows already recorded for import_id are skipped;
  // rows conflicting with the ledger (one policy per household x content x year, duplicate
  // external id) are reported, the others written with COPY.
  virtual absl::StatusOr<ImportOutcome> ImportBatch(const std::string& import_id, const std::string& actor,
                                                    std::vector<ImportRow> rows) = 0;

  // Change feed.
  virtual absl::StatusOr<int64_t> FeedCursor(const std::string& feed) = 0;
  // Applies changes in cursor order in one transaction and moves the stored cursor to the
  // last one; changes at or below the stored cursor were applied before and are skipped.
  // A classification change flags the household's PLANNED lines whose content does not
  // accept the new class; a closed household flags all its PLANNED lines. Returns the lines
  // flagged.
  virtual absl::StatusOr<int64_t> ApplyChanges(const std::string& feed, const std::vector<FeedChange>& changes) = 0;
  // Inspection's feed, the same way: holds placed and lifted on support lines, recoveries
  // recorded. Returns the holds and recoveries applied.
  virtual absl::StatusOr<int64_t> ApplyInspectionChanges(const std::string& feed,
                                                         const std::vector<InspectionChange>& changes) = 0;
};

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_STORE_FUNDING_STORE_H_
