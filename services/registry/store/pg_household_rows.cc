#include "services/registry/store/pg_household_rows.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/api/resource_name.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/db/copy.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "google/protobuf/util/json_util.h"

namespace lnob::registry::pg {

using db::ArrayLiteral;
using db::ArrayValue;
using db::Str;

std::string D(absl::CivilDay d) { return FormatDate(d); }

absl::Status NotFound(const std::string& what) {
  return WithReason(absl::NotFoundError(absl::StrCat(what, " not found")), "NOT_FOUND");
}

const char kHouseholdColumns[] =
    "h.id, coalesce(h.external_id, ''), h.commune_code, h.village, h.address, h.area_type,"
    " h.area_type_override_reason, coalesce(h.head_member_id::text, ''), h.head_ethnicity,"
    " h.no_labor_capacity, h.policy_beneficiary, h.status, h.classification,"
    " coalesce(h.classified_since::text, ''), h.registered_on::text, h.version, h.created_by,"
    " to_char(h.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), h.updated_by,"
    " to_char(h.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), coalesce(h.village_id::text, '')";

v1::Household HouseholdFromRow(const pqxx::row& r) {
  v1::Household h;
  const std::string id = Str(r[0]);
  h.set_name("households/" + id);
  h.set_commune_code(Str(r[2]));
  h.set_village(Str(r[3]));
  h.set_address(Str(r[4]));
  h.set_area_type(Str(r[5]) == "URBAN" ? v1::AREA_TYPE_URBAN : v1::AREA_TYPE_RURAL);
  h.set_area_type_override_reason(Str(r[6]));
  if (!Str(r[7]).empty()) h.set_head_member(absl::StrCat(h.name(), "/members/", Str(r[7])));
  h.set_head_ethnicity_code(Str(r[8]));
  h.set_no_labor_capacity(r[9].as<bool>());
  h.set_policy_beneficiary(r[10].as<bool>());
  v1::HouseholdStatus st = v1::HOUSEHOLD_STATUS_UNSPECIFIED;
  v1::HouseholdStatus_Parse(Str(r[11]), &st);
  h.set_status(st);
  v1::HouseholdClass cls = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
  v1::HouseholdClass_Parse(Str(r[12]), &cls);
  h.set_classification(cls);
  api::SetProtoDate(Str(r[13]), h.mutable_classified_since());
  api::SetProtoDate(Str(r[14]), h.mutable_registered_on());
  h.set_etag(api::EtagForVersion(r[15].as<int64_t>()));
  h.set_created_by(Str(r[16]));
  api::SetProtoTimestamp(Str(r[17]), h.mutable_create_time());
  h.set_updated_by(Str(r[18]));
  api::SetProtoTimestamp(Str(r[19]), h.mutable_update_time());
  if (!Str(r[20]).empty()) h.set_village_ref("villages/" + Str(r[20]));
  return h;
}

const char kMemberColumns[] =
    "m.id, m.household_id, m.full_name, coalesce(m.birth_date::text, ''), m.sex, m.ethnicity_code,"
    " coalesce(m.citizen_id, ''), m.relation, m.working_capacity, m.health_insurance,"
    " m.attending_school, m.education_level, m.disability, m.active";

v1::Member MemberFromRow(const pqxx::row& r) {
  v1::Member m;
  m.set_name(absl::StrCat("households/", Str(r[1]), "/members/", Str(r[0])));
  m.set_full_name(Str(r[2]));
  api::SetProtoDate(Str(r[3]), m.mutable_birth_date());
  m.set_sex(Str(r[4]) == "FEMALE" ? v1::FEMALE : v1::MALE);
  m.set_ethnicity_code(Str(r[5]));
  m.set_citizen_id(Str(r[6]));
  v1::Relation rel = v1::RELATION_UNSPECIFIED;
  v1::Relation_Parse(Str(r[7]), &rel);
  m.set_relation(rel);
  m.set_working_capacity(r[8].as<bool>());
  m.set_health_insurance(r[9].as<bool>());
  m.set_attending_school(r[10].as<bool>());
  v1::EducationLevel edu = v1::EDUCATION_LEVEL_UNSPECIFIED;
  v1::EducationLevel_Parse(Str(r[11]), &edu);
  m.set_education_level(edu);
  m.set_disability(r[12].as<bool>());
  m.set_active(r[13].as<bool>());
  return m;
}

void LoadMembers(transaction_base& tx, std::vector<v1::Household*> hs, bool only_active) {
  if (hs.empty()) return;
  std::map<std::string, v1::Household*> by_id;
  std::vector<std::string> ids;
  for (auto* h : hs) {
    ids.push_back(api::IdOf(h->name()));
    by_id[ids.back()] = h;
  }
  auto r = tx.exec_params(absl::StrCat("SELECT ", kMemberColumns,
                                       " FROM members m WHERE m.household_id = ANY($1::uuid[])",
                                       only_active ? " AND m.active" : "",
                                       " ORDER BY m.household_id, m.seq"),
                          ArrayLiteral(ids));
  for (const auto& row : r) *by_id[Str(row[1])]->add_members() = MemberFromRow(row);
}

absl::StatusOr<v1::Household> LoadHousehold(transaction_base& tx, const std::string& id, bool lock) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", kHouseholdColumns, " FROM households h WHERE h.id = $1::uuid",
                                       lock ? " FOR UPDATE" : ""),
                          id);
  if (r.empty()) return NotFound("households/" + id);
  v1::Household h = HouseholdFromRow(r[0]);
  LoadMembers(tx, {&h}, false);
  return h;
}

