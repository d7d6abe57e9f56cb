#ifndef LNOB_SERVICES_FUNDING_STORE_PG_FUNDING_ROWS_H_
#define LNOB_SERVICES_FUNDING_STORE_PG_FUNDING_ROWS_H_

// What the three PostgreSQL stores of funding share (pg_catalogue_store.cc,
// pg_ledger_store.cc, pg_support_store.cc): row mappers, the database's verdicts on the
// ledger invariants, COPY of support lines. Included by those files only.

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/db/copy.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/uuid.h"
#include "lnob/funding/v1/funding.pb.h"
#include "lnob/registry/v1/households.pb.h"

namespace lnob::funding {
namespace v1 = ::lnob::funding::v1;
}  // namespace lnob::funding

namespace lnob::funding::pg {

using db::IdempotencyKey;

using db::ArrayLiteral;
using db::Str;
using pqxx::transaction_base;

inline std::string Day(absl::CivilDay d) { return FormatDate(d); }

inline absl::Status Precondition(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::FailedPreconditionError(message), reason);
}

// The database's verdicts on the ledger invariants, as the API reports them.
inline absl::Status InvariantStatus(const pqxx::sql_error& e) {
  const std::string msg = e.what();
  auto first_line = msg.substr(0, msg.find('\n'));
  if (absl::StrContains(msg, "allocation_not_exceeded")) {
    return Precondition("ALLOCATION_EXCEEDED", "disbursements would exceed the allocation");
  }
  if (absl::StrContains(msg, "shares_sum:")) {
    return Precondition("SHARES_NOT_BALANCED", first_line.substr(first_line.find("shares_sum:")));
  }
  if (absl::StrContains(msg, "counterpart_ratio:")) {
    return Precondition("COUNTERPART_RATIO", first_line.substr(first_line.find("counterpart_ratio:")));
  }
  return db::StatusFromException(e);
}

template <typename Fn>
inline absl::Status Guard(Fn&& fn) {
  try {
    return fn();
  } catch (const pqxx::sql_error& e) {
    if (absl::StrContains(e.what(), "support_one_policy")) {
      return WithReason(absl::AlreadyExistsError("support_one_policy"), "ONE_POLICY");
    }
    if (absl::StrContains(e.what(), "support_lines_external_id")) {
      return WithReason(absl::AlreadyExistsError("external_id is already used by a live support line"),
                        "EXTERNAL_ID_EXISTS");
    }
    if (e.sqlstate() == "23514" || e.sqlstate() == "P0001") return InvariantStatus(e);
    throw;
  }
}

using db::ImportBelongsTo;

inline std::string Etag(int64_t v) { return api::EtagForVersion(v); }

// ---- catalogue ----

inline constexpr char kNodeColumns[] =
    "n.code, n.kind, coalesce(p.parent_code, ''), n.display_name, n.legal_doc, p.valid_from::text,"
    " coalesce(p.valid_to::text, ''), n.confirmed";

inline v1::ProgrammeNode NodeFromRow(const pqxx::row& r, const std::string& programme) {
  v1::ProgrammeNode n;
  n.set_code(Str(r[0]));
  n.set_name("programmeNodes/" + n.code());
  v1::NodeKind kind = v1::NODE_KIND_UNSPECIFIED;
  v1::NodeKind_Parse(Str(r[1]), &kind);
  n.set_kind(kind);
  n.set_parent_code(Str(r[2]));
  n.set_display_name(Str(r[3]));
  n.set_legal_doc(Str(r[4]));
  api::SetProtoDate(Str(r[5]), n.mutable_valid_from());
  if (!Str(r[6]).empty()) api::SetProtoDate(Str(r[6]), n.mutable_valid_to());
  n.set_confirmed(r[7].as<bool>());
  n.set_programme_code(programme);
  return n;
}

// ---- allocations ----

