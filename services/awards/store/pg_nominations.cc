#include "services/awards/store/pg_nominations.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/uuid.h"
#include "services/awards/store/pg_json.h"

namespace lnob::awards::pg {
namespace {

using db::ArrayLiteral;
using db::DateText;
using db::Str;
using pqxx::transaction_base;

void SetDate(const pqxx::field& f, google::type::Date* out) {
  if (!f.is_null()) api::SetProtoDate(Str(f), out);
}
void SetTime(const pqxx::field& f, google::protobuf::Timestamp* out) {
  if (!f.is_null()) api::SetProtoTimestamp(Str(f), out);
}
int64_t Int(const pqxx::field& f) { return f.is_null() ? 0 : f.as<int64_t>(); }

template <typename E, typename Parse>
E EnumOf(const pqxx::field& f, Parse parse) {
  E e{};
  parse(Str(f), &e);
  return e;
}

// Everything a nomination shows, in one statement for many: the nomination, its council
// review, decision, revocation and latest snapshot; then the votes.
std::string NominationSelect() {
  return absl::StrCat(
      "SELECT n.id::text, coalesce('movements/' || n.movement_id, ''), n.year, n.form_code, n.subject_kind,"
      " n.subject_name, n.subject_ref, n.unit_code, n.sex, n.ethnic_group_code, n.household, n.subject_principal,"
      " n.named_persons, n.achievements::text, n.report, n.state, ",
      DateText("n.ur_meeting_date"), ", n.ur_attendees, n.ur_for, n.ur_against, n.ur_proposed, n.ur_minutes,"
      " n.ur_recorder, n.sub_to, n.sub_letter, ", DateText("n.sub_date"), ", n.sub_submitter, n.creator, ",
      db::Rfc3339("n.create_time"), ", ", db::Rfc3339("n.update_time"), ", n.version,",
      " coalesce('councils/' || cr.council_id, ''), ", DateText("cr.opened_date"), ", cr.snapshot_seq, cr.members,"
      " cr.quorum_met, cr.approved, ", db::Rfc3339("cr.close_time"), ",",
      " d.number, ", DateText("d.date"), ", d.authority_level, d.signer, d.decider, d.override_reason,"
      " d.open_inspections, d.open_serious_findings, d.inspection_cursor,"
      " rv.reason, rv.number, ", DateText("rv.date"), ", rv.amount_to_recover_vnd, rv.note, rv.revoker,"
      " es.seq, ", DateText("es.as_of"), ", ", db::Rfc3339("es.taken_time"), ", es.owners::text, es.items, es.digest,"
      " es.households, es.households_escaped, es.households_em, es.activities, es.participants"
      " FROM nominations n LEFT JOIN council_reviews cr ON cr.nomination_id = n.id"
      " LEFT JOIN decisions d ON d.nomination_id = n.id LEFT JOIN revocations rv ON rv.nomination_id = n.id"
      " LEFT JOIN LATERAL (SELECT * FROM evidence_snapshots s WHERE s.nomination_id = n.id"
      "                    ORDER BY s.seq DESC LIMIT 1) es ON true");
}

std::string SnapshotName(const std::string& id, int64_t seq) {
  return absl::StrCat("nominations/", id, "/evidence/", seq);
}

void SnapshotFromFields(const std::string& id, const pqxx::row& r, int at, v1::EvidenceSnapshot* s) {
  s->set_name(SnapshotName(id, r[at].as<int64_t>()));
  SetDate(r[at + 1], s->mutable_as_of());
  SetTime(r[at + 2], s->mutable_taken_time());
  ParseArray("owners", Str(r[at + 3]), s);
  s->set_items(Int(r[at + 4]));
  s->set_digest(Str(r[at + 5]));
  auto* sum = s->mutable_summary();
  sum->set_households(Int(r[at + 6]));
  sum->set_households_escaped(Int(r[at + 7]));
  sum->set_households_ethnic_minority(Int(r[at + 8]));
  sum->set_activities(Int(r[at + 9]));
  sum->set_activity_participants(Int(r[at + 10]));
}

v1::Nomination NominationFromRow(const pqxx::row& r) {
  v1::Nomination n;
  const std::string id = Str(r[0]);
  n.set_name("nominations/" + id);
  n.set_movement(Str(r[1]));
  n.set_year(r[2].as<int>());
  n.set_form_code(Str(r[3]));
  n.set_subject_kind(EnumOf<v1::RecipientKind>(r[4], v1::RecipientKind_Parse));
  n.set_subject_name(Str(r[5]));
  n.set_subject_ref(Str(r[6]));
  n.set_unit_code(Str(r[7]));
  n.set_sex(EnumOf<v1::Sex>(r[8], v1::Sex_Parse));
  n.set_ethnic_group_code(Str(r[9]));
  n.set_ethnic_minority(!n.ethnic_group_code().empty() && n.ethnic_group_code() != "01");
  n.set_household(Str(r[10]));
  n.set_subject_principal(Str(r[11]));
  for (auto& p : db::ArrayValue(r[12])) n.add_named_persons(std::move(p));
  ParseArray("achievements", Str(r[13]), &n);
  n.set_report(Str(r[14]));
  n.set_state(EnumOf<v1::NominationState>(r[15], v1::NominationState_Parse));
  if (!r[16].is_null()) {
    auto* u = n.mutable_unit_review();
    SetDate(r[16], u->mutable_meeting_date());
    u->set_attendees(static_cast<int32_t>(Int(r[17])));
    u->set_votes_for(static_cast<int32_t>(Int(r[18])));
    u->set_votes_against(static_cast<int32_t>(Int(r[19])));
    u->set_proposed(!r[20].is_null() && r[20].as<bool>());
    u->set_minutes(Str(r[21]));
    u->set_recorder(Str(r[22]));
  }
  if (!r[23].is_null()) {
    auto* s = n.mutable_submission();
    s->set_to_authority(Str(r[23]));
    s->set_letter_number(Str(r[24]));
    SetDate(r[25], s->mutable_date());
    s->set_submitter(Str(r[26]));
  }
  n.set_creator(Str(r[27]));
  SetTime(r[28], n.mutable_create_time());
  SetTime(r[29], n.mutable_update_time());
  n.set_etag(api::EtagForVersion(r[30].as<int64_t>()));
  if (!Str(r[31]).empty()) {
    auto* c = n.mutable_council_review();
    c->set_council(Str(r[31]));
    SetDate(r[32], c->mutable_opened_date());
    c->set_snapshot(SnapshotName(id, Int(r[33])));
    c->set_members(static_cast<int32_t>(Int(r[34])));
    c->set_quorum_met(!r[35].is_null() && r[35].as<bool>());
    c->set_approved(!r[36].is_null() && r[36].as<bool>());
    SetTime(r[37], c->mutable_close_time());
  }
  if (!r[38].is_null()) {
    auto* d = n.mutable_decision();
    d->set_number(Str(r[38]));
    SetDate(r[39], d->mutable_date());
    d->set_authority_level(Str(r[40]));
    d->set_signer(Str(r[41]));
    d->set_decider(Str(r[42]));
    d->set_override_reason(Str(r[43]));
    for (auto& i : db::ArrayValue(r[44])) d->mutable_integrity()->add_open_inspections(std::move(i));
    d->mutable_integrity()->set_open_serious_findings(Int(r[45]));
    d->mutable_integrity()->set_inspection_cursor(Int(r[46]));
  }
  if (!r[47].is_null()) {
    auto* v = n.mutable_revocation();
    v->set_reason(EnumOf<v1::RevocationReason>(r[47], v1::RevocationReason_Parse));
    v->set_number(Str(r[48]));
    SetDate(r[49], v->mutable_date());
    v->set_amount_to_recover_vnd(Int(r[50]));
    v->set_note(Str(r[51]));
    v->set_revoker(Str(r[52]));
  }
  if (!r[53].is_null()) SnapshotFromFields(id, r, 53, n.mutable_evidence());
  return n;
}

// Nominations by id, in the order asked (missing ones are skipped).
std::vector<v1::Nomination> ReadNominations(transaction_base& tx, const std::vector<std::string>& ids) {
  std::map<std::string, v1::Nomination> by_id;
  for (const auto& r : tx.exec_params(absl::StrCat(NominationSelect(), " WHERE n.id = ANY($1::uuid[])"),
                                      ArrayLiteral(ids))) {
    by_id.emplace(Str(r[0]), NominationFromRow(r));
  }
  for (const auto& r : tx.exec_params(
           absl::StrCat("SELECT nomination_id::text, member, choice, snapshot_seq, ", db::Rfc3339("cast_time"),
                        " FROM votes WHERE nomination_id = ANY($1::uuid[]) ORDER BY nomination_id, cast_time, member"),
           ArrayLiteral(ids))) {
    auto it = by_id.find(Str(r[0]));
    if (it == by_id.end() || !it->second.has_council_review()) continue;
    auto* v = it->second.mutable_council_review()->add_votes();
    v->set_member(Str(r[1]));
    v->set_choice(EnumOf<v1::VoteChoice>(r[2], v1::VoteChoice_Parse));
    v->set_snapshot(SnapshotName(Str(r[0]), r[3].as<int64_t>()));
    SetTime(r[4], v->mutable_cast_time());
  }
  std::vector<v1::Nomination> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) out.push_back(std::move(it->second));
  }
  return out;
}