void AddEvent(transaction_base& tx, const std::string& hid, const std::string& kind,
              const std::string& detail, const std::string& effective, const std::string& actor) {
  tx.exec_params(
      "INSERT INTO household_events (household_id, kind, detail, effective_date, actor)"
      " VALUES ($1::uuid, $2, $3, NULLIF($4, '')::date, $5)",
      hid, kind, detail, effective, actor);
}

void AppendFeed(transaction_base& tx, const std::string& hid, const std::string& kind,
                const std::string& cls, const std::string& prev, const std::string& effective,
                const std::string& commune, const std::string& related) {
  // Serialises feed writers so that cursor order is commit order (see migration 003).
  tx.exec("SELECT pg_advisory_xact_lock(hashtext('lnob.registry.change_feed'))");
  tx.exec_params(
      "INSERT INTO change_feed (household_id, kind, classification, previous_classification,"
      " effective_date, commune_code, related_household_id)"
      " VALUES ($1::uuid, $2, $3, $4, NULLIF($5, '')::date, $6, NULLIF($7, '')::uuid)",
      hid, kind, cls, prev, effective, commune, related);
}

std::string HeadEthnicity(const v1::Household& h) {
  for (const auto& m : h.members()) {
    if (m.active() && m.name() == h.head_member()) return m.ethnicity_code();
  }
  return "";
}

int ActivePeople(const v1::Household& h) {
  int n = 0;
  for (const auto& m : h.members()) n += m.active();
  return n;
}