const std::string kAllocationColumns = absl::StrCat(
    "a.id::text, a.year, a.node_code, a.source, a.unit_code, a.amount, a.disbursed, a.revision, ",
    db::Rfc3339("a.updated_at"), ", a.updated_by");

inline v1::Allocation AllocationFromRow(const pqxx::row& r) {
  v1::Allocation a;
  a.set_name("allocations/" + Str(r[0]));
  a.set_year(r[1].as<int>());
  a.set_node_code(Str(r[2]));
  a.set_source(Str(r[3]));
  a.set_unit_code(Str(r[4]));
  a.set_amount_vnd(r[5].as<int64_t>());
  a.set_disbursed_vnd(r[6].as<int64_t>());
  a.set_revision(r[7].as<int>());
  a.set_etag(Etag(a.revision()));
  api::SetProtoTimestamp(Str(r[8]), a.mutable_update_time());
  a.set_updated_by(Str(r[9]));
  return a;
}

const std::string kDisbursementColumns = absl::StrCat(
    "d.id::text, a.year, a.node_code, a.source, a.unit_code, d.date::text, d.amount,"
    " coalesce(d.support_line_id::text, ''), d.note, ", db::Rfc3339("d.created_at"), ", d.created_by");

inline v1::Disbursement DisbursementFromRow(const pqxx::row& r) {
  v1::Disbursement d;
  d.set_name("disbursements/" + Str(r[0]));
  d.set_year(r[1].as<int>());
  d.set_node_code(Str(r[2]));
  d.set_source(Str(r[3]));
  d.set_unit_code(Str(r[4]));
  api::SetProtoDate(Str(r[5]), d.mutable_date());
  d.set_amount_vnd(r[6].as<int64_t>());
  if (!Str(r[7]).empty()) d.set_support_line("supportLines/" + Str(r[7]));
  d.set_note(Str(r[8]));
  api::SetProtoTimestamp(Str(r[9]), d.mutable_create_time());
  d.set_created_by(Str(r[10]));
  return d;
}

// ---- plans ----

const std::string kPlanColumns = absl::StrCat(
    "p.id::text, p.year, p.unit_code, p.state, p.comments, p.version, ", db::Rfc3339("p.created_at"), ", ",
    db::Rfc3339("p.updated_at"), ", p.created_by, p.updated_by");

inline absl::Status LoadPlanLines(transaction_base& tx, std::vector<v1::Plan*> plans) {
  if (plans.empty()) return absl::OkStatus();
  std::map<std::string, v1::Plan*> by_id;
  std::vector<std::string> ids;
  for (auto* p : plans) {
    ids.push_back(p->name().substr(6));
    by_id[ids.back()] = p;
  }
  auto r = tx.exec_params(
      "SELECT plan_id::text, node_code, source, amount, households,"
      " amount::float8 / sum(amount) OVER (PARTITION BY plan_id, node_code)"
      " FROM plan_lines WHERE plan_id = ANY($1::uuid[]) ORDER BY plan_id, line_no",
      ArrayLiteral(ids));
  for (const auto& row : r) {
    v1::Plan* p = by_id[Str(row[0])];
    auto* l = p->add_lines();
    l->set_node_code(Str(row[1]));
    l->set_source(Str(row[2]));
    l->set_amount_vnd(row[3].as<int64_t>());
    l->set_households(row[4].as<int64_t>());
    l->set_share(row[5].as<double>());
    p->set_total_vnd(p->total_vnd() + l->amount_vnd());
  }
  return absl::OkStatus();
}

inline v1::Plan PlanFromRow(const pqxx::row& r) {
  v1::Plan p;
  p.set_name("plans/" + Str(r[0]));
  p.set_year(r[1].as<int>());
  p.set_unit_code(Str(r[2]));
  v1::PlanState st = v1::PLAN_STATE_UNSPECIFIED;
  v1::PlanState_Parse(Str(r[3]), &st);
  p.set_state(st);
  p.set_comments(Str(r[4]));
  p.set_etag(Etag(r[5].as<int64_t>()));
  api::SetProtoTimestamp(Str(r[6]), p.mutable_create_time());
  api::SetProtoTimestamp(Str(r[7]), p.mutable_update_time());
  p.set_created_by(Str(r[8]));
  p.set_updated_by(Str(r[9]));
  return p;
}