absl::StatusOr<v1::Nomination> ReadNomination(transaction_base& tx, const std::string& id) {
  auto rows = ReadNominations(tx, {id});
  if (rows.empty()) return api::NotFound("nominations/" + id);
  return std::move(rows[0]);
}

// Freezes snapshot `seq`: the items in one statement, then the snapshot with the digest the
// database computes over them.
void InsertSnapshot(transaction_base& tx, const std::string& id, int seq, const FrozenEvidence& e) {
  std::vector<std::string> kinds, resources, communes, facts;
  kinds.reserve(e.items.size());
  resources.reserve(e.items.size());
  communes.reserve(e.items.size());
  facts.reserve(e.items.size());
  for (const auto& i : e.items) {
    kinds.push_back(i.kind);
    resources.push_back(i.resource);
    communes.push_back(i.commune_code);
    facts.push_back(i.facts_json.empty() ? "{}" : i.facts_json);
  }
  tx.exec_params(
      "INSERT INTO evidence_items (nomination_id, seq, ord, kind, resource, commune_code, facts)"
      " SELECT $1::uuid, $2, o, k, r, c, f::jsonb"
      " FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(k, r, c, f, o)",
      id, seq, ArrayLiteral(kinds), ArrayLiteral(resources), ArrayLiteral(communes), ArrayLiteral(facts));
  v1::EvidenceSnapshot holder;
  for (const auto& o : e.owners) *holder.add_owners() = o;
  const auto& s = e.summary;
  tx.exec_params(
      "INSERT INTO evidence_snapshots (nomination_id, seq, as_of, owners, items, digest, households,"
      " households_escaped, households_em, activities, participants)"
      " SELECT $1::uuid, $2, $3::date, $4::jsonb, count(*),"
      " encode(sha256(convert_to(coalesce(string_agg(kind || E'\\t' || resource || E'\\t' || facts::text, E'\\n'"
      "                                              ORDER BY ord), ''), 'UTF8')), 'hex'),"
      " $5, $6, $7, $8, $9 FROM evidence_items WHERE nomination_id = $1::uuid AND seq = $2",
      id, seq, e.as_of, ArrayJson(holder), s.households(), s.households_escaped(), s.households_ethnic_minority(),
      s.activities(), s.activity_participants());
}

