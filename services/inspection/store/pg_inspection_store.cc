#include "services/inspection/store/pg_inspection_store.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/text.h"
#include "common/util/uuid.h"
#include "google/protobuf/util/json_util.h"

namespace lnob::inspection {
namespace {

using db::ArrayLiteral;
using db::Str;
using pqxx::transaction_base;

using db::DateText;
void SetDate(const pqxx::field& f, google::type::Date* out) { api::SetProtoDate(Str(f), out); }

std::string UnitsArray(const Units& u) { return ArrayLiteral(u.value_or(std::vector<std::string>{})); }

template <typename Enum, typename Parse>
Enum ParseEnum(const std::string& text, Parse parse) {
  Enum e{};
  parse(text, &e);
  return e;
}

// Plan items and inspections of `year` whose subjects and covered periods overlap these
// (`plan_item`, a decision's own item, excepted).
std::vector<v1::Overlap> OverlapsOf(transaction_base& tx, const google::protobuf::RepeatedPtrField<v1::Subject>& subjects,
                                    int year, const std::string& from, const std::string& to,
                                    const std::string& plan_item) {
  std::vector<v1::Overlap> out;
  std::set<std::string> seen;
  for (const auto& s : subjects) {
    for (const auto& r : tx.exec_params(
             "SELECT owner, agency_code, kind, unit_code FROM subjects"
             " WHERE unit_code = $1 AND year = $2 AND ($5 = '' OR owner <> $5)"
             " AND (org_key = $6 OR org_key = '' OR $6 = '')"
             " AND daterange(period_from, period_to, '[]') && daterange($3::date, $4::date, '[]')"
             " ORDER BY owner",
             s.unit_code(), year, from, to, plan_item, FoldName(s.organisation()))) {
      if (!seen.insert(Str(r[0]) + "|" + Str(r[3])).second) continue;
      v1::Overlap o;
      o.set_other(Str(r[0]));
      o.set_agency_code(Str(r[1]));
      o.set_kind(ParseEnum<v1::Kind>(Str(r[2]), v1::Kind_Parse));
      o.set_subject_unit_code(Str(r[3]));
      out.push_back(std::move(o));
    }
  }
  return out;
}
// The overlap rule (docs/inspection.md): checked in the writing transaction, after a replay of
// the same request (which must not overlap itself) has been answered.
absl::Status RequireNoOverlap(transaction_base& tx, const google::protobuf::RepeatedPtrField<v1::Subject>& subjects,
                              int year, const std::string& from, const std::string& to, const std::string& plan_item,
                              const std::string& reason, const std::string& field) {
  if (!reason.empty()) return absl::OkStatus();
  auto overlaps = OverlapsOf(tx, subjects, year, from, to, plan_item);
  if (overlaps.empty()) return absl::OkStatus();
  const auto& o = overlaps.front();
  return WithReason(absl::FailedPreconditionError(absl::StrCat(
                        field, ": the subject ", o.subject_unit_code(), " is already covered in this year by ",
                        o.other(), " (", o.agency_code(), ", ", v1::Kind_Name(o.kind()),
                        ") over an overlapping period; give overlap_reason to go ahead")),
                    "OVERLAP");
}

// ---- Plans ---------------------------------------------------------------------------------------

std::string ItemOwner(const std::string& plan_id, int number) {
  return absl::StrCat("inspectionPlans/", plan_id, "/items/", number);
}

void InsertSubjects(transaction_base& tx, const std::string& owner, const google::protobuf::RepeatedPtrField<v1::Subject>& subjects,
                    const std::string& agency, const std::string& kind, int year, const std::string& from,
                    const std::string& to, const std::string& plan_item, const std::string& reason) {
  for (const auto& s : subjects) {
    tx.exec_params(
        "INSERT INTO subjects (owner, unit_code, organisation, org_key, agency_code, kind, year, period_from, period_to,"
        " plan_item, overlap_reason) VALUES ($1, $2, normalize($3, NFC), $4, $5, $6, $7, $8::date, $9::date, $10,"
        " normalize($11, NFC))",
        owner, s.unit_code(), s.organisation(), FoldName(s.organisation()), agency, kind, year, from, to, plan_item,
        reason);
  }
}

void LoadSubjects(transaction_base& tx, const std::string& owner, google::protobuf::RepeatedPtrField<v1::Subject>* out) {
  for (const auto& r : tx.exec_params("SELECT unit_code, organisation FROM subjects WHERE owner = $1 ORDER BY unit_code, org_key",
                                      owner)) {
    auto* s = out->Add();
    s->set_unit_code(Str(r[0]));
    s->set_organisation(Str(r[1]));
  }
}

// The overlaps of one owner's subjects (as they are now), for display.
void LoadOverlaps(transaction_base& tx, const std::string& owner, google::protobuf::RepeatedPtrField<v1::Overlap>* out) {
  for (const auto& r : tx.exec_params(
           "SELECT DISTINCT o.owner, o.agency_code, o.kind, o.unit_code FROM subjects s JOIN subjects o"
           " ON o.unit_code = s.unit_code AND o.year = s.year AND o.owner <> s.owner"
           " AND o.owner <> s.plan_item AND s.owner <> o.plan_item"
           " AND (o.org_key = s.org_key OR o.org_key = '' OR s.org_key = '')"
           " AND daterange(o.period_from, o.period_to, '[]') && daterange(s.period_from, s.period_to, '[]')"
           " WHERE s.owner = $1 ORDER BY o.owner",
           owner)) {
    auto* o = out->Add();
    o->set_other(Str(r[0]));
    o->set_agency_code(Str(r[1]));
    o->set_kind(ParseEnum<v1::Kind>(Str(r[2]), v1::Kind_Parse));
    o->set_subject_unit_code(Str(r[3]));
  }
}

absl::StatusOr<v1::Plan> ReadPlan(transaction_base& tx, const std::string& id) {
  auto r = tx.exec_params(absl::StrCat("SELECT id::text, agency_code, year, number, ", DateText("issued_date"), ", creator, ",
                                       db::Rfc3339("create_time"), " FROM plans WHERE id = $1::uuid"),
                          id);
  if (r.empty()) return api::NotFound(absl::StrCat("inspectionPlans/", id));
  v1::Plan p;
  p.set_name(absl::StrCat("inspectionPlans/", Str(r[0][0])));
  p.set_agency_code(Str(r[0][1]));
  p.set_year(r[0][2].as<int>());
  p.set_number(Str(r[0][3]));
  SetDate(r[0][4], p.mutable_issued_date());
  p.set_creator(Str(r[0][5]));
  api::SetProtoTimestamp(Str(r[0][6]), p.mutable_create_time());
  for (const auto& row : tx.exec_params(
           absl::StrCat("SELECT number, kind, scope, ", DateText("period_from"), ", ", DateText("period_to"), ", ", DateText("planned_start"),
                        ", ", DateText("planned_end"), ", overlap_reason FROM plan_items WHERE plan_id = $1::uuid ORDER BY number"),
           id)) {
    auto* item = p.add_items();
    item->set_number(row[0].as<int>());
    item->set_kind(ParseEnum<v1::Kind>(Str(row[1]), v1::Kind_Parse));
    item->set_scope(Str(row[2]));
    SetDate(row[3], item->mutable_period_from());
    SetDate(row[4], item->mutable_period_to());
    SetDate(row[5], item->mutable_planned_start());
    SetDate(row[6], item->mutable_planned_end());
    item->set_overlap_reason(Str(row[7]));
    const std::string owner = ItemOwner(id, item->number());
    LoadSubjects(tx, owner, item->mutable_subjects());
    LoadOverlaps(tx, owner, item->mutable_overlaps());
  }
  return p;
}

// ---- Inspections ---------------------------------------------------------------------------------

absl::StatusOr<v1::Inspection> ReadInspection(transaction_base& tx, const std::string& id) {
  auto r = tx.exec_params(
      absl::StrCat("SELECT i.id::text, i.kind, i.agency_code, i.decision_number, ", DateText("i.decision_date"),
                   ", i.origin, coalesce('inspectionPlans/' || i.plan_id || '/items/' || i.plan_item, ''), i.decider,"
                   " i.leader, i.members, i.duration_days, i.scope, ",
                   DateText("i.period_from"), ", ", DateText("i.period_to"), ", i.overlap_reason, i.state, i.version, i.creator, ",
                   db::Rfc3339("i.create_time"), ", ", DateText("c.signing_due"),
                   ", (c.signed_date IS NULL AND c.signing_due < current_date)"
                   " FROM inspections i LEFT JOIN conclusions c ON c.inspection_id = i.id WHERE i.id = $1::uuid"),
      id);
  if (r.empty()) return api::NotFound(absl::StrCat("inspections/", id));
  const auto& row = r[0];
  v1::Inspection in;
  in.set_name(absl::StrCat("inspections/", Str(row[0])));
  in.set_kind(ParseEnum<v1::Kind>(Str(row[1]), v1::Kind_Parse));
  in.set_agency_code(Str(row[2]));
  in.set_decision_number(Str(row[3]));
  SetDate(row[4], in.mutable_decision_date());
  in.set_origin(ParseEnum<v1::Origin>(Str(row[5]), v1::Origin_Parse));
  in.set_plan_item(Str(row[6]));
  in.set_decider(Str(row[7]));
  in.set_leader(Str(row[8]));
  for (auto& m : db::ArrayValue(row[9])) in.add_members(std::move(m));
  in.set_duration_days(row[10].as<int>());
  in.set_scope(Str(row[11]));
  SetDate(row[12], in.mutable_period_from());
  SetDate(row[13], in.mutable_period_to());
  in.set_overlap_reason(Str(row[14]));
  in.set_state(ParseEnum<v1::State>(Str(row[15]), v1::State_Parse));
  in.set_etag(api::EtagForVersion(row[16].as<int64_t>()));
  in.set_creator(Str(row[17]));
  api::SetProtoTimestamp(Str(row[18]), in.mutable_create_time());
  if (in.state() == v1::DRAFTED || in.state() == v1::APPRAISED) {
    SetDate(row[19], in.mutable_signing_due());
    in.set_signing_overdue(!row[20].is_null() && row[20].as<bool>());
  }
  const std::string owner = in.name();
  LoadSubjects(tx, owner, in.mutable_subjects());
  LoadOverlaps(tx, owner, in.mutable_overlaps());
  for (const auto& d : tx.exec_params(absl::StrCat("SELECT addressee, description, ", DateText("requested_date"), ", ",
                                                   DateText("due_date"),
                                                   " FROM data_requests WHERE inspection_id = $1::uuid ORDER BY seq"),
                                      id)) {
    auto* x = in.add_data_requests();
    x->set_addressee(Str(d[0]));
    x->set_description(Str(d[1]));
    SetDate(d[2], x->mutable_requested_date());
    SetDate(d[3], x->mutable_due_date());
  }
  for (const auto& s : tx.exec_params(
           absl::StrCat("SELECT to_state, ", DateText("day"), ", actor, note FROM inspection_steps WHERE inspection_id = $1::uuid"
                        " ORDER BY seq"),
           id)) {
    auto* x = in.add_steps();
    x->set_state(ParseEnum<v1::State>(Str(s[0]), v1::State_Parse));
    SetDate(s[1], x->mutable_date());
    x->set_actor(Str(s[2]));
    x->set_note(Str(s[3]));
  }
  return in;
}

// ---- Findings ------------------------------------------------------------------------------------

constexpr char kFindingColumns[] =
    "f.id::text, 'inspections/' || f.inspection_id, f.category, f.severity, f.description, f.unit_code,"
    " to_char(f.found_date, 'YYYY-MM-DD'), f.misused_vnd, f.to_recover_vnd, f.hold, f.hold_active, f.hold_lift_reason,"
    " f.version, f.creator, to_char(f.create_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " (NOT EXISTS (SELECT 1 FROM recommendations r WHERE r.finding_id = f.id)"
    "  OR EXISTS (SELECT 1 FROM recommendations r WHERE r.finding_id = f.id AND r.status <> 'DONE'))";

v1::Finding FindingFromRow(const pqxx::row& r) {
  v1::Finding f;
  f.set_name(absl::StrCat("findings/", Str(r[0])));
  f.set_inspection(Str(r[1]));
  f.set_category(Str(r[2]));
  f.set_severity(ParseEnum<v1::Severity>(Str(r[3]), v1::Severity_Parse));
  f.set_description(Str(r[4]));
  f.set_unit_code(Str(r[5]));
  SetDate(r[6], f.mutable_date());
  f.set_misused_vnd(r[7].as<int64_t>());
  f.set_to_recover_vnd(r[8].as<int64_t>());
  f.set_hold(r[9].as<bool>());
  f.set_hold_active(r[10].as<bool>());
  f.set_hold_lift_reason(Str(r[11]));
  f.set_etag(api::EtagForVersion(r[12].as<int64_t>()));
  f.set_creator(Str(r[13]));
  api::SetProtoTimestamp(Str(r[14]), f.mutable_create_time());
  f.set_open(r[15].as<bool>());
  return f;
}

// References and money of the findings (by id).
void LoadFindingDetails(transaction_base& tx, std::vector<v1::Finding*> findings) {
  if (findings.empty()) return;
  std::map<std::string, v1::Finding*> by_id;
  std::vector<std::string> ids;
  for (auto* f : findings) {
    ids.push_back(api::IdOf(f->name()));
    by_id[ids.back()] = f;
  }
  for (const auto& r : tx.exec_params(
           absl::StrCat("SELECT finding_id::text, kind, resource, node_code, source, amount_vnd, commune_code, ",
                        DateText("record_date"), ", facts::text, ", db::Rfc3339("fetched_at"),
                        " FROM finding_refs WHERE finding_id = ANY($1::uuid[]) ORDER BY finding_id, seq"),
           ArrayLiteral(ids))) {
    auto* ref = by_id[Str(r[0])]->add_references();
    ref->set_kind(ParseEnum<v1::ReferenceKind>(Str(r[1]), v1::ReferenceKind_Parse));
    ref->set_resource(Str(r[2]));
    ref->set_node_code(Str(r[3]));
    ref->set_source(Str(r[4]));
    ref->set_amount_vnd(r[5].as<int64_t>());
    ref->set_commune_code(Str(r[6]));
    SetDate(r[7], ref->mutable_record_date());
    ref->set_facts_json(Str(r[8]));
    api::SetProtoTimestamp(Str(r[9]), ref->mutable_fetched_time());
  }
  for (const auto& r : tx.exec_params("SELECT finding_id::text, source, node_code, amount_vnd FROM finding_money"
                                      " WHERE finding_id = ANY($1::uuid[]) ORDER BY finding_id, source, node_code",
                                      ArrayLiteral(ids))) {
    auto* m = by_id[Str(r[0])]->add_to_recover();
    m->set_source(Str(r[1]));
    m->set_node_code(Str(r[2]));
    m->set_amount_vnd(r[3].as<int64_t>());
  }
}

absl::StatusOr<v1::Finding> ReadFinding(transaction_base& tx, const std::string& id) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", kFindingColumns, " FROM findings f WHERE f.id = $1::uuid"), id);
  if (r.empty()) return api::NotFound(absl::StrCat("findings/", id));
  v1::Finding f = FindingFromRow(r[0]);
  LoadFindingDetails(tx, {&f});
  return f;
}

// ---- Recommendations -------------------------------------------------------------------------------

std::string RecommendationColumns() {
  return absl::StrCat(
      "r.id::text, 'inspections/' || r.inspection_id, coalesce('findings/' || r.finding_id, ''), r.kind, r.description,"
      " r.owner_unit, ",
      DateText("r.deadline"), ", r.status, r.version, r.creator, ", db::Rfc3339("r.create_time"),
      ", (r.status <> 'DONE' AND r.deadline < $1::date)");
}

v1::Recommendation RecommendationFromRow(const pqxx::row& r) {
  v1::Recommendation x;
  x.set_name(absl::StrCat("recommendations/", Str(r[0])));
  x.set_inspection(Str(r[1]));
  x.set_finding(Str(r[2]));
  x.set_kind(ParseEnum<v1::RecommendationKind>(Str(r[3]), v1::RecommendationKind_Parse));
  x.set_description(Str(r[4]));
  x.set_owner_unit(Str(r[5]));
  SetDate(r[6], x.mutable_deadline());
  x.set_status(ParseEnum<v1::RecommendationStatus>(Str(r[7]), v1::RecommendationStatus_Parse));
  x.set_etag(api::EtagForVersion(r[8].as<int64_t>()));
  x.set_creator(Str(r[9]));
  api::SetProtoTimestamp(Str(r[10]), x.mutable_create_time());
  x.set_overdue(r[11].as<bool>());
  return x;
}

void LoadRecommendationDetails(transaction_base& tx, std::vector<v1::Recommendation*> recs) {
  if (recs.empty()) return;
  std::map<std::string, v1::Recommendation*> by_id;
  std::vector<std::string> ids;
  for (auto* r : recs) {
    ids.push_back(api::IdOf(r->name()));
    by_id[ids.back()] = r;
  }
  for (const auto& r : tx.exec_params(absl::StrCat("SELECT recommendation_id::text, ", DateText("day"),
                                                   ", status, evidence, note, actor FROM follow_ups"
                                                   " WHERE recommendation_id = ANY($1::uuid[]) ORDER BY recommendation_id, seq"),
                                      ArrayLiteral(ids))) {
    auto* f = by_id[Str(r[0])]->add_follow_ups();
    SetDate(r[1], f->mutable_date());
    f->set_status(ParseEnum<v1::RecommendationStatus>(Str(r[2]), v1::RecommendationStatus_Parse));
    f->set_evidence(Str(r[3]));
    f->set_note(Str(r[4]));
    f->set_actor(Str(r[5]));
  }
  for (const auto& r : tx.exec_params("SELECT recommendation_id::text, source, node_code, required_vnd, recovered_vnd"
                                      " FROM recovery_requirements WHERE recommendation_id = ANY($1::uuid[])"
                                      " ORDER BY recommendation_id, source, node_code",
                                      ArrayLiteral(ids))) {
    auto* x = by_id[Str(r[0])];
    auto* req = x->add_required();
    req->set_source(Str(r[1]));
    req->set_node_code(Str(r[2]));
    req->set_amount_vnd(r[3].as<int64_t>());
    x->set_required_vnd(x->required_vnd() + req->amount_vnd());
    if (r[4].as<int64_t>() > 0) {
      auto* got = x->add_recovered();
      got->set_source(Str(r[1]));
      got->set_node_code(Str(r[2]));
      got->set_amount_vnd(r[4].as<int64_t>());
      x->set_recovered_vnd(x->recovered_vnd() + got->amount_vnd());
    }
  }
}

absl::StatusOr<v1::Recommendation> ReadRecommendation(transaction_base& tx, const std::string& id,
                                                      const std::string& today) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", RecommendationColumns(),
                                       " FROM recommendations r WHERE r.id = $2::uuid"),
                          today, id);
  if (r.empty()) return api::NotFound(absl::StrCat("recommendations/", id));
  v1::Recommendation x = RecommendationFromRow(r[0]);
  LoadRecommendationDetails(tx, {&x});
  return x;
}