inline absl::StatusOr<v1::Plan> ReadPlan(transaction_base& tx, const std::string& id, bool lock) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", kPlanColumns, " FROM plans p WHERE p.id = $1::uuid",
                                       lock ? " FOR UPDATE" : ""),
                          id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("plans/", id, " not found"));
  v1::Plan p = PlanFromRow(r[0]);
  LNOB_RETURN_IF_ERROR(LoadPlanLines(tx, {&p}));
  return p;
}

inline void InsertPlanLines(transaction_base& tx, const std::string& id, const std::vector<v1::PlanLine>& lines) {
  int no = 0;
  for (const auto& l : lines) {
    tx.exec_params(
        "INSERT INTO plan_lines (plan_id, line_no, node_code, source, amount, households)"
        " VALUES ($1::uuid, $2, $3, $4, $5, $6)",
        id, ++no, l.node_code(), l.source(), l.amount_vnd(), l.households());
  }
}

// ---- support lines ----

const std::string kLineColumns = std::string() +
    "l.id::text, l.household_id::text, l.content, l.date::text, l.year, l.quantity::float8,"
    " l.unit_of_measure, l.amount, l.state, l.classification, l.commune_code, l.ethnic_minority,"
    " l.review_flag, l.review_reason, coalesce(l.external_id, ''), l.version, " + db::Rfc3339("l.created_at") +
    ", l.created_by, l.eligibility_basis, l.eligibility_override_reason,"
    " coalesce((SELECT array_agg(h.finding ORDER BY h.finding) FROM line_holds h WHERE h.line_id = l.id), '{}')";

inline v1::SupportLine LineFromRow(const pqxx::row& r) {
  v1::SupportLine l;
  l.set_name("supportLines/" + Str(r[0]));
  l.set_household("households/" + Str(r[1]));
  l.set_content(Str(r[2]));
  api::SetProtoDate(Str(r[3]), l.mutable_date());
  l.set_year(r[4].as<int>());
  l.set_quantity(r[5].as<double>());
  l.set_unit_of_measure(Str(r[6]));
  l.set_amount_vnd(r[7].as<int64_t>());
  v1::SupportState st = v1::SUPPORT_STATE_UNSPECIFIED;
  v1::SupportState_Parse(Str(r[8]), &st);
  l.set_state(st);
  registry::v1::HouseholdClass cls = registry::v1::HOUSEHOLD_CLASS_UNSPECIFIED;
  registry::v1::HouseholdClass_Parse(Str(r[9]), &cls);
  l.set_classification(cls);
  l.set_commune_code(Str(r[10]));
  l.set_ethnic_minority(r[11].as<bool>());
  l.set_review_flag(r[12].as<bool>());
  l.set_review_reason(Str(r[13]));
  l.set_external_id(Str(r[14]));
  l.set_etag(Etag(r[15].as<int64_t>()));
  api::SetProtoTimestamp(Str(r[16]), l.mutable_create_time());
  l.set_created_by(Str(r[17]));
  l.set_eligibility_basis(Str(r[18]));
  l.set_eligibility_override_reason(Str(r[19]));
  for (auto& f : db::ArrayValue(r[20])) l.add_held_by(std::move(f));
  return l;
}