void UpsertMember(transaction_base& tx, const std::string& hid, const v1::Member& m, int seq) {
  tx.exec_params(
      "INSERT INTO members (id, household_id, full_name, birth_date, sex, ethnicity_code, citizen_id,"
      " relation, working_capacity, health_insurance, attending_school, education_level, disability,"
      " active, seq) VALUES ($1::uuid, $2::uuid, normalize($3, NFC), NULLIF($4, '')::date, $5, $6,"
      " NULLIF($7, ''), $8, $9, $10, $11, $12, $13, $14, $15)"
      " ON CONFLICT (id) DO UPDATE SET household_id = EXCLUDED.household_id,"
      " full_name = EXCLUDED.full_name, birth_date = EXCLUDED.birth_date, sex = EXCLUDED.sex,"
      " ethnicity_code = EXCLUDED.ethnicity_code, citizen_id = EXCLUDED.citizen_id,"
      " relation = EXCLUDED.relation, working_capacity = EXCLUDED.working_capacity,"
      " health_insurance = EXCLUDED.health_insurance, attending_school = EXCLUDED.attending_school,"
      " education_level = EXCLUDED.education_level, disability = EXCLUDED.disability,"
      " active = EXCLUDED.active, seq = EXCLUDED.seq,"
      " left_on = CASE WHEN EXCLUDED.active THEN NULL ELSE coalesce(members.left_on, current_date) END",
      api::IdOf(m.name()), hid, m.full_name(), api::ProtoDateText(m.birth_date()),
      m.sex() == v1::FEMALE ? "FEMALE" : "MALE", m.ethnicity_code(), m.citizen_id(),
      v1::Relation_Name(m.relation()), m.working_capacity(), m.health_insurance(),
      m.attending_school(), v1::EducationLevel_Name(m.education_level()), m.disability(), m.active(),
      seq);
}

void WriteHousehold(transaction_base& tx, const v1::Household& h, const std::string& actor, bool insert) {
  const std::string id = api::IdOf(h.name());
  const std::string head = h.head_member().empty() ? "" : api::IdOf(h.head_member());
  if (insert) {
    tx.exec_params(
        "INSERT INTO households (id, external_id, commune_code, village, address, area_type,"
        " area_type_override_reason, no_labor_capacity, policy_beneficiary, registered_on,"
        " created_by, updated_by, status) VALUES ($1::uuid, NULLIF($2, ''), $3, $4, $5, $6, $7, $8, $9,"
        " $10::date, $11, $11, $12)",
        id, "", h.commune_code(), h.village(), h.address(),
        h.area_type() == v1::AREA_TYPE_URBAN ? "URBAN" : "RURAL", h.area_type_override_reason(),
        h.no_labor_capacity(), h.policy_beneficiary(), api::ProtoDateText(h.registered_on()), actor,
        h.status() == v1::HOUSEHOLD_STATUS_UNSPECIFIED ? "HOUSEHOLD_ACTIVE" : v1::HouseholdStatus_Name(h.status()));
  }
  int seq = 0;
  for (const auto& m : h.members()) UpsertMember(tx, id, m, seq++);
  tx.exec_params(
      "UPDATE households SET commune_code = $2, village = $3, address = $4, area_type = $5,"
      " area_type_override_reason = $6, no_labor_capacity = $7, policy_beneficiary = $8,"
      " head_member_id = NULLIF($9, '')::uuid, head_ethnicity = $10, status = $11,"
      " version = version + $12, updated_by = $13, updated_at = now() WHERE id = $1::uuid",
      id, h.commune_code(), h.village(), h.address(),
      h.area_type() == v1::AREA_TYPE_URBAN ? "URBAN" : "RURAL", h.area_type_override_reason(),
      h.no_labor_capacity(), h.policy_beneficiary(), head, HeadEthnicity(h),
      h.status() == v1::HOUSEHOLD_STATUS_UNSPECIFIED ? "HOUSEHOLD_ACTIVE" : v1::HouseholdStatus_Name(h.status()),
      insert ? 0 : 1, actor);
  // Current and future year snapshots follow head, people and commune (stats by trigger).
  tx.exec_params(
      "UPDATE household_years SET people = $2, head_ethnicity = $3, commune_code = $4"
      " WHERE household_id = $1::uuid AND year >= extract(year from current_date)::int"
      " AND (people, head_ethnicity, commune_code) IS DISTINCT FROM ($2, $3, $4)",
      id, ActivePeople(h), HeadEthnicity(h), h.commune_code());
}

std::vector<HistoryEntry> LoadHistory(transaction_base& tx, const std::string& hid) {
  std::vector<HistoryEntry> out;
  auto r = tx.exec_params(
      "SELECT effective_date::text, classification FROM classification_history"
      " WHERE household_id = $1::uuid ORDER BY effective_date, recorded_at",
      hid);
  for (const auto& row : r) out.push_back({*ParseDate(Str(row[0])), Str(row[1])});
  return out;
}