// Locks the nomination for a workflow step and checks the etag the caller saw.
absl::Status Lock(transaction_base& tx, const Step& s) {
  auto cur = tx.exec_params("SELECT version FROM nominations WHERE id = $1::uuid FOR UPDATE", s.nomination_id);
  if (cur.empty()) return api::NotFound("nominations/" + s.nomination_id);
  return api::CheckEtag(s.etag, cur[0][0].as<int64_t>());
}

// A workflow step: lock, check the etag, write, answer with the nomination; replays answer
// the first response.
template <typename Fn>
absl::StatusOr<v1::Nomination> RunStep(db::Pool* pool, const Step& s, Fn&& write) {
  return pool->Write<v1::Nomination>([&](transaction_base& tx, v1::Nomination& out) -> absl::Status {
    return db::RunIdempotent(tx, s.key, &out, [&]() -> absl::Status {
      LNOB_RETURN_IF_ERROR(Lock(tx, s));
      LNOB_RETURN_IF_ERROR(write(tx));
      LNOB_ASSIGN_OR_RETURN(out, ReadNomination(tx, s.nomination_id));
      return absl::OkStatus();
    });
  });
}

absl::Status Refused(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::FailedPreconditionError(message), reason);
}

std::string CouncilColumns() {
  return absl::StrCat("c.id::text, c.title, c.unit_code, c.quorum_share::float8, c.majority_share::float8,"
                      " r.confirmed, r.legal_basis, c.creator, ", db::Rfc3339("c.create_time"),
                      " FROM councils c JOIN council_rules r ON r.code = c.rule_code");
}
std::vector<v1::Council> ReadCouncils(transaction_base& tx, const pqxx::result& rows) {
  std::vector<v1::Council> out;
  std::vector<std::string> ids;
  std::map<std::string, size_t> at;
  for (const auto& r : rows) {
    v1::Council c;
    c.set_name("councils/" + Str(r[0]));
    c.set_title(Str(r[1]));
    c.set_unit_code(Str(r[2]));
    c.set_quorum_share(r[3].as<double>());
    c.set_majority_share(r[4].as<double>());
    c.set_rules_confirmed(r[5].as<bool>());
    c.set_legal_basis(Str(r[6]));
    c.set_creator(Str(r[7]));
    SetTime(r[8], c.mutable_create_time());
    at[Str(r[0])] = out.size();
    ids.push_back(Str(r[0]));
    out.push_back(std::move(c));
  }
  for (const auto& r : tx.exec_params("SELECT council_id::text, principal, display_name, role FROM council_members"
                                      " WHERE council_id = ANY($1::uuid[]) ORDER BY council_id, ord",
                                      ArrayLiteral(ids))) {
    auto* m = out[at[Str(r[0])]].add_members();
    m->set_principal(Str(r[1]));
    m->set_display_name(Str(r[2]));
    m->set_role(Str(r[3]));
  }
  return out;
}