inline void LoadShares(transaction_base& tx, std::vector<v1::SupportLine*> lines) {
  if (lines.empty()) return;
  std::map<std::string, v1::SupportLine*> by_id;
  std::vector<std::string> ids;
  for (auto* l : lines) {
    ids.push_back(l->name().substr(13));
    by_id[ids.back()] = l;
  }
  auto r = tx.exec_params(
      "SELECT line_id::text, node_code, source, amount FROM funding_shares"
      " WHERE line_id = ANY($1::uuid[]) ORDER BY line_id, share_no",
      ArrayLiteral(ids));
  for (const auto& row : r) {
    auto* s = by_id[Str(row[0])]->add_shares();
    s->set_node_code(Str(row[1]));
    s->set_source(Str(row[2]));
    s->set_amount_vnd(row[3].as<int64_t>());
  }
}

inline absl::StatusOr<v1::SupportLine> ReadLine(transaction_base& tx, const std::string& id, bool lock) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", kLineColumns, " FROM support_lines l WHERE l.id = $1::uuid",
                                       lock ? " FOR UPDATE" : ""),
                          id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("supportLines/", id, " not found"));
  v1::SupportLine l = LineFromRow(r[0]);
  LoadShares(tx, {&l});
  return l;
}

inline std::string HouseholdUuid(const v1::SupportLine& l) { return l.household().substr(11); }
inline std::string LineUuid(const v1::SupportLine& l) { return l.name().substr(13); }

inline std::string ClassName(const v1::SupportLine& l) {
  return registry::v1::HouseholdClass_Name(l.classification());
}

// Shares first, then lines: the shares' FK is deferred and the line statement's trigger
// checks every new line's shares add up (see the migration).
inline void CopyLines(transaction_base& tx, const std::vector<const v1::SupportLine*>& lines, const std::string& actor,
               const std::string& import_id) {
  {
    db::CopyWriter w(tx, "funding_shares", {"line_id", "share_no", "node_code", "source", "amount"});
    std::string row;
    for (const auto* l : lines) {
      for (int i = 0; i < l->shares_size(); ++i) {
        row.clear();
        db::CopyField(&row, LineUuid(*l));
        db::CopyField(&row, absl::StrCat(i + 1));
        db::CopyField(&row, l->shares(i).node_code());
        db::CopyField(&row, l->shares(i).source());
        db::CopyField(&row, absl::StrCat(l->shares(i).amount_vnd()));
        w.WriteLine(row);
      }
    }
    w.Complete();
  }
  db::CopyWriter w(tx, "support_lines",
                   {"id", "household_id", "content", "date", "year", "quantity", "unit_of_measure", "amount", "state",
                    "classification", "commune_code", "ethnic_minority", "external_id", "import_id", "created_by",
                    "eligibility_basis", "eligibility_override_reason"});
  std::string row;
  for (const auto* l : lines) {
    row.clear();
    db::CopyField(&row, LineUuid(*l));
    db::CopyField(&row, HouseholdUuid(*l));
    db::CopyField(&row, l->content());
    db::CopyField(&row, absl::StrFormat("%04d-%02d-%02d", l->date().year(), l->date().month(), l->date().day()));
    db::CopyField(&row, absl::StrCat(l->date().year()));
    db::CopyField(&row, absl::StrFormat("%.3f", l->quantity()));
    db::CopyField(&row, l->unit_of_measure());
    db::CopyField(&row, absl::StrCat(l->amount_vnd()));
    db::CopyField(&row, v1::SupportState_Name(l->state()));
    db::CopyField(&row, ClassName(*l));
    db::CopyField(&row, l->commune_code());
    db::CopyField(&row, db::CopyBool(l->ethnic_minority()));
    db::CopyOpt(&row, l->external_id());
    db::CopyOpt(&row, import_id);
    db::CopyField(&row, actor);
    db::CopyField(&row, l->eligibility_basis());
    db::CopyField(&row, l->eligibility_override_reason());
    w.WriteLine(row);
  }
  w.Complete();
}

}  // namespace lnob::funding::pg

#endif  // LNOB_SERVICES_FUNDING_STORE_PG_FUNDING_ROWS_H_