// Recomputes household_years from the history (the trigger keeps stats_agg in step).
void RecomputeYears(transaction_base& tx, const std::string& hid, int last_year) {
  auto info = tx.exec_params(
      "SELECT h.commune_code, h.head_ethnicity, (SELECT count(*) FROM members m"
      " WHERE m.household_id = h.id AND m.active) FROM households h WHERE h.id = $1::uuid",
      hid);
  const std::string commune = Str(info[0][0]), eth = Str(info[0][1]);
  const int people = info[0][2].as<int>();
  auto snaps = YearSnapshots(LoadHistory(tx, hid), last_year);
  for (const auto& s : snaps) {
    tx.exec_params(
        "INSERT INTO household_years AS y (household_id, year, commune_code, head_ethnicity, people,"
        " class_start, class_end, transition) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (household_id, year) DO UPDATE SET class_start = EXCLUDED.class_start,"
        " class_end = EXCLUDED.class_end, transition = EXCLUDED.transition"
        " WHERE (y.class_start, y.class_end, y.transition) IS DISTINCT FROM"
        " (EXCLUDED.class_start, EXCLUDED.class_end, EXCLUDED.transition)",
        hid, s.year, commune, eth, people, s.class_start, s.class_end, s.transition);
  }
}

const char kReviewColumns[] =
    "r.id, r.household_id, r.kind, r.review_date::text, r.standard_id, r.income_per_capita,"
    " r.indicators::text, r.deprivation_count, r.computed_class, r.reviewer, r.state,"
    " r.decision_number, coalesce(r.decision_date::text, ''), coalesce(r.posted_on::text, ''),"
    " r.rejection_reason, r.version,"
    " to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " coalesce(r.proxy_score, -1), r.area_type, r.list_year, array_to_string(r.caveats, ','),"
    " coalesce(r.consulted_on::text, ''), r.consultation_document, coalesce(r.round_id::text, ''),"
    " coalesce(r.application_id::text, '')";

v1::Review ReviewFromRow(const pqxx::row& r) {
  v1::Review v;
  v.set_name(absl::StrCat("households/", Str(r[1]), "/reviews/", Str(r[0])));
  v.set_kind(Str(r[2]) == "ONGOING" ? v1::ONGOING : v1::PERIODIC);
  api::SetProtoDate(Str(r[3]), v.mutable_review_date());
  v.set_standard_id(Str(r[4]));
  v.set_income_per_capita_vnd(r[5].as<int64_t>());
  v1::Review tmp;
  google::protobuf::util::JsonStringToMessage("{\"indicators\":" + Str(r[6]) + "}", &tmp);
  *v.mutable_indicators() = tmp.indicators();
  v.set_deprivation_count(r[7].as<int>());
  v1::HouseholdClass cls = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
  v1::HouseholdClass_Parse(Str(r[8]), &cls);
  v.set_computed_class(cls);
  v.set_reviewer(Str(r[9]));
  v1::ReviewState st = v1::REVIEW_STATE_UNSPECIFIED;
  v1::ReviewState_Parse(Str(r[10]), &st);
  v.set_state(st);
  v.set_decision_number(Str(r[11]));
  api::SetProtoDate(Str(r[12]), v.mutable_decision_date());
  api::SetProtoDate(Str(r[13]), v.mutable_posted_on());
  v.set_rejection_reason(Str(r[14]));
  v.set_etag(api::EtagForVersion(r[15].as<int64_t>()));
  api::SetProtoTimestamp(Str(r[16]), v.mutable_create_time());
  api::SetProtoTimestamp(Str(r[17]), v.mutable_update_time());
  if (r[18].as<int>() >= 0) v.set_proxy_score(r[18].as<int>());
  v.set_area_type(Str(r[19]) == "URBAN" ? v1::AREA_TYPE_URBAN : v1::AREA_TYPE_RURAL);
  v.set_list_year(r[20].as<int>());
  for (absl::string_view c : absl::StrSplit(Str(r[21]), ',', absl::SkipEmpty())) v.add_caveats(std::string(c));
  api::SetProtoDate(Str(r[22]), v.mutable_consulted_on());
  v.set_consultation_document(Str(r[23]));
  if (!Str(r[24]).empty()) v.set_round("reviewRounds/" + Str(r[24]));
  if (!Str(r[25]).empty()) v.set_application(absl::StrCat("households/", Str(r[1]), "/applications/", Str(r[25])));
  return v;
}