// The prerequisites of a form for a subject and year, in the caller's transaction.
v1::CheckPrerequisitesResponse Prerequisites(transaction_base& tx, const std::string& form_code,
                                             const std::string& unit_code, const NominationKeys& keys, int year) {
  v1::CheckPrerequisitesResponse out;
  out.set_met(true);
  for (const auto& p : tx.exec_params("SELECT code, coalesce(required_form, ''), required, window_years, description,"
                                      " legal_basis, confirmed FROM form_prerequisites WHERE form_code = $1 ORDER BY code",
                                      form_code)) {
    v1::PrerequisiteResult* res = out.add_prerequisites();
    const std::string code = Str(p[0]);
    const std::string required_form = Str(p[1]);
    const int required = p[2].as<int>();
    const int window = p[3].as<int>();
    res->set_code(code);
    res->set_description(Str(p[4]));
    res->set_legal_basis(Str(p[5]));
    res->set_confirmed(p[6].as<bool>());
    res->set_required(required);
    pqxx::result found;
    if (code == "INITIATIVES") {
      // Initiatives recognised in the window naming the subject (by folded name) as an author.
      found = tx.exec_params(
          "SELECT 'initiatives/' || id, extract(year FROM decision_date)::int FROM initiatives"
          " WHERE unit_code = $1 AND $2 = ANY(author_keys) AND extract(year FROM decision_date) BETWEEN $3 AND $4"
          " ORDER BY decision_date, id",
          unit_code, keys.name_key, year - window + 1, year);
    } else {
      // Decided (not revoked) titles of the required form, one per year of the window.
      found = tx.exec_params(
          "SELECT DISTINCT ON (n.year) 'nominations/' || n.id, n.year FROM nominations n"
          " WHERE n.state = 'DECIDED' AND n.form_code = $1 AND n.subject_kind = 'INDIVIDUAL' AND n.unit_code = $2"
          " AND n.subject_key = $3 AND n.year BETWEEN $4 AND $5 ORDER BY n.year, n.id",
          required_form, unit_code, keys.subject_key, year - window + 1, year);
    }
    for (const auto& f : found) res->add_evidence(Str(f[0]));
    // Consecutive years: every year of the window must be there, which a count of distinct
    // years equal to `required` inside a window of `required` years says.
    res->set_found(static_cast<int32_t>(found.size()));
    res->set_met(static_cast<int>(found.size()) >= required);
    if (!res->met()) out.set_met(false);
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::Nomination> CreateNomination(db::Pool* pool, const v1::Nomination& n, const NominationKeys& keys,
                                                const FrozenEvidence& evidence, const std::string& creator,
                                                const db::IdempotencyKey& key) {
  return pool->Write<v1::Nomination>([&](transaction_base& tx, v1::Nomination& out) -> absl::Status {
    return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
      const std::string id = NewUuidV7(absl::Now());
      v1::Nomination holder;
      *holder.mutable_achievements() = n.achievements();
      tx.exec_params(
          "INSERT INTO nominations (id, movement_id, year, form_code, subject_kind, subject_name, subject_ref,"
          " subject_key, unit_code, sex, ethnic_group_code, household, subject_principal, named_persons, named_keys,"
          " achievements, report, creator) VALUES ($1::uuid, NULLIF($2, '')::uuid, $3, $4, $5, $6, $7, $8, $9, $10,"
          " $11, $12, $13, $14::text[], $15::text[], $16::jsonb, $17, $18)",
          id, n.movement().empty() ? "" : api::IdOf(n.movement()), n.year(), n.form_code(),
          v1::RecipientKind_Name(n.subject_kind()), n.subject_name(), n.subject_ref(), keys.subject_key, n.unit_code(),
          n.sex() == v1::SEX_UNSPECIFIED ? "" : v1::Sex_Name(n.sex()), n.ethnic_group_code(), n.household(),
          n.subject_principal(),
          ArrayLiteral(std::vector<std::string>(n.named_persons().begin(), n.named_persons().end())),
          ArrayLiteral(keys.named_keys), ArrayJson(holder), n.report(), creator);
      InsertSnapshot(tx, id, 1, evidence);
      LNOB_ASSIGN_OR_RETURN(out, ReadNomination(tx, id));
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<v1::Nomination> GetNomination(db::Pool* pool, const std::string& id) {
  return pool->Fetch<v1::Nomination>([&](transaction_base& tx, v1::Nomination& out) -> absl::Status {
    LNOB_ASSIGN_OR_RETURN(out, ReadNomination(tx, id));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::Nomination>> ListNominations(db::Pool* pool, const NominationQuery& q) {
  using Out = std::vector<v1::Nomination>;
  return pool->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
    std::vector<std::string> ids;
    for (const auto& r : tx.exec_params(
             "SELECT id::text FROM nominations WHERE (NOT $1 OR unit_code = ANY($2::text[]))"
             " AND ($3 = 0 OR year = $3) AND ($4 = '' OR form_code = $4) AND ($5 = '' OR state = $5)"
             " AND ($6 = '' OR sex = $6) AND ($7 = '' OR ethnic_group_code = $7)"
             " AND (NOT $8 OR ethnic_group_code NOT IN ('', '01'))"
             " AND ($9 = '' OR id > NULLIF($9, '')::uuid) ORDER BY id LIMIT $10",
             q.units.has_value(), ArrayLiteral(q.units.value_or(std::vector<std::string>{})), q.year, q.form_code,
             q.state, q.sex, q.ethnic_group_code, q.ethnic_minority_only, q.after_id, q.limit)) {
      ids.push_back(Str(r[0]));
    }
    out = ReadNominations(tx, ids);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::pair<v1::EvidenceSnapshot, std::vector<EvidenceRow>>> GetEvidence(db::Pool* pool,
                                                                                      const std::string& id, int seq) {
  using Out = std::pair<v1::EvidenceSnapshot, std::vector<EvidenceRow>>;
  return pool->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
    auto s = tx.exec_params(
        absl::StrCat("SELECT seq, ", DateText("as_of"), ", ", db::Rfc3339("taken_time"), ", owners::text, items, digest,"
                     " households, households_escaped, households_em, activities, participants FROM evidence_snapshots"
                     " WHERE nomination_id = $1::uuid AND ($2 = 0 OR seq = $2) ORDER BY seq DESC LIMIT 1"),
        id, seq);
    if (s.empty()) return api::NotFound(seq == 0 ? "nominations/" + id : SnapshotName(id, seq));
    SnapshotFromFields(id, s[0], 0, &out.first);
    for (const auto& r : tx.exec_params("SELECT kind, resource, commune_code, facts::text FROM evidence_items"
                                        " WHERE nomination_id = $1::uuid AND seq = $2 ORDER BY ord",
                                        id, s[0][0].as<int>())) {
      out.second.push_back({Str(r[0]), Str(r[1]), Str(r[2]), Str(r[3])});
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Nomination> AddEvidence(db::Pool* pool, const Step& s, const FrozenEvidence& evidence) {
  return RunStep(pool, s, [&](transaction_base& tx) -> absl::Status {
    auto r = tx.exec_params("SELECT n.state, (SELECT max(seq) FROM evidence_snapshots WHERE nomination_id = n.id)"
                            " FROM nominations n WHERE n.id = $1::uuid",
                            s.nomination_id);
    const std::string state = Str(r[0][0]);
    if (state != "DRAFT" && state != "UNIT_REVIEWED") {
      return Refused("EVIDENCE_FROZEN", absl::StrCat("the evidence is refreshed only before the council (state ", state, ")"));
    }
    InsertSnapshot(tx, s.nomination_id, static_cast<int>(Int(r[0][1])) + 1, evidence);
    tx.exec_params("UPDATE nominations SET state = state WHERE id = $1::uuid", s.nomination_id);  // new etag
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Nomination> RecordUnitReview(db::Pool* pool, const Step& s, const v1::UnitReview& u) {
  return RunStep(pool, s, [&](transaction_base& tx) -> absl::Status {
    auto st = tx.exec_params("SELECT state FROM nominations WHERE id = $1::uuid", s.nomination_id);
    if (Str(st[0][0]) != "DRAFT") {
      return Refused("ALREADY_REVIEWED", absl::StrCat("the unit reviews a draft, once (state ", Str(st[0][0]), ")"));
    }
    tx.exec_params(
        "UPDATE nominations SET state = CASE WHEN $7 THEN 'UNIT_REVIEWED' ELSE 'UNIT_REJECTED' END,"
        " ur_meeting_date = $2::date, ur_attendees = $3, ur_for = $4, ur_against = $5, ur_proposed = $7,"
        " ur_minutes = normalize($6, NFC), ur_recorder = $8 WHERE id = $1::uuid",
        s.nomination_id, api::ProtoDateText(u.meeting_date()), u.attendees(), u.votes_for(), u.votes_against(),
        u.minutes(), u.proposed(), s.actor);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Council> CreateCouncil(db::Pool* pool, const v1::Council& c, const std::vector<std::string>& name_keys,
                                          const std::string& creator, const db::IdempotencyKey& key) {
  return pool->Write<v1::Council>([&](transaction_base& tx, v1::Council& out) -> absl::Status {
    return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
      const std::string id = NewUuidV7(absl::Now());
      // Unset shares take the rule's.
      tx.exec_params(
          "INSERT INTO councils (id, title, unit_code, rule_code, quorum_share, majority_share, creator)"
          " SELECT $1::uuid, normalize($2, NFC), $3, code, coalesce(NULLIF($4, 0)::numeric, quorum_share),"
          " coalesce(NULLIF($5, 0)::numeric, majority_share), $6 FROM council_rules WHERE code = 'DEFAULT'",
          id, c.title(), c.unit_code(), c.quorum_share(), c.majority_share(), creator);
      for (int i = 0; i < c.members_size(); ++i) {
        const auto& m = c.members(i);
        tx.exec_params("INSERT INTO council_members (council_id, principal, display_name, name_key, role, ord)"
                       " VALUES ($1::uuid, $2, normalize($3, NFC), $4, normalize($5, NFC), $6)",
                       id, m.principal(), m.display_name(), name_keys[i], m.role(), i + 1);
      }
      auto rows = ReadCouncils(tx, tx.exec_params(absl::StrCat("SELECT ", CouncilColumns(), " WHERE c.id = $1::uuid"), id));
      out = std::move(rows.at(0));
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<v1::Council> GetCouncil(db::Pool* pool, const std::string& id) {
  return pool->Fetch<v1::Council>([&](transaction_base& tx, v1::Council& out) -> absl::Status {
    auto rows = ReadCouncils(tx, tx.exec_params(absl::StrCat("SELECT ", CouncilColumns(), " WHERE c.id = $1::uuid"), id));
    if (rows.empty()) return api::NotFound("councils/" + id);
    out = std::move(rows[0]);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::Council>> ListCouncils(db::Pool* pool, const Units& units, const std::string& after_id,
                                                      int limit) {
  using Out = std::vector<v1::Council>;
  return pool->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
    out = ReadCouncils(tx, tx.exec_params(absl::StrCat("SELECT ", CouncilColumns(),
                                                       " WHERE ($1 = '' OR c.id > NULLIF($1, '')::uuid)"
                                                       " AND (NOT $3 OR c.unit_code = ANY($4::text[]))"
                                                       " ORDER BY c.id LIMIT $2"),
                                          after_id, limit, units.has_value(),
                                          ArrayLiteral(units.value_or(std::vector<std::string>{}))));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Nomination> OpenCouncilReview(db::Pool* pool, const Step& s, const std::string& council_id,
                                                 const std::string& opened_date) {
  return RunStep(pool, s, [&](transaction_base& tx) -> absl::Status {
    auto n = tx.exec_params(
        "SELECT n.state, n.ur_meeting_date > $2::date,"
        " (SELECT max(seq) FROM evidence_snapshots WHERE nomination_id = n.id),"
        " (SELECT count(*) FROM council_members m WHERE m.council_id = $3::uuid"
        "   AND m.principal <> n.subject_principal AND m.name_key <> ALL(n.named_keys)),"
        " EXISTS (SELECT 1 FROM councils WHERE id = $3::uuid)"
        " FROM nominations n WHERE n.id = $1::uuid",
        s.nomination_id, opened_date, council_id);
    if (!n[0][4].as<bool>()) return InvalidField("council", "no such council");
    if (!n[0][1].is_null() && n[0][1].as<bool>()) {
      return InvalidField("opened_date", "must not be before the unit's review meeting");
    }
    if (Int(n[0][3]) == 0) return Refused("NO_ELIGIBLE_MEMBER", "every member of the council is named by the nomination");
    tx.exec_params("UPDATE nominations SET state = 'COUNCIL_REVIEW' WHERE id = $1::uuid", s.nomination_id);
    tx.exec_params("INSERT INTO council_reviews (nomination_id, council_id, opened_date, snapshot_seq, members)"
                   " VALUES ($1::uuid, $2::uuid, $3::date, $4, $5)",
                   s.nomination_id, council_id, opened_date, Int(n[0][2]), Int(n[0][3]));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Nomination> CastVote(db::Pool* pool, const Step& s, const std::string& choice, int snapshot_seq) {
  return RunStep(pool, s, [&](transaction_base& tx) -> absl::Status {
    if (!tx.exec_params("SELECT 1 FROM votes WHERE nomination_id = $1::uuid AND member = $2", s.nomination_id, s.actor)
             .empty()) {
      return Refused("ALREADY_VOTED", "this member has already voted on this nomination");
    }
    // The trigger checks membership, that the nomination does not name the member, and the snapshot.
    tx.exec_params("INSERT INTO votes (nomination_id, member, choice, snapshot_seq) VALUES ($1::uuid, $2, $3, $4)",
                   s.nomination_id, s.actor, choice, snapshot_seq);
    tx.exec_params("UPDATE nominations SET state = state WHERE id = $1::uuid", s.nomination_id);  // new etag
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Nomination> CloseCouncilReview(db::Pool* pool, const Step& s) {
  return RunStep(pool, s, [&](transaction_base& tx) -> absl::Status {
    auto t = tx.exec_params(
        "SELECT cr.members, count(v.member), count(v.member) FILTER (WHERE v.choice = 'YES'),"
        " c.quorum_share::float8, c.majority_share::float8, n.state"
        " FROM council_reviews cr JOIN councils c ON c.id = cr.council_id JOIN nominations n ON n.id = cr.nomination_id"
        " LEFT JOIN votes v ON v.nomination_id = cr.nomination_id WHERE cr.nomination_id = $1::uuid"
        " GROUP BY cr.members, c.quorum_share, c.majority_share, n.state",
        s.nomination_id);
    if (t.empty() || Str(t[0][5]) != "COUNCIL_REVIEW") {
      return Refused("NOT_IN_COUNCIL", "the nomination is not before a council");
    }
    const int64_t members = t[0][0].as<int64_t>(), cast = t[0][1].as<int64_t>(), yes = t[0][2].as<int64_t>();
    const double quorum = t[0][3].as<double>(), majority = t[0][4].as<double>();
    // Shares are stored to three decimals (0.667 for two thirds): a margin of half that step per
    // member, so that 2 of 3 or 8 of 12 meet a two-thirds quorum.
    const bool quorum_met = static_cast<double>(cast) >= (quorum - 0.0005) * static_cast<double>(members);
    if (!quorum_met) {
      return Refused("QUORUM", absl::StrCat("QUORUM: ", cast, " of the ", members,
                                            " members who may vote have voted; the council needs a share of ", quorum));
    }
    const bool approved = static_cast<double>(yes) > majority * static_cast<double>(cast);
    tx.exec_params("UPDATE council_reviews SET quorum_met = true, approved = $2, close_time = now()"
                   " WHERE nomination_id = $1::uuid",
                   s.nomination_id, approved);
    tx.exec_params("UPDATE nominations SET state = $2 WHERE id = $1::uuid", s.nomination_id,
                   approved ? "COUNCIL_APPROVED" : "COUNCIL_REJECTED");
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Nomination> Decide(db::Pool* pool, const Step& s, const DecideInput& in) {
  return RunStep(pool, s, [&](transaction_base& tx) -> absl::Status {
    auto n = tx.exec_params(
        "SELECT n.form_code, n.unit_code, n.year, n.subject_kind, n.subject_key, n.creator, n.achievements::text,"
        " n.state, cr.opened_date > $2::date, n.sub_date > $2::date"
        " FROM nominations n LEFT JOIN council_reviews cr ON cr.nomination_id = n.id WHERE n.id = $1::uuid",
        s.nomination_id, in.decision_date);
    const auto& row = n[0];
    const std::string state = Str(row[7]);
    if (state != "COUNCIL_APPROVED" && state != "SUBMITTED") {
      return Refused("NOT_APPROVED", absl::StrCat("only a nomination the council approved is decided (state ", state, ")"));
    }
    if ((!row[8].is_null() && row[8].as<bool>()) || (!row[9].is_null() && row[9].as<bool>())) {
      return InvalidField("decision.date", "must not be before the council review or the submission");
    }
    v1::Nomination holder;
    ParseArray("achievements", Str(row[6]), &holder);
    // The advanced workers of the unit and year are the prerequisite and the quota base of
    // other titles: a concurrent revocation of one waits for this decision (same lock).
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('awards.quota'), hashtext($1::text || '|' || $2::text || '|' || $3::text))",
                   "TITLE_ADVANCED_WORKER", Str(row[1]), row[2].as<int>());
    // Achievements in key order, so that two decisions citing the same ones never deadlock.
    std::sort(holder.mutable_achievements()->begin(), holder.mutable_achievements()->end(),
              [](const v1::Achievement& a, const v1::Achievement& b) { return a.key() < b.key(); });
    NominationKeys keys;
    keys.subject_key = Str(row[4]);
    keys.name_key = keys.subject_key.substr(0, keys.subject_key.find('|'));
    if (Str(row[3]) == "INDIVIDUAL") {
      auto pre = Prerequisites(tx, Str(row[0]), Str(row[1]), keys, row[2].as<int>());
      if (!pre.met()) {
        std::vector<std::string> missing;
        for (const auto& p : pre.prerequisites()) {
          if (!p.met()) missing.push_back(absl::StrCat(p.code(), " (", p.found(), " of ", p.required(), ")"));
        }
        return Refused("PREREQUISITE", absl::StrCat("PREREQUISITE: missing ", absl::StrJoin(missing, ", ")));
      }
    }
    const auto& d = in.decision;
    // The trigger checks the authority on the date, the integrity gate and the quotas; the
    // maker_checker constraint that the decider is not the nominator.
    tx.exec_params(
        "INSERT INTO decisions (nomination_id, number, date, authority_level, signer, decider, nominator,"
        " override_reason, open_inspections, open_serious_findings, inspection_cursor, form_code, unit_code, year)"
        " VALUES ($1::uuid, normalize($2, NFC), $3::date, $4, normalize($5, NFC), $6, $7, normalize($8, NFC),"
        " $9::text[], $10, $11, $12, $13, $14)",
        s.nomination_id, d.number(), in.decision_date, d.authority_level(), d.signer(), s.actor, Str(row[5]),
        d.override_reason(),
        ArrayLiteral(std::vector<std::string>(d.integrity().open_inspections().begin(),
                                              d.integrity().open_inspections().end())),
        d.integrity().open_serious_findings(), d.integrity().inspection_cursor(), Str(row[0]), Str(row[1]),
        row[2].as<int>());
    // One achievement, one award: a concurrent decision on the same achievement waits here for
    // the first and then inserts nothing.
    for (int i = 0; i < holder.achievements_size(); ++i) {
      const std::string& k = holder.achievements(i).key();
      auto ins = tx.exec_params(
          "INSERT INTO rewarded_achievements (subject_kind, unit_code, subject_key, achievement_key, nomination_id)"
          " VALUES ($1, $2, $3, $4, $5::uuid) ON CONFLICT ON CONSTRAINT achievement_rewarded_once DO NOTHING RETURNING 1",
          Str(row[3]), Str(row[1]), keys.subject_key, k, s.nomination_id);
      if (ins.empty()) {
        auto by = tx.exec_params(
            "SELECT 'nominations/' || nomination_id FROM rewarded_achievements WHERE subject_kind = $1"
            " AND unit_code = $2 AND subject_key = $3 AND achievement_key = $4",
            Str(row[3]), Str(row[1]), keys.subject_key, k);
        return Refused("ACHIEVEMENT_REWARDED",
                       absl::StrCat("ACHIEVEMENT_REWARDED: achievements[", i, "] (", k, ") was already rewarded by ",
                                    by.empty() ? std::string("another decision") : Str(by[0][0]),
                                    "; one achievement is rewarded once, by one form (Law 06/2022/QH15)"));
      }
    }
    tx.exec_params("UPDATE nominations SET state = 'DECIDED' WHERE id = $1::uuid", s.nomination_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Nomination> Submit(db::Pool* pool, const Step& s, const v1::Submission& sub) {
  return RunStep(pool, s, [&](transaction_base& tx) -> absl::Status {
    auto st = tx.exec_params("SELECT state FROM nominations WHERE id = $1::uuid", s.nomination_id);
    if (Str(st[0][0]) != "COUNCIL_APPROVED") {
      return Refused("NOT_APPROVED", absl::StrCat("only a nomination the council approved is submitted (state ",
                                                  Str(st[0][0]), ")"));
    }
    auto early = tx.exec_params("SELECT opened_date > $2::date FROM council_reviews WHERE nomination_id = $1::uuid",
                                s.nomination_id, api::ProtoDateText(sub.date()));
    if (!early.empty() && early[0][0].as<bool>()) {
      return InvalidField("submission.date", "must not be before the council review");
    }
    tx.exec_params("UPDATE nominations SET state = 'SUBMITTED', sub_to = normalize($2, NFC), sub_letter = normalize($3, NFC),"
                   " sub_date = $4::date, sub_submitter = $5 WHERE id = $1::uuid",
                   s.nomination_id, sub.to_authority(), sub.letter_number(), api::ProtoDateText(sub.date()), s.actor);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Nomination> Revoke(db::Pool* pool, const Step& s, const v1::Revocation& r) {
  return RunStep(pool, s, [&](transaction_base& tx) -> absl::Status {
    auto st = tx.exec_params("SELECT n.state, d.form_code, d.unit_code, d.year FROM nominations n"
                             " JOIN decisions d ON d.nomination_id = n.id WHERE n.id = $1::uuid",
                             s.nomination_id);
    if (st.empty()) return Refused("NOT_DECIDED", "only a decided award is revoked");
    // The same lock as decisions of the form, unit and year (quota and prerequisites).
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('awards.quota'), hashtext($1::text || '|' || $2::text || '|' || $3::text))",
                   Str(st[0][1]), Str(st[0][2]), st[0][3].as<int>());
    if (Str(st[0][0]) != "DECIDED") {
      return Refused("NOT_DECIDED", absl::StrCat("only a decided award is revoked (state ", Str(st[0][0]), ")"));
    }
    tx.exec_params("INSERT INTO revocations (nomination_id, reason, number, date, amount_to_recover_vnd, note, revoker)"
                   " VALUES ($1::uuid, $2, normalize($3, NFC), $4::date, $5, $6, $7)",
                   s.nomination_id, v1::RevocationReason_Name(r.reason()), r.number(), api::ProtoDateText(r.date()),
                   r.amount_to_recover_vnd(), r.note(), s.actor);
    tx.exec_params("UPDATE nominations SET state = 'REVOKED' WHERE id = $1::uuid", s.nomination_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::CheckPrerequisitesResponse> CheckPrerequisites(db::Pool* pool, const std::string& form_code,
                                                                  const std::string& unit_code,
                                                                  const NominationKeys& keys, int year) {
  return pool->Fetch<v1::CheckPrerequisitesResponse>(
      [&](transaction_base& tx, v1::CheckPrerequisitesResponse& out) -> absl::Status {
        out = Prerequisites(tx, form_code, unit_code, keys, year);
        return absl::OkStatus();
      });
}

absl::StatusOr<StatisticsRows> Statistics(db::Pool* pool, const std::string& first, const std::string& last, int year,
                                          const Units& units) {
  return pool->Fetch<StatisticsRows>([&](transaction_base& tx, StatisticsRows& out) -> absl::Status {
    const bool filtered = units.has_value();
    const std::string unit_list = ArrayLiteral(units.value_or(std::vector<std::string>{}));
    for (const auto& r : tx.exec_params(
             "SELECT d.form_code, d.unit_code, d.subject_kind, d.sex, d.ethnic_group_code, count(*)"
             " FROM decisions d WHERE d.date BETWEEN $1::date AND $2::date"
             " AND (NOT $3 OR d.unit_code = ANY($4::text[]))"
             " AND NOT EXISTS (SELECT 1 FROM revocations r WHERE r.nomination_id = d.nomination_id)"
             " GROUP BY 1, 2, 3, 4, 5",
             first, last, filtered, unit_list)) {
      out.decided.push_back({Str(r[0]), Str(r[1]), Str(r[2]), Str(r[3]), Str(r[4]), r[5].as<int64_t>()});
    }
    for (const auto& r : tx.exec_params("SELECT state, count(*) FROM nominations WHERE year = $1"
                                        " AND (NOT $2 OR unit_code = ANY($3::text[])) GROUP BY state",
                                        year, filtered, unit_list)) {
      out.year_states[Str(r[0])] = r[1].as<int64_t>();
    }
    auto rv = tx.exec_params(
        "SELECT count(*), coalesce(sum(rv.amount_to_recover_vnd), 0)::bigint FROM revocations rv"
        " JOIN nominations n ON n.id = rv.nomination_id WHERE rv.date BETWEEN $1::date AND $2::date"
        " AND (NOT $3 OR n.unit_code = ANY($4::text[]))",
        first, last, filtered, unit_list);
    out.revoked = rv[0][0].as<int64_t>();
    out.amount_to_recover_vnd = rv[0][1].as<int64_t>();
    out.submitted = tx.exec_params("SELECT count(*) FROM nominations WHERE sub_date BETWEEN $1::date AND $2::date"
                                   " AND (NOT $3 OR unit_code = ANY($4::text[]))",
                                   first, last, filtered, unit_list)[0][0]
                        .as<int64_t>();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(db::Pool* pool, int64_t after_cursor, int limit) {
  using Out = std::vector<v1::ChangeEvent>;
  return pool->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
    for (const auto& r : tx.exec_params(absl::StrCat("SELECT cursor, kind, resource, unit_code, form_code, year, ",
                                                     db::Rfc3339("at"),
                                                     " FROM change_feed WHERE cursor > $1 ORDER BY cursor LIMIT $2"),
                                        after_cursor, limit)) {
      v1::ChangeEvent e;
      e.set_cursor(r[0].as<int64_t>());
      e.set_kind(Str(r[1]));
      e.set_resource(Str(r[2]));
      e.set_unit_code(Str(r[3]));
      e.set_form_code(Str(r[4]));
      e.set_year(r[5].as<int>());
      SetTime(r[6], e.mutable_event_time());
      out.push_back(std::move(e));
    }
    return absl::OkStatus();
  });
}

}  // namespace lnob::awards::pg