std::string RecoveryColumns() {
  return absl::StrCat("id, 'recommendations/' || recommendation_id, ", DateText("day"),
                      ", amount_vnd, source, node_code, document, over_recovery_reason, creator, ",
                      db::Rfc3339("create_time"));
}

v1::Recovery RecoveryFromRow(const pqxx::row& r) {
  v1::Recovery x;
  x.set_name(absl::StrCat("recoveries/", r[0].as<int64_t>()));
  x.set_recommendation(Str(r[1]));
  SetDate(r[2], x.mutable_date());
  x.set_amount_vnd(r[3].as<int64_t>());
  x.set_source(Str(r[4]));
  x.set_node_code(Str(r[5]));
  x.set_document(Str(r[6]));
  x.set_over_recovery_reason(Str(r[7]));
  x.set_creator(Str(r[8]));
  api::SetProtoTimestamp(Str(r[9]), x.mutable_create_time());
  return x;
}

class PgInspectionStore final : public InspectionStore {
 public:
  explicit PgInspectionStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::Agency>> ListAgencies() override {
    using Out = std::vector<v1::Agency>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      std::map<std::string, size_t> at;
      for (const auto& r : tx.exec(absl::StrCat(
               "SELECT a.code, a.display_name, k.kind, ", DateText("k.valid_from"), ", ", DateText("k.valid_to"),
               ", k.legal_doc FROM agencies a LEFT JOIN agency_kinds k ON k.agency_code = a.code"
               " ORDER BY a.code, k.valid_from, k.kind"))) {
        auto [it, fresh] = at.emplace(Str(r[0]), out.size());
        if (fresh) {
          out.emplace_back();
          out.back().set_code(Str(r[0]));
          out.back().set_display_name(Str(r[1]));
        }
        if (r[2].is_null()) continue;
        auto* k = out[it->second].add_rules();
        k->set_kind(ParseEnum<v1::Kind>(Str(r[2]), v1::Kind_Parse));
        SetDate(r[3], k->mutable_valid_from());
        SetDate(r[4], k->mutable_valid_to());
        k->set_legal_doc(Str(r[5]));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Rule>> ListRules() override {
    using Out = std::vector<v1::Rule>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec(absl::StrCat("SELECT code, value, ", DateText("valid_from"),
                                                ", legal_doc, confirmed FROM rules ORDER BY code, valid_from"))) {
        v1::Rule x;
        x.set_code(Str(r[0]));
        x.set_value(r[1].as<int>());
        SetDate(r[2], x.mutable_valid_from());
        x.set_legal_doc(Str(r[3]));
        x.set_confirmed(r[4].as<bool>());
        out.push_back(std::move(x));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::set<std::string>> Categories() override {
    return pool_->Fetch<std::set<std::string>>([&](transaction_base& tx, std::set<std::string>& out) -> absl::Status {
      for (const auto& r : tx.exec("SELECT code FROM finding_categories")) out.insert(Str(r[0]));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int> RuleValue(const std::string& code, const std::string& day) override {
    return pool_->Fetch<int>([&](transaction_base& tx, int& out) -> absl::Status {
      auto r = tx.exec_params("SELECT rule_value($1, $2::date)", code, day);
      if (r.empty() || r[0][0].is_null()) return absl::NotFoundError(absl::StrCat("no rule ", code, " on ", day));
      out = r[0][0].as<int>();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Plan> CreatePlan(const v1::Plan& plan, const std::string& creator,
                                      const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Plan>([&](transaction_base& tx, v1::Plan& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = NewUuidV7(absl::Now());
        tx.exec_params("INSERT INTO plans (id, agency_code, year, number, issued_date, creator)"
                       " VALUES ($1::uuid, $2, $3, normalize($4, NFC), $5::date, $6)",
                       id, plan.agency_code(), plan.year(), plan.number(), api::ProtoDateText(plan.issued_date()), creator);
        for (int i = 0; i < plan.items_size(); ++i) {
          const auto& item = plan.items(i);
          const std::string from = api::ProtoDateText(item.period_from()), to = api::ProtoDateText(item.period_to());
          LNOB_RETURN_IF_ERROR(RequireNoOverlap(tx, item.subjects(), plan.year(), from, to, "", item.overlap_reason(),
                                                absl::StrCat("plan.items[", i, "]")));
          tx.exec_params("INSERT INTO plan_items (plan_id, number, kind, scope, period_from, period_to, planned_start,"
                         " planned_end, overlap_reason) VALUES ($1::uuid, $2, $3, normalize($4, NFC), $5::date, $6::date,"
                         " $7::date, $8::date, normalize($9, NFC))",
                         id, item.number(), v1::Kind_Name(item.kind()), item.scope(), from, to,
                         api::ProtoDateText(item.planned_start()), api::ProtoDateText(item.planned_end()),
                         item.overlap_reason());
          InsertSubjects(tx, ItemOwner(id, item.number()), item.subjects(), plan.agency_code(),
                         v1::Kind_Name(item.kind()), plan.year(), from, to, "", item.overlap_reason());
        }
        LNOB_ASSIGN_OR_RETURN(out, ReadPlan(tx, id));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Plan> GetPlan(const std::string& id) override {
    return pool_->Fetch<v1::Plan>([&](transaction_base& tx, v1::Plan& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, ReadPlan(tx, id));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Plan>> ListPlans(int year, const std::string& agency, const Units& units,
                                                  const std::string& after_id, int limit) override {
    using Out = std::vector<v1::Plan>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto ids = tx.exec_params(
          "SELECT p.id::text FROM plans p WHERE ($1 = 0 OR p.year = $1) AND ($2 = '' OR p.agency_code = $2)"
          " AND (NOT $3 OR EXISTS (SELECT 1 FROM subjects s WHERE s.owner LIKE 'inspectionPlans/' || p.id || '/%'"
          "                        AND s.unit_code = ANY($4::text[])))"
          " AND ($5 = '' OR p.id > $5::uuid) ORDER BY p.id LIMIT $6",
          year, agency, units.has_value(), UnitsArray(units), after_id, limit);
      for (const auto& r : ids) {
        LNOB_ASSIGN_OR_RETURN(auto p, ReadPlan(tx, Str(r[0])));
        out.push_back(std::move(p));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::pair<v1::PlanItem, std::string>> GetPlanItem(const std::string& plan_id, int number) override {
    using Out = std::pair<v1::PlanItem, std::string>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(v1::Plan p, ReadPlan(tx, plan_id));
      for (const auto& item : p.items()) {
        if (item.number() == number) {
          out = {item, p.agency_code()};
          return absl::OkStatus();
        }
      }
      return api::NotFound(ItemOwner(plan_id, number));
    });
  }

  absl::StatusOr<v1::Inspection> CreateInspection(const v1::Inspection& in, const std::string& creator,
                                                  const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Inspection>([&](transaction_base& tx, v1::Inspection& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = NewUuidV7(absl::Now());
        std::string plan_id, plan_item;
        if (!in.plan_item().empty()) {
          // inspectionPlans/{uuid}/items/{n}
          const auto slash = in.plan_item().find('/', 16);
          plan_id = in.plan_item().substr(16, slash - 16);
          plan_item = in.plan_item().substr(in.plan_item().rfind('/') + 1);
        }
        const std::string from = api::ProtoDateText(in.period_from()), to = api::ProtoDateText(in.period_to());
        LNOB_RETURN_IF_ERROR(RequireNoOverlap(tx, in.subjects(), in.decision_date().year(), from, to, in.plan_item(),
                                              in.overlap_reason(), "inspection"));
        tx.exec_params(
            "INSERT INTO inspections (id, kind, agency_code, decision_number, decision_date, origin, plan_id, plan_item,"
            " decider, leader, members, duration_days, scope, period_from, period_to, overlap_reason, creator)"
            " VALUES ($1::uuid, $2, $3, normalize($4, NFC), $5::date, $6, NULLIF($7, '')::uuid, NULLIF($8, '')::integer,"
            " $9, $10, $11::text[], $12, normalize($13, NFC), $14::date, $15::date, normalize($16, NFC), $17)",
            id, v1::Kind_Name(in.kind()), in.agency_code(), in.decision_number(),
            api::ProtoDateText(in.decision_date()), v1::Origin_Name(in.origin()), plan_id, plan_item, in.decider(),
            in.leader(), ArrayLiteral(std::vector<std::string>(in.members().begin(), in.members().end())),
            in.duration_days(), in.scope(), from, to, in.overlap_reason(), creator);
        InsertSubjects(tx, absl::StrCat("inspections/", id), in.subjects(), in.agency_code(), v1::Kind_Name(in.kind()),
                       in.decision_date().year(), from, to, in.plan_item(), in.overlap_reason());
        tx.exec_params("INSERT INTO inspection_steps (inspection_id, seq, to_state, day, actor, note)"
                       " VALUES ($1::uuid, 1, 'DECIDED', $2::date, $3, '')",
                       id, api::ProtoDateText(in.decision_date()), creator);
        LNOB_ASSIGN_OR_RETURN(out, ReadInspection(tx, id));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Inspection> GetInspection(const std::string& id) override {
    return pool_->Fetch<v1::Inspection>([&](transaction_base& tx, v1::Inspection& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, ReadInspection(tx, id));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Inspection>> ListInspections(const InspectionQuery& q) override {
    using Out = std::vector<v1::Inspection>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto ids = tx.exec_params(
          "SELECT i.id::text FROM inspections i WHERE ($1 = 0 OR extract(year FROM i.decision_date) = $1)"
          " AND ($2 = '' OR i.kind = $2) AND ($3 = '' OR i.agency_code = $3) AND ($4 = '' OR i.state = $4)"
          " AND (NOT $5 OR EXISTS (SELECT 1 FROM subjects s WHERE s.owner = 'inspections/' || i.id"
          "                        AND s.unit_code = ANY($6::text[])))"
          " AND ($7 = '' OR i.id > $7::uuid)"
          " AND (NOT $9 OR i.state NOT IN ('CONCLUDED', 'PUBLISHED', 'WITHDRAWN')) ORDER BY i.id LIMIT $8",
          q.year, q.kind, q.agency, q.state, q.units.has_value(), UnitsArray(q.units), q.after_id, q.limit,
          q.open_only);
      for (const auto& r : ids) {
        LNOB_ASSIGN_OR_RETURN(auto in, ReadInspection(tx, Str(r[0])));
        out.push_back(std::move(in));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Inspection> AdvanceInspection(const Advance& a, const v1::AdvanceInspectionRequest& req) override {
    return pool_->Write<v1::Inspection>([&](transaction_base& tx, v1::Inspection& out) -> absl::Status {
      auto cur = tx.exec_params("SELECT version FROM inspections WHERE id = $1::uuid FOR UPDATE", a.id);
      if (cur.empty()) return api::NotFound(absl::StrCat("inspections/", a.id));
      LNOB_RETURN_IF_ERROR(api::CheckEtag(a.etag, cur[0][0].as<int64_t>()));
      if (a.to == "ANNOUNCED") {
        int seq = 0;
        for (const auto& d : req.data_requests()) {
          tx.exec_params("INSERT INTO data_requests (inspection_id, seq, addressee, description, requested_date, due_date)"
                         " VALUES ($1::uuid, $2, normalize($3, NFC), normalize($4, NFC), $5::date, $6::date)",
                         a.id, ++seq, d.addressee(), d.description(), api::ProtoDateText(d.requested_date()),
                         api::ProtoDateText(d.due_date()));
        }
      } else if (a.to == "REPORTED") {
        tx.exec_params("UPDATE inspections SET report_summary = normalize($2, NFC) WHERE id = $1::uuid", a.id,
                       req.report_summary());
      } else if (a.to == "DRAFTED") {
        std::string passages = "[";
        for (const auto& p : req.protected_passages()) {
          if (passages.size() > 1) passages += ",";
          std::string json;
          (void)google::protobuf::util::MessageToJsonString(p, &json);
          passages += json;
        }
        passages += "]";
        tx.exec_params("INSERT INTO conclusions (inspection_id, drafter, draft_date, text, protected_passages)"
                       " VALUES ($1::uuid, $2, $3::date, $4, $5::jsonb)",
                       a.id, a.actor, a.day, req.conclusion_text(), passages);
      } else if (a.to == "APPRAISED") {
        tx.exec_params("UPDATE conclusions SET appraiser = $2, appraisal_date = $3::date, appraisal_opinion = normalize($4, NFC)"
                       " WHERE inspection_id = $1::uuid",
                       a.id, a.actor, a.day, req.appraisal_opinion());
      } else if (a.to == "CONCLUDED") {
        tx.exec_params("UPDATE conclusions SET signer = $2, signed_date = $3::date, number = normalize($4, NFC),"
                       " late_reason = normalize($5, NFC) WHERE inspection_id = $1::uuid",
                       a.id, a.actor, a.day, req.conclusion_number(), req.late_reason());
      } else if (a.to == "PUBLISHED") {
        tx.exec_params("UPDATE conclusions SET published_text = $2, portal_url = $3, published_from = $4::date"
                       " WHERE inspection_id = $1::uuid",
                       a.id, a.published_text, req.portal_url(), a.day);
      } else if (a.to == "WITHDRAWN") {
        tx.exec_params("UPDATE conclusions SET withdrawn_date = $2::date, withdraw_reason = normalize($3, NFC)"
                       " WHERE inspection_id = $1::uuid",
                       a.id, a.day, req.reason());
      }
      tx.exec_params("UPDATE inspections SET state = $2, version = version + 1 WHERE id = $1::uuid", a.id, a.to);
      tx.exec_params("INSERT INTO inspection_steps (inspection_id, seq, to_state, day, actor, note)"
                     " SELECT $1::uuid, coalesce(max(seq), 0) + 1, $2, $3::date, $4, normalize($5, NFC)"
                     " FROM inspection_steps WHERE inspection_id = $1::uuid",
                     a.id, a.to, a.day, a.actor, a.note);
      LNOB_ASSIGN_OR_RETURN(out, ReadInspection(tx, a.id));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Conclusion> GetConclusion(const std::string& id) override {
    return pool_->Fetch<v1::Conclusion>([&](transaction_base& tx, v1::Conclusion& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT i.state, c.drafter, ", DateText("c.draft_date"), ", c.text, c.protected_passages::text,"
                       " coalesce(c.appraiser, ''), ", DateText("c.appraisal_date"), ", coalesce(c.appraisal_opinion, ''),"
                       " coalesce(c.signer, ''), coalesce(c.number, ''), ", DateText("c.signed_date"), ", ", DateText("c.signing_due"),
                       ", c.late_reason, coalesce(c.published_text, ''), coalesce(c.portal_url, ''), ",
                       DateText("c.published_from"), ", ", DateText("c.withdrawable_from"), ", ", DateText("c.withdrawn_date"),
                       " FROM conclusions c JOIN inspections i ON i.id = c.inspection_id WHERE c.inspection_id = $1::uuid"),
          id);
      if (r.empty()) return api::NotFound(absl::StrCat("inspections/", id, "/conclusion"));
      const auto& row = r[0];
      out.set_name(absl::StrCat("inspections/", id, "/conclusion"));
      out.set_state(ParseEnum<v1::State>(Str(row[0]), v1::State_Parse));
      out.set_drafter(Str(row[1]));
      SetDate(row[2], out.mutable_draft_date());
      out.set_text(Str(row[3]));
      // [{"text": ..., "reason": ...}, ...]
      v1::Conclusion passages;
      (void)google::protobuf::util::JsonStringToMessage(absl::StrCat("{\"protectedPassages\":", Str(row[4]), "}"),
                                                        &passages);
      *out.mutable_protected_passages() = passages.protected_passages();
      out.set_appraiser(Str(row[5]));
      SetDate(row[6], out.mutable_appraisal_date());
      out.set_appraisal_opinion(Str(row[7]));
      out.set_signer(Str(row[8]));
      out.set_number(Str(row[9]));
      SetDate(row[10], out.mutable_signed_date());
      SetDate(row[11], out.mutable_signing_due());
      out.set_late_reason(Str(row[12]));
      out.set_published_text(Str(row[13]));
      out.set_portal_url(Str(row[14]));
      SetDate(row[15], out.mutable_published_from());
      SetDate(row[16], out.mutable_withdrawable_from());
      SetDate(row[17], out.mutable_withdrawn_date());
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Finding> CreateFinding(const v1::Finding& f, const std::string& creator,
                                            const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Finding>([&](transaction_base& tx, v1::Finding& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = NewUuidV7(absl::Now());
        tx.exec_params("INSERT INTO findings (id, inspection_id, category, severity, description, unit_code, found_date,"
                       " misused_vnd, to_recover_vnd, hold, creator) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7::date,"
                       " $8, $9, $10, $11)",
                       id, api::IdOf(f.inspection()), f.category(), v1::Severity_Name(f.severity()), f.description(),
                       f.unit_code(), api::ProtoDateText(f.date()), f.misused_vnd(), f.to_recover_vnd(), f.hold(),
                       creator);
        // References in one statement each way (a finding may cite thousands of lines).
        std::vector<std::string> kinds, resources, nodes, sources, amounts, communes, dates, facts, fetched;
        for (const auto& r : f.references()) {
          kinds.push_back(v1::ReferenceKind_Name(r.kind()));
          resources.push_back(r.resource());
          nodes.push_back(r.node_code());
          sources.push_back(r.source());
          amounts.push_back(absl::StrCat(r.amount_vnd()));
          communes.push_back(r.commune_code());
          dates.push_back(api::IsSet(r.record_date()) ? api::ProtoDateText(r.record_date()) : "");
          facts.push_back(r.facts_json().empty() ? "{}" : r.facts_json());
          fetched.push_back(absl::StrCat(r.fetched_time().seconds()));
        }
        if (!kinds.empty()) {
          tx.exec_params(
              "INSERT INTO finding_refs (finding_id, seq, kind, resource, node_code, source, amount_vnd, commune_code,"
              " record_date, facts, fetched_at)"
              " SELECT $1::uuid, n, k, r, nd, s, a::bigint, c, NULLIF(d, '')::date, fa::jsonb, to_timestamp(ft::bigint)"
              " FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],"
              "             $9::text[], $10::text[]) WITH ORDINALITY AS x(k, r, nd, s, a, c, d, fa, ft, n)",
              id, ArrayLiteral(kinds), ArrayLiteral(resources), ArrayLiteral(nodes), ArrayLiteral(sources),
              ArrayLiteral(amounts), ArrayLiteral(communes), ArrayLiteral(dates), ArrayLiteral(facts),
              ArrayLiteral(fetched));
        }
        // The money in one statement: the report's aggregate counts a finding once per node.
        std::vector<std::string> money_sources, money_nodes, money_amounts;
        for (const auto& m : f.to_recover()) {
          money_sources.push_back(m.source());
          money_nodes.push_back(m.node_code());
          money_amounts.push_back(absl::StrCat(m.amount_vnd()));
        }
        if (!money_sources.empty()) {
          tx.exec_params("INSERT INTO finding_money (finding_id, source, node_code, amount_vnd)"
                         " SELECT $1::uuid, s, n, a::bigint FROM unnest($2::text[], $3::text[], $4::text[]) AS x(s, n, a)",
                         id, ArrayLiteral(money_sources), ArrayLiteral(money_nodes), ArrayLiteral(money_amounts));
        }
        LNOB_ASSIGN_OR_RETURN(out, ReadFinding(tx, id));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Finding> GetFinding(const std::string& id) override {
    return pool_->Fetch<v1::Finding>([&](transaction_base& tx, v1::Finding& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, ReadFinding(tx, id));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Finding>> ListFindings(const FindingQuery& q) override {
    using Out = std::vector<v1::Finding>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kFindingColumns, " FROM findings f WHERE ($1 = '' OR f.inspection_id = NULLIF($1, '')::uuid)"
                       " AND (NOT $2 OR f.unit_code = ANY($3::text[])) AND ($4 = '' OR f.category = $4)"
                       " AND ($5 = '' OR EXISTS (SELECT 1 FROM finding_refs x WHERE x.finding_id = f.id AND x.resource = $5))"
                       " AND (NOT $6 OR (f.severity = 'SERIOUS' AND (NOT EXISTS (SELECT 1 FROM recommendations r"
                       "      WHERE r.finding_id = f.id) OR EXISTS (SELECT 1 FROM recommendations r"
                       "      WHERE r.finding_id = f.id AND r.status <> 'DONE'))))"
                       " AND ($7 = '' OR f.id > $7::uuid) ORDER BY f.id LIMIT $8"),
          q.inspection_id, q.units.has_value(), UnitsArray(q.units), q.category, q.resource, q.open_serious_only,
          q.after_id, q.limit);
      for (const auto& row : r) out.push_back(FindingFromRow(row));
      std::vector<v1::Finding*> ptrs;
      for (auto& f : out) ptrs.push_back(&f);
      LoadFindingDetails(tx, ptrs);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Finding> LiftHold(const std::string& id, const std::string& etag,
                                       const std::string& reason) override {
    return pool_->Write<v1::Finding>([&](transaction_base& tx, v1::Finding& out) -> absl::Status {
      auto cur = tx.exec_params("SELECT version FROM findings WHERE id = $1::uuid FOR UPDATE", id);
      if (cur.empty()) return api::NotFound(absl::StrCat("findings/", id));
      LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, cur[0][0].as<int64_t>()));
      tx.exec_params("UPDATE findings SET hold_active = false, hold_lift_reason = normalize($2, NFC), version = version + 1"
                     " WHERE id = $1::uuid",
                     id, reason);
      LNOB_ASSIGN_OR_RETURN(out, ReadFinding(tx, id));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Recommendation> CreateRecommendation(const v1::Recommendation& r, const std::string& creator,
                                                          const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Recommendation>([&](transaction_base& tx, v1::Recommendation& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = NewUuidV7(absl::Now());
        tx.exec_params("INSERT INTO recommendations (id, inspection_id, finding_id, kind, description, owner_unit, deadline,"
                       " creator) VALUES ($1::uuid, $2::uuid, NULLIF($3, '')::uuid, $4, $5, $6, $7::date, $8)",
                       id, api::IdOf(r.inspection()), r.finding().empty() ? "" : api::IdOf(r.finding()),
                       v1::RecommendationKind_Name(r.kind()), r.description(), r.owner_unit(),
                       api::ProtoDateText(r.deadline()), creator);
        if (r.kind() == v1::FINANCIAL) {
          // The money to recover is the finding's, by source and node.
          tx.exec_params("INSERT INTO recovery_requirements (recommendation_id, source, node_code, required_vnd)"
                         " SELECT $1::uuid, source, node_code, amount_vnd FROM finding_money WHERE finding_id = $2::uuid",
                         id, api::IdOf(r.finding()));
        }
        LNOB_ASSIGN_OR_RETURN(out, ReadRecommendation(tx, id, "1970-01-01"));
        out.set_overdue(false);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Recommendation> GetRecommendation(const std::string& id, const std::string& today) override {
    return pool_->Fetch<v1::Recommendation>([&](transaction_base& tx, v1::Recommendation& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, ReadRecommendation(tx, id, today));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Recommendation>> ListRecommendations(const RecommendationQuery& q) override {
    using Out = std::vector<v1::Recommendation>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      // The overdue list reads the partial index on open deadlines, oldest deadline first.
      std::string after_deadline = "0001-01-01", after_id;
      if (q.overdue_only && !q.after_id.empty()) {
        const auto bar = q.after_id.find('|');
        after_deadline = q.after_id.substr(0, bar);
        after_id = bar == std::string::npos ? "" : q.after_id.substr(bar + 1);
      } else {
        after_id = q.after_id;
      }
      const std::string filter =
          " WHERE ($2 = '' OR r.inspection_id = NULLIF($2, '')::uuid) AND (NOT $3 OR r.owner_unit = ANY($4::text[]))"
          " AND ($5 = '' OR r.status = $5)";
      auto rows = q.overdue_only
                      ? tx.exec_params(absl::StrCat("SELECT ", RecommendationColumns(), " FROM recommendations r", filter,
                                                    " AND r.status <> 'DONE' AND r.deadline < $1::date"
                                                    " AND (r.deadline, r.id) > ($6::date, coalesce(NULLIF($7, '')::uuid,"
                                                    " '00000000-0000-0000-0000-000000000000'::uuid))"
                                                    " ORDER BY r.deadline, r.id LIMIT $8"),
                                       q.today, q.inspection_id, q.units.has_value(), UnitsArray(q.units), q.status,
                                       after_deadline, after_id, q.limit)
                      : tx.exec_params(absl::StrCat("SELECT ", RecommendationColumns(), " FROM recommendations r", filter,
                                                    " AND ($6 = '' OR r.id > NULLIF($6, '')::uuid) ORDER BY r.id LIMIT $7"),
                                       q.today, q.inspection_id, q.units.has_value(), UnitsArray(q.units), q.status,
                                       after_id, q.limit);
      for (const auto& row : rows) out.push_back(RecommendationFromRow(row));
      std::vector<v1::Recommendation*> ptrs;
      for (auto& r : out) ptrs.push_back(&r);
      LoadRecommendationDetails(tx, ptrs);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Recommendation> RecordFollowUp(const std::string& id, const std::string& etag,
                                                    const v1::FollowUp& f, const std::string& actor,
                                                    const std::string& today, const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Recommendation>([&](transaction_base& tx, v1::Recommendation& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        auto cur = tx.exec_params("SELECT version FROM recommendations WHERE id = $1::uuid FOR UPDATE", id);
        if (cur.empty()) return api::NotFound(absl::StrCat("recommendations/", id));
        LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, cur[0][0].as<int64_t>()));
        tx.exec_params("INSERT INTO follow_ups (recommendation_id, seq, day, status, evidence, note, actor)"
                       " SELECT $1::uuid, coalesce(max(seq), 0) + 1, $2::date, $3, $4, $5, $6 FROM follow_ups"
                       " WHERE recommendation_id = $1::uuid",
                       id, api::ProtoDateText(f.date()), v1::RecommendationStatus_Name(f.status()), f.evidence(),
                       f.note(), actor);
        LNOB_ASSIGN_OR_RETURN(out, ReadRecommendation(tx, id, today));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Recovery> RecordRecovery(const v1::Recovery& r, const std::string& creator,
                                              const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Recovery>([&](transaction_base& tx, v1::Recovery& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        // Never past what is required for the source and node, unless said so (the trigger
        // checks it too, under the same row lock).
        auto need = tx.exec_params("SELECT required_vnd, recovered_vnd FROM recovery_requirements"
                                   " WHERE recommendation_id = $1::uuid AND source = $2 AND node_code = $3 FOR UPDATE",
                                   api::IdOf(r.recommendation()), r.source(), r.node_code());
        if (!need.empty() && r.over_recovery_reason().empty() &&
            need[0][1].as<int64_t>() + r.amount_vnd() > need[0][0].as<int64_t>()) {
          return WithReason(absl::FailedPreconditionError(absl::StrCat(
                                "recovery.amount_vnd: ", need[0][1].as<int64_t>() + r.amount_vnd(),
                                " VND recovered would exceed the ", need[0][0].as<int64_t>(),
                                " VND required; record it as an over-recovery with over_recovery_reason")),
                            "OVER_RECOVERY");
        }
        auto row = tx.exec_params(
            absl::StrCat("INSERT INTO recoveries (recommendation_id, day, amount_vnd, source, node_code, document,"
                         " over_recovery_reason, creator) VALUES ($1::uuid, $2::date, $3, $4, $5, normalize($6, NFC),"
                         " normalize($7, NFC), $8) RETURNING ",
                         RecoveryColumns()),
            api::IdOf(r.recommendation()), api::ProtoDateText(r.date()), r.amount_vnd(), r.source(), r.node_code(),
            r.document(), r.over_recovery_reason(), creator);
        out = RecoveryFromRow(row[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<std::vector<v1::Recovery>> ListRecoveries(const std::string& recommendation_id, int64_t after_id,
                                                          int limit) override {
    using Out = std::vector<v1::Recovery>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(absl::StrCat("SELECT ", RecoveryColumns(), " FROM recoveries"
                                                       " WHERE recommendation_id = $1::uuid AND id > $2 ORDER BY id LIMIT $3"),
                                          recommendation_id, after_id, limit)) {
        out.push_back(RecoveryFromRow(r));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<ReportRow>> FindingsReport(const std::string& from, const std::string& to,
                                                        const Units& units, bool by_node, bool by_unit,
                                                        bool by_category, bool by_severity) override {
    using Out = std::vector<ReportRow>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      // The trigger-kept aggregate by month (periods are whole months); dimensions not asked
      // for collapse to ''.
      const std::string sql = absl::StrCat(
          "SELECT ", by_node ? "node_code" : "''", ", ", by_unit ? "unit_code" : "''", ", ",
          by_category ? "category" : "''", ", ", by_severity ? "severity" : "''",
          ", sum(findings)::bigint, sum(to_recover_vnd)::bigint FROM findings_agg"
          " WHERE by_node = $5 AND month BETWEEN date_trunc('month', $1::date) AND $2::date"
          " AND (NOT $3 OR unit_code = ANY($4::text[])) GROUP BY 1, 2, 3, 4");
      for (const auto& r : tx.exec_params(sql, from, to, units.has_value(), UnitsArray(units), by_node)) {
        out.push_back({Str(r[0]), Str(r[1]), Str(r[2]), Str(r[3]), r[4].as<int64_t>(), r[5].as<int64_t>()});
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::FlaggedRecord>> ListFlaggedRecords(const FlaggedQuery& q) override {
    using Out = std::vector<v1::FlaggedRecord>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      std::string after_kind, after_resource;
      if (!q.after.empty()) {
        const auto bar = q.after.find('|');
        after_kind = q.after.substr(0, bar);
        after_resource = bar == std::string::npos ? "" : q.after.substr(bar + 1);
      }
      // A finding is open while it has no recommendation yet or one not done.
      auto rows = tx.exec_params(
          "WITH fr AS ("
          "  SELECT x.kind, x.resource, min(x.commune_code) AS commune_code, f.id, f.severity,"
          "         (NOT EXISTS (SELECT 1 FROM recommendations r WHERE r.finding_id = f.id)"
          "          OR EXISTS (SELECT 1 FROM recommendations r WHERE r.finding_id = f.id AND r.status <> 'DONE')) AS open"
          "    FROM finding_refs x JOIN findings f ON f.id = x.finding_id"
          "   WHERE ($1 = '' OR x.kind = $1 OR ($1 = 'SUPPORT_LINE' AND x.kind = 'SUPPORT_SHARE'))"
          "     AND (NOT $2 OR x.commune_code = ANY($3::text[]))"
          "     AND (x.kind, x.resource) > ($5, $6)"
          "   GROUP BY x.kind, x.resource, f.id, f.severity)"
          " SELECT kind, resource, min(commune_code), count(DISTINCT id),"
          "        count(DISTINCT id) FILTER (WHERE open AND severity = 'SERIOUS'),"
          "        max(CASE severity WHEN 'SERIOUS' THEN 3 WHEN 'MODERATE' THEN 2 ELSE 1 END),"
          "        (array_agg(id::text ORDER BY id))[1:20]"
          "   FROM fr GROUP BY kind, resource"
          "  HAVING NOT $4 OR count(*) FILTER (WHERE open AND severity = 'SERIOUS') > 0"
          "  ORDER BY kind, resource LIMIT $7",
          q.kind, q.communes.has_value(), UnitsArray(q.communes), q.open_serious_only, after_kind, after_resource,
          q.limit);
      for (const auto& r : rows) {
        v1::FlaggedRecord x;
        x.set_kind(ParseEnum<v1::ReferenceKind>(Str(r[0]), v1::ReferenceKind_Parse));
        x.set_resource(Str(r[1]));
        x.set_commune_code(Str(r[2]));
        x.set_findings(r[3].as<int64_t>());
        x.set_open_serious_findings(r[4].as<int64_t>());
        x.set_max_severity(static_cast<v1::Severity>(r[5].as<int>()));
        for (const auto& id : db::ArrayValue(r[6])) x.add_finding_names("findings/" + id);
        out.push_back(std::move(x));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Statistics> Statistics(const std::string& from, const std::string& to, const Units& units,
                                            const std::string& today) override {
    return pool_->Fetch<v1::Statistics>([&](transaction_base& tx, v1::Statistics& out) -> absl::Status {
      const bool f = units.has_value();
      const std::string u = UnitsArray(units);
      // Inspections decided in the period with a subject in the units.
      auto w = tx.exec_params(
          "WITH i AS (SELECT i.* FROM inspections i WHERE i.decision_date BETWEEN $1::date AND $2::date"
          "   AND (NOT $3 OR EXISTS (SELECT 1 FROM subjects s WHERE s.owner = 'inspections/' || i.id"
          "                          AND s.unit_code = ANY($4::text[]))))"
          " SELECT count(*) FILTER (WHERE kind = 'INSPECTION'), count(*) FILTER (WHERE kind = 'CHECK'),"
          "        count(*) FILTER (WHERE origin = 'AD_HOC'), count(*) FILTER (WHERE overlap_reason <> ''),"
          "        count(c.signer), count(c.signer) FILTER (WHERE c.signed_date > c.signing_due),"
          "        count(c.published_from),"
          "        count(c.signer) FILTER (WHERE NOT EXISTS (SELECT 1 FROM recommendations r"
          "                                 WHERE r.inspection_id = i.id AND r.status <> 'DONE'))"
          "   FROM i LEFT JOIN conclusions c ON c.inspection_id = i.id",
          from, to, f, u);
      out.set_inspections(w[0][0].as<int64_t>());
      out.set_checks(w[0][1].as<int64_t>());
      out.set_ad_hoc(w[0][2].as<int64_t>());
      out.set_overlaps_flagged(w[0][3].as<int64_t>());
      out.set_conclusions_signed(w[0][4].as<int64_t>());
      out.set_conclusions_signed_late(w[0][5].as<int64_t>());
      out.set_conclusions_published(w[0][6].as<int64_t>());
      out.set_conclusions_fully_carried_out(w[0][7].as<int64_t>());
      if (out.conclusions_signed() > 0) {
        out.set_fully_carried_out_share(static_cast<double>(out.conclusions_fully_carried_out()) /
                                        static_cast<double>(out.conclusions_signed()));
      }
      auto fr = tx.exec_params(
          "SELECT count(*), count(*) FILTER (WHERE severity = 'SERIOUS'), count(*) FILTER (WHERE hold_active)"
          " FROM findings WHERE found_date BETWEEN $1::date AND $2::date AND (NOT $3 OR unit_code = ANY($4::text[]))",
          from, to, f, u);
      out.set_findings(fr[0][0].as<int64_t>());
      out.set_serious_findings(fr[0][1].as<int64_t>());
      out.set_holds_active(fr[0][2].as<int64_t>());
      // Recommendations with a deadline in the period, owned in the units; overdue: as of today.
      auto rr = tx.exec_params(
          "SELECT count(*), count(*) FILTER (WHERE status = 'DONE'),"
          "       count(*) FILTER (WHERE status <> 'DONE' AND deadline < $5::date)"
          "  FROM recommendations WHERE deadline BETWEEN $1::date AND $2::date"
          "   AND (NOT $3 OR owner_unit = ANY($4::text[]))",
          from, to, f, u, today);
      out.set_recommendations(rr[0][0].as<int64_t>());
      out.set_recommendations_done(rr[0][1].as<int64_t>());
      out.set_recommendations_overdue(rr[0][2].as<int64_t>());
      if (out.recommendations() > 0) {
        out.set_completion_rate(static_cast<double>(out.recommendations_done()) /
                                static_cast<double>(out.recommendations()));
      }
      for (const auto& r : tx.exec_params(
               "SELECT q.source, sum(q.required_vnd)::bigint, sum(q.recovered_vnd)::bigint"
               "  FROM recovery_requirements q JOIN recommendations r ON r.id = q.recommendation_id"
               " WHERE r.deadline BETWEEN $1::date AND $2::date AND (NOT $3 OR r.owner_unit = ANY($4::text[]))"
               " GROUP BY q.source ORDER BY q.source",
               from, to, f, u)) {
        auto* m = out.add_money_by_source();
        m->set_source(Str(r[0]));
        m->set_required_vnd(r[1].as<int64_t>());
        m->set_recovered_vnd(r[2].as<int64_t>());
        out.set_required_vnd(out.required_vnd() + m->required_vnd());
        out.set_recovered_vnd(out.recovered_vnd() + m->recovered_vnd());
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(int64_t after_cursor, int limit) override {
    using Out = std::vector<v1::ChangeEvent>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT cursor, kind, resource, commune_code, ", DateText("event_date"),
                            ", support_line, source, node_code, amount_vnd, ", db::Rfc3339("at"),
                            " FROM change_feed WHERE cursor > $1 ORDER BY cursor LIMIT $2"),
               after_cursor, limit)) {
        v1::ChangeEvent e;
        e.set_cursor(r[0].as<int64_t>());
        e.set_kind(Str(r[1]));
        e.set_resource(Str(r[2]));
        e.set_commune_code(Str(r[3]));
        SetDate(r[4], e.mutable_date());
        e.set_support_line(Str(r[5]));
        e.set_source(Str(r[6]));
        e.set_node_code(Str(r[7]));
        e.set_amount_vnd(r[8].as<int64_t>());
        api::SetProtoTimestamp(Str(r[9]), e.mutable_event_time());
        out.push_back(std::move(e));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> FeedHead() override { return db::ChangeFeedHead(pool_); }

  bool Healthy() override { return pool_->Ping(); }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<InspectionStore> NewPgInspectionStore(db::Pool* pool) {
  return std::make_unique<PgInspectionStore>(pool);
}

}  // namespace lnob::inspection