std::string IndicatorsJson(const v1::Review& r) {
  google::protobuf::util::JsonPrintOptions o;
  o.always_print_primitive_fields = true;
  std::string json = "[";
  for (const auto& a : r.indicators()) {
    std::string one;
    google::protobuf::util::MessageToJsonString(a, &one, o);
    absl::StrAppend(&json, json.size() > 1 ? "," : "", one);
  }
  return json + "]";
}

void InsertReview(transaction_base& tx, const std::string& hid, const v1::Review& r,
                  const std::string& actor, const std::string& state) {
  tx.exec_params(
      "INSERT INTO reviews (id, household_id, kind, review_date, standard_id, income_per_capita,"
      " indicators, deprivation_count, area_type, computed_class, reviewer, state, decision_number,"
      " decision_date, created_by, proxy_score, list_year, caveats, round_id, application_id) VALUES ($1::uuid, $2::uuid,"
      " $3, $4::date, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, NULLIF($14, '')::date, $15, NULLIF($16, -1), $17,"
      " $18::text[], NULLIF($19, '')::uuid, NULLIF($20, '')::uuid)",
      api::IdOf(r.name()), hid, r.kind() == v1::ONGOING ? "ONGOING" : "PERIODIC", api::ProtoDateText(r.review_date()),
      r.standard_id(), r.income_per_capita_vnd(), IndicatorsJson(r), r.deprivation_count(),
      r.area_type() == v1::AREA_TYPE_URBAN ? "URBAN" : "RURAL",
      v1::HouseholdClass_Name(r.computed_class()), r.reviewer(), state, r.decision_number(),
      api::ProtoDateText(r.decision_date()), actor, r.has_proxy_score() ? r.proxy_score() : -1, r.list_year(),
      ArrayLiteral(std::vector<std::string>(r.caveats().begin(), r.caveats().end())), api::IdOf(r.round()),
      api::IdOf(r.application()));
}

// Records an approved classification (history, household row, years, change feed).
void ApplyApproval(transaction_base& tx, const std::string& hid, const std::string& review_id,
                   const std::string& cls, absl::CivilDay effective, int last_year) {
  auto prev_hist = LoadHistory(tx, hid);
  const std::string previous = ClassificationOn(prev_hist, effective - 1);
  tx.exec_params(
      "INSERT INTO classification_history (household_id, effective_date, review_id, classification)"
      " VALUES ($1::uuid, $2::date, $3::uuid, $4)",
      hid, D(effective), review_id, cls);
  auto hist = LoadHistory(tx, hid);
  // The household row shows the latest classification in force.
  const HistoryEntry* latest = nullptr;
  for (const auto& h : hist) {
    if (latest == nullptr || h.effective_date >= latest->effective_date) latest = &h;
  }
  tx.exec_params(
      "UPDATE households SET classification = $2, classified_since = $3::date WHERE id = $1::uuid",
      hid, latest->classification, D(latest->effective_date));
  RecomputeYears(tx, hid, last_year);
  auto commune = tx.exec_params("SELECT commune_code FROM households WHERE id = $1::uuid", hid);
  AppendFeed(tx, hid, "CLASSIFICATION_CHANGED", cls, previous, D(effective), Str(commune[0][0]));
  AddEvent(tx, hid, "CLASSIFIED", absl::StrCat(cls, " by review ", review_id), D(effective), "workflow");
}

}  // namespace lnob::registry::pg
