#include "services/registry/store/pg_household_store.h"

#include <map>
#include <set>
#include <tuple>

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

namespace lnob::registry {
namespace {

using pqxx::transaction_base;
using db::ArrayLiteral;
using db::ArrayValue;
using db::Str;

std::string D(absl::CivilDay d) { return FormatDate(d); }
std::string DateText(const google::type::Date& d) {
  return api::IsSet(d) ? absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day()) : "";
}
absl::CivilDay ToDay(const google::type::Date& d) { return absl::CivilDay(d.year(), d.month(), d.day()); }

absl::Status NotFound(const std::string& what) {
  return WithReason(absl::NotFoundError(absl::StrCat(what, " not found")), "NOT_FOUND");
}

constexpr char kHouseholdColumns[] =
    "h.id, coalesce(h.external_id, ''), h.commune_code, h.village, h.address, h.area_type,"
    " h.area_type_override_reason, coalesce(h.head_member_id::text, ''), h.head_ethnicity,"
    " h.no_labor_capacity, h.policy_beneficiary, h.status, h.classification,"
    " coalesce(h.classified_since::text, ''), h.registered_on::text, h.version, h.created_by,"
    " to_char(h.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), h.updated_by,"
    " to_char(h.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

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
  h.set_create_time(Str(r[17]));
  h.set_updated_by(Str(r[18]));
  h.set_update_time(Str(r[19]));
  return h;
}

constexpr char kMemberColumns[] =
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
                const std::string& commune) {
  // Serialises feed writers so that cursor order is commit order (see migration 003).
  tx.exec("SELECT pg_advisory_xact_lock(hashtext('lnob.registry.change_feed'))");
  tx.exec_params(
      "INSERT INTO change_feed (household_id, kind, classification, previous_classification,"
      " effective_date, commune_code) VALUES ($1::uuid, $2, $3, $4, NULLIF($5, '')::date, $6)",
      hid, kind, cls, prev, effective, commune);
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
      api::IdOf(m.name()), hid, m.full_name(), DateText(m.birth_date()),
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
        h.no_labor_capacity(), h.policy_beneficiary(), DateText(h.registered_on()), actor,
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

constexpr char kReviewColumns[] =
    "r.id, r.household_id, r.kind, r.review_date::text, r.standard_id, r.income_per_capita,"
    " r.indicators::text, r.deprivation_count, r.computed_class, r.reviewer, r.state,"
    " r.decision_number, coalesce(r.decision_date::text, ''), coalesce(r.posted_on::text, ''),"
    " r.rejection_reason, r.version,"
    " to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " coalesce(r.proxy_score, -1)";

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
  v.set_create_time(Str(r[16]));
  v.set_update_time(Str(r[17]));
  if (r[18].as<int>() >= 0) v.set_proxy_score(r[18].as<int>());
  return v;
}

std::string IndicatorsJson(const v1::Review& r) {
  v1::Review tmp;
  *tmp.mutable_indicators() = r.indicators();
  std::string json;
  google::protobuf::util::JsonPrintOptions o;
  o.always_print_primitive_fields = true;
  google::protobuf::util::MessageToJsonString(tmp, &json, o);
  // {"indicators":[...]} -> [...]
  auto start = json.find('[');
  auto end = json.rfind(']');
  return start == std::string::npos ? "[]" : json.substr(start, end - start + 1);
}

void InsertReview(transaction_base& tx, const std::string& hid, const v1::Review& r,
                  const std::string& actor, const std::string& state) {
  auto area = tx.exec_params("SELECT area_type FROM households WHERE id = $1::uuid", hid);
  tx.exec_params(
      "INSERT INTO reviews (id, household_id, kind, review_date, standard_id, income_per_capita,"
      " indicators, deprivation_count, area_type, computed_class, reviewer, state, decision_number,"
      " decision_date, created_by, proxy_score) VALUES ($1::uuid, $2::uuid, $3, $4::date, $5, $6, $7::jsonb, $8,"
      " $9, $10, $11, $12, $13, NULLIF($14, '')::date, $15, NULLIF($16, -1))",
      api::IdOf(r.name()), hid, r.kind() == v1::ONGOING ? "ONGOING" : "PERIODIC", DateText(r.review_date()),
      r.standard_id(), r.income_per_capita_vnd(), IndicatorsJson(r), r.deprivation_count(),
      area.empty() ? "" : Str(area[0][0]),
      v1::HouseholdClass_Name(r.computed_class()), r.reviewer(), state, r.decision_number(),
      DateText(r.decision_date()), actor, r.has_proxy_score() ? r.proxy_score() : -1);
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

class PgHouseholdStore : public HouseholdStore {
 public:
  explicit PgHouseholdStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<v1::Household> Create(const v1::Household& h, const std::string& actor,
                                       const IdempotencyKey& key) override {
    return pool_->Write<v1::Household>([&](transaction_base& tx, v1::Household& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        WriteHousehold(tx, h, actor, /*insert=*/true);
        AddEvent(tx, api::IdOf(h.name()), "CREATED", absl::StrCat("commune ", h.commune_code(), ", ",
                                                            h.members_size(), " members"),
                 DateText(h.registered_on()), actor);
        LNOB_ASSIGN_OR_RETURN(out, LoadHousehold(tx, api::IdOf(h.name()), false));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Household> Get(const std::string& id) override {
    return pool_->Fetch<v1::Household>([&](transaction_base& tx, v1::Household& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, LoadHousehold(tx, id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Household>> List(const HouseholdFilter& f) override {
    return pool_->Fetch<std::vector<v1::Household>>([&](transaction_base& tx, std::vector<v1::Household>& out) -> absl::Status {
      // Whitelisted filters, always the same parameterized statement.
      auto r = tx.exec_params(
          absl::StrCat(
              "SELECT ", kHouseholdColumns, " FROM households h"
              " WHERE (NOT $1 OR h.commune_code = ANY($2::text[]))"
              " AND ($3 = '' OR h.classification = $3)"
              " AND ($4 = '' OR h.head_ethnicity = $4)"
              " AND ($5 = 0 OR ($5 = 1 AND h.head_ethnicity NOT IN ('01', '')) OR ($5 = 2 AND h.head_ethnicity = '01'))"
              " AND (NOT $6 OR h.no_labor_capacity) AND (NOT $7 OR h.policy_beneficiary)"
              " AND ($8 = '' OR EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id"
              "      AND m.active AND m.name_search LIKE '%' || $8 || '%'))"
              " AND ($9 = '' OR h.id > $9::uuid) AND h.status = 'HOUSEHOLD_ACTIVE'"
              " ORDER BY h.id LIMIT $10"),
          f.restrict_communes, ArrayLiteral(f.commune_codes), f.classification, f.head_ethnicity,
          f.head_group, f.only_no_labor_capacity, f.only_policy_beneficiary, f.name_folded, f.after_id,
          f.limit);
      for (const auto& row : r) out.push_back(HouseholdFromRow(row));
      if (f.include_members) {
        std::vector<v1::Household*> ptrs;
        for (auto& h : out) ptrs.push_back(&h);
        LoadMembers(tx, ptrs, true);
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::optional<v1::Household>> FindByCitizenId(const std::string& cid) override {
    return pool_->Fetch<std::optional<v1::Household>>([&](transaction_base& tx, std::optional<v1::Household>& out) -> absl::Status {
      auto r = tx.exec_params("SELECT household_id::text FROM members WHERE citizen_id = $1 AND active", cid);
      if (r.empty()) return absl::OkStatus();
      LNOB_ASSIGN_OR_RETURN(v1::Household h, LoadHousehold(tx, Str(r[0][0]), false));
      out = std::move(h);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Household> Mutate(
      const std::string& id, const std::string& etag, const std::string& actor,
      const std::function<absl::Status(v1::Household&, Mutation&)>& mutate) override {
    return pool_->Write<v1::Household>([&](transaction_base& tx, v1::Household& out) -> absl::Status {
      auto version = tx.exec_params("SELECT version, status FROM households WHERE id = $1::uuid FOR UPDATE", id);
      if (version.empty()) return NotFound("households/" + id);
      if (Str(version[0][1]) != "HOUSEHOLD_ACTIVE") {
        return WithReason(absl::FailedPreconditionError("the household is closed (merged)"), "HOUSEHOLD_CLOSED");
      }
      LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, version[0][0].as<int64_t>()));
      LNOB_ASSIGN_OR_RETURN(v1::Household h, LoadHousehold(tx, id, false));
      const std::string old_commune = h.commune_code();
      Mutation m;
      LNOB_RETURN_IF_ERROR(mutate(h, m));
      WriteHousehold(tx, h, actor, false);
      const std::string eff = m.effective_date ? D(*m.effective_date) : "";
      AddEvent(tx, id, m.kind, m.detail, eff, actor);
      if (h.commune_code() != old_commune) {
        AppendFeed(tx, id, "HOUSEHOLD_MOVED", v1::HouseholdClass_Name(h.classification()), "", eff,
                   h.commune_code());
      }
      LNOB_ASSIGN_OR_RETURN(out, LoadHousehold(tx, id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::pair<v1::Household, v1::Household>> Split(
      const std::string& id, const std::string& etag, const std::vector<std::string>& member_ids,
      const v1::Household& created, absl::CivilDay date, const std::string& actor, int last_year) override {
    return pool_->Write<std::pair<v1::Household, v1::Household>>([&](transaction_base& tx, std::pair<v1::Household, v1::Household>& out) -> absl::Status {
      auto version = tx.exec_params("SELECT version FROM households WHERE id = $1::uuid FOR UPDATE", id);
      if (version.empty()) return NotFound("households/" + id);
      LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, version[0][0].as<int64_t>()));
      LNOB_ASSIGN_OR_RETURN(v1::Household original, LoadHousehold(tx, id, false));
      std::set<std::string> moving(member_ids.begin(), member_ids.end());
      v1::Household fresh = created;
      const std::string new_id = api::IdOf(fresh.name());
      v1::Household kept = original;
      kept.clear_members();
      for (const auto& m : original.members()) {
        if (moving.count(api::IdOf(m.name())) && m.active()) {
          v1::Member moved = m;
          moved.set_name(absl::StrCat("households/", new_id, "/members/", api::IdOf(m.name())));
          *fresh.add_members() = moved;
        } else {
          *kept.add_members() = m;
        }
      }
      if (fresh.members_size() != static_cast<int>(moving.size())) {
        return InvalidField("member_names", "every member must be an active member of the household");
      }
      bool head_left = moving.count(api::IdOf(original.head_member())) > 0;
      if (head_left) {
        return InvalidField("member_names", "the head stays; choose another head first (UpdateHousehold)");
      }
      fresh.set_head_member(fresh.members(0).name());
      fresh.mutable_members(0)->set_relation(v1::HEAD);
      WriteHousehold(tx, fresh, actor, true);
      WriteHousehold(tx, kept, actor, false);
      AddEvent(tx, id, "SPLIT_TO", absl::StrCat(fresh.members_size(), " members to households/", new_id), D(date), actor);
      AddEvent(tx, new_id, "SPLIT_FROM", absl::StrCat("households/", id), D(date), actor);
      // The new household inherits the classification history until its own review, so its
      // statistics and transitions continue (POOR_REMAINING, not NEW_POOR).
      tx.exec_params(
          "UPDATE households n SET classification = o.classification, classified_since = o.classified_since"
          " FROM households o WHERE n.id = $1::uuid AND o.id = $2::uuid",
          new_id, id);
      tx.exec_params(
          "INSERT INTO classification_history (household_id, effective_date, review_id, classification)"
          " SELECT $1::uuid, effective_date, review_id, classification FROM classification_history"
          " WHERE household_id = $2::uuid",
          new_id, id);
      RecomputeYears(tx, new_id, last_year);
      AppendFeed(tx, new_id, "HOUSEHOLD_SPLIT", v1::HouseholdClass_Name(original.classification()), "",
                 D(date), fresh.commune_code());
      LNOB_ASSIGN_OR_RETURN(out.first, LoadHousehold(tx, id, false));
      LNOB_ASSIGN_OR_RETURN(out.second, LoadHousehold(tx, new_id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Household> Merge(const std::string& target_id, const std::string& etag,
                                      const std::string& source_id, absl::CivilDay date,
                                      const std::string& actor, int last_year) override {
    return pool_->Write<v1::Household>([&](transaction_base& tx, v1::Household& out) -> absl::Status {
      // Lock both in id order to avoid deadlocks between opposite merges.
      auto locked = tx.exec_params(
          "SELECT id::text, version, status FROM households WHERE id IN ($1::uuid, $2::uuid)"
          " ORDER BY id FOR UPDATE",
          target_id, source_id);
      if (locked.size() != 2) return NotFound("household");
      for (const auto& row : locked) {
        if (Str(row[0]) == target_id) LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, row[1].as<int64_t>()));
        if (Str(row[2]) != "HOUSEHOLD_ACTIVE") {
          return WithReason(absl::FailedPreconditionError("both households must be ACTIVE"), "NOT_ACTIVE");
        }
      }
      LNOB_ASSIGN_OR_RETURN(v1::Household target, LoadHousehold(tx, target_id, false));
      LNOB_ASSIGN_OR_RETURN(v1::Household source, LoadHousehold(tx, source_id, false));
      for (const auto& m : source.members()) {
        if (!m.active()) continue;
        v1::Member moved = m;
        moved.set_name(absl::StrCat(target.name(), "/members/", api::IdOf(m.name())));
        if (moved.relation() == v1::HEAD) moved.set_relation(v1::OTHER_RELATIVE);
        *target.add_members() = moved;
      }
      v1::Household closed = source;
      closed.clear_members();
      closed.set_status(v1::HOUSEHOLD_MERGED);
      closed.clear_head_member();
      WriteHousehold(tx, target, actor, false);
      WriteHousehold(tx, closed, actor, false);
      // The closed household leaves the statistics from this year on (trigger adjusts stats_agg).
      tx.exec_params("DELETE FROM household_years WHERE household_id = $1::uuid AND year >= $2", source_id, last_year);
      AddEvent(tx, target_id, "MERGED_FROM", source.name(), D(date), actor);
      AddEvent(tx, source_id, "MERGED_INTO", target.name(), D(date), actor);
      AppendFeed(tx, source_id, "HOUSEHOLD_MERGED", v1::HouseholdClass_Name(source.classification()),
                 "", D(date), source.commune_code());
      LNOB_ASSIGN_OR_RETURN(out, LoadHousehold(tx, target_id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::HouseholdEvent>> Events(const std::string& id, int64_t after,
                                                         int limit) override {
    return pool_->Fetch<std::vector<v1::HouseholdEvent>>([&](transaction_base& tx, std::vector<v1::HouseholdEvent>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT id, kind, detail, actor, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
          " coalesce(effective_date::text, '') FROM household_events WHERE household_id = $1::uuid"
          " AND id > $2 ORDER BY id LIMIT $3",
          id, after, limit);
      for (const auto& row : r) {
        v1::HouseholdEvent e;
        e.set_id(row[0].as<int64_t>());
        e.set_kind(Str(row[1]));
        e.set_detail(Str(row[2]));
        e.set_actor(Str(row[3]));
        e.set_event_time(Str(row[4]));
        api::SetProtoDate(Str(row[5]), e.mutable_effective_date());
        out.push_back(std::move(e));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Review> CreateReview(const std::string& hid, const v1::Review& r,
                                          const std::string& actor, const IdempotencyKey& key) override {
    return pool_->Write<v1::Review>([&](transaction_base& tx, v1::Review& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        InsertReview(tx, hid, r, actor, "DRAFT");
        tx.exec_params("INSERT INTO review_events (review_id, from_state, to_state, actor) VALUES ($1::uuid, '', 'DRAFT', $2)",
                       api::IdOf(r.name()), actor);
        auto row = tx.exec_params(absl::StrCat("SELECT ", kReviewColumns, " FROM reviews r WHERE r.id = $1::uuid"),
                                  api::IdOf(r.name()));
        out = ReviewFromRow(row[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Review> GetReview(const std::string& hid, const std::string& rid) override {
    return pool_->Fetch<v1::Review>([&](transaction_base& tx, v1::Review& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", kReviewColumns,
                                           " FROM reviews r WHERE r.id = $1::uuid AND r.household_id = $2::uuid"),
                              rid, hid);
      if (r.empty()) return NotFound(absl::StrCat("households/", hid, "/reviews/", rid));
      out = ReviewFromRow(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Review>> ListReviews(const std::string& hid, const std::string& after,
                                                      int limit) override {
    return pool_->Fetch<std::vector<v1::Review>>([&](transaction_base& tx, std::vector<v1::Review>& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", kReviewColumns,
                                           " FROM reviews r WHERE r.household_id = $1::uuid"
                                           " AND ($2 = '' OR r.id > $2::uuid) ORDER BY r.id LIMIT $3"),
                              hid, after, limit);
      for (const auto& row : r) out.push_back(ReviewFromRow(row));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Review> ChangeReview(const std::string& hid, const std::string& rid,
                                          const std::string& etag, const ReviewChange& c,
                                          const std::string& actor, int last_year) override {
    return pool_->Write<v1::Review>([&](transaction_base& tx, v1::Review& out) -> absl::Status {
      // Household first, then review: the same lock order as every other writer.
      auto hh = tx.exec_params("SELECT status FROM households WHERE id = $1::uuid FOR UPDATE", hid);
      if (hh.empty()) return NotFound("households/" + hid);
      if (Str(hh[0][0]) != "HOUSEHOLD_ACTIVE" && c.to_state == "APPROVED") {
        return WithReason(absl::FailedPreconditionError("the household is closed (merged)"), "HOUSEHOLD_CLOSED");
      }
      auto cur = tx.exec_params(
          "SELECT state, version, computed_class FROM reviews WHERE id = $1::uuid AND household_id = $2::uuid FOR UPDATE",
          rid, hid);
      if (cur.empty()) return NotFound(absl::StrCat("households/", hid, "/reviews/", rid));
      const std::string from = Str(cur[0][0]);
      if (!ReviewTransitionAllowed(from, c.to_state)) {
        return WithReason(absl::FailedPreconditionError(absl::StrCat("a ", from, " review cannot become ", c.to_state)),
                          "ILLEGAL_TRANSITION");
      }
      LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, cur[0][1].as<int64_t>()));
      tx.exec_params(
          "UPDATE reviews SET state = $2,"
          " decision_number = CASE WHEN $3 <> '' THEN $3 ELSE decision_number END,"
          " decision_date = coalesce(NULLIF($4, '')::date, decision_date),"
          " posted_on = coalesce(NULLIF($5, '')::date, posted_on),"
          " rejection_reason = CASE WHEN $6 <> '' THEN $6 ELSE rejection_reason END,"
          " version = version + 1, updated_at = now() WHERE id = $1::uuid",
          rid, c.to_state, c.decision_number, c.decision_date ? D(*c.decision_date) : "",
          c.posted_on ? D(*c.posted_on) : "", c.rejection_reason);
      tx.exec_params(
          "INSERT INTO review_events (review_id, from_state, to_state, actor, note) VALUES ($1::uuid, $2, $3, $4, $5)",
          rid, from, c.to_state, actor, c.decision_number.empty() ? c.rejection_reason : c.decision_number);
      if (c.to_state == "APPROVED") {
        ApplyApproval(tx, hid, rid, Str(cur[0][2]), *c.decision_date, last_year);
      }
      auto row = tx.exec_params(absl::StrCat("SELECT ", kReviewColumns, " FROM reviews r WHERE r.id = $1::uuid"), rid);
      out = ReviewFromRow(row[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::ClassificationRecord>> History(const std::string& hid) override {
    return pool_->Fetch<std::vector<v1::ClassificationRecord>>([&](transaction_base& tx, std::vector<v1::ClassificationRecord>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT c.effective_date::text, c.classification, c.review_id::text, r.decision_number, r.standard_id"
          " FROM classification_history c JOIN reviews r ON r.id = c.review_id"
          " WHERE c.household_id = $1::uuid ORDER BY c.effective_date, c.recorded_at",
          hid);
      for (const auto& row : r) {
        v1::ClassificationRecord rec;
        rec.set_household("households/" + hid);
        api::SetProtoDate(Str(row[0]), rec.mutable_effective_date());
        v1::HouseholdClass cls = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
        v1::HouseholdClass_Parse(Str(row[1]), &cls);
        rec.set_classification(cls);
        rec.set_review(absl::StrCat("households/", hid, "/reviews/", Str(row[2])));
        rec.set_decision_number(Str(row[3]));
        rec.set_standard_id(Str(row[4]));
        out.push_back(std::move(rec));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<std::optional<Fact>>> Facts(const std::vector<std::string>& ids,
                                                         const std::vector<std::string>& dates) override {
    using Out = std::vector<std::optional<Fact>>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      out.assign(ids.size(), std::nullopt);
      // One statement for the whole batch; the lateral lookups use the primary keys.
      auto r = tx.exec_params(
          "SELECT q.ord, h.commune_code, h.head_ethnicity, h.status,"
          " coalesce((SELECT c.classification FROM classification_history c"
          "   WHERE c.household_id = h.id AND c.effective_date <= q.d"
          "   ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1), 'HOUSEHOLD_CLASS_UNSPECIFIED'),"
          " coalesce((SELECT y.transition FROM household_years y"
          "   WHERE y.household_id = h.id AND y.year = extract(year FROM q.d)::int), '')"
          " FROM unnest($1::uuid[], $2::date[]) WITH ORDINALITY AS q(id, d, ord)"
          " JOIN households h ON h.id = q.id",
          ArrayLiteral(ids), ArrayLiteral(dates));
      for (const auto& row : r) {
        const auto i = row[0].as<int64_t>() - 1;
        out[i] = Fact{Str(row[1]), Str(row[2]), Str(row[3]), Str(row[4]), Str(row[5])};
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::TransitionCount>> TransitionCounts(
      int year, const std::optional<std::vector<std::string>>& communes) override {
    return pool_->Fetch<std::vector<v1::TransitionCount>>([&](transaction_base& tx, std::vector<v1::TransitionCount>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT transition, sum(households)::bigint,"
          " coalesce(sum(households) FILTER (WHERE head_ethnicity NOT IN ('01', '')), 0)::bigint"
          " FROM stats_agg WHERE year = $1 AND transition <> ''"
          " AND (NOT $2 OR commune_code = ANY($3::text[])) GROUP BY transition ORDER BY transition",
          year, communes.has_value(), ArrayLiteral(communes.value_or(std::vector<std::string>{})));
      for (const auto& row : r) {
        v1::TransitionCount c;
        v1::TransitionCategory cat = v1::TRANSITION_CATEGORY_UNSPECIFIED;
        v1::TransitionCategory_Parse(Str(row[0]), &cat);
        c.set_category(cat);
        c.set_households(row[1].as<int64_t>());
        c.set_ethnic_minority_households(row[2].as<int64_t>());
        if (c.households() > 0) out.push_back(std::move(c));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<std::string>> TransitionHouseholds(
      int year, const std::optional<std::vector<std::string>>& communes, const std::string& category,
      const std::string& after, int limit) override {
    return pool_->Fetch<std::vector<std::string>>([&](transaction_base& tx, std::vector<std::string>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT household_id::text FROM household_years WHERE year = $1 AND transition = $2"
          " AND (NOT $3 OR commune_code = ANY($4::text[])) AND ($5 = '' OR household_id > $5::uuid)"
          " ORDER BY household_id LIMIT $6",
          year, category, communes.has_value(), ArrayLiteral(communes.value_or(std::vector<std::string>{})),
          after, limit);
      for (const auto& row : r) out.push_back(Str(row[0]));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::StatisticsRow>> Statistics(const StatsQuery& q) override {
    std::vector<v1::StatisticsRow> out;
    std::vector<std::string> codes, buckets;
    for (const auto& [c, b] : q.communes) {
      codes.push_back(c);
      buckets.push_back(b);
    }
    absl::Status st = pool_->Read([&](transaction_base& tx) {
      out.clear();
      auto r = tx.exec_params(
          "SELECT m.bucket, CASE WHEN s.head_ethnicity = '' THEN 'UNKNOWN' WHEN $2 THEN s.head_ethnicity"
          " WHEN s.head_ethnicity = '01' THEN 'KINH' ELSE 'EM' END AS grp, s.class_end,"
          " sum(s.households)::bigint, sum(s.people)::bigint"
          " FROM stats_agg s JOIN unnest($3::text[], $4::text[]) AS m(code, bucket) ON m.code = s.commune_code"
          " WHERE s.year = $1 AND s.households <> 0 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
          q.year, q.by_ethnic_group, ArrayLiteral(codes), ArrayLiteral(buckets));
      for (const auto& row : r) {
        v1::StatisticsRow s;
        s.set_unit_code(Str(row[0]));
        s.set_ethnic_group(Str(row[1]));
        v1::HouseholdClass cls = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
        v1::HouseholdClass_Parse(Str(row[2]), &cls);
        s.set_classification(cls);
        s.set_households(row[3].as<int64_t>());
        s.set_people(row[4].as<int64_t>());
        if (s.households() > 0) out.push_back(std::move(s));
      }
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return out;
  }

  absl::StatusOr<int64_t> EmEscapes(int year) override {
    int64_t n = 0;
    absl::Status st = pool_->Read([&](transaction_base& tx) {
      n = tx.exec_params(
                "SELECT coalesce(sum(households), 0)::bigint FROM stats_agg WHERE year = $1"
                " AND transition IN ('ESCAPED_POOR', 'POOR_TO_NEAR_POOR') AND head_ethnicity NOT IN ('01', '')",
                year)[0][0]
              .as<int64_t>();
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return n;
  }

  absl::StatusOr<v1::MovementTarget> CreateTarget(const v1::MovementTarget& t, const std::string& actor,
                                                  const IdempotencyKey& key) override {
    return pool_->Write<v1::MovementTarget>([&](transaction_base& tx, v1::MovementTarget& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        std::vector<std::string> units(t.unit_codes().begin(), t.unit_codes().end());
        tx.exec_params(
            "INSERT INTO movement_targets (id, kind, year_from, year_to, threshold, unit_codes, legal_doc,"
            " description, created_by) VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9)",
            t.id(), v1::MovementTarget::Kind_Name(t.kind()), t.year_from(), t.year_to(), t.threshold(),
            ArrayLiteral(units), t.legal_doc(), t.description(), actor);
        out = t;
        out.set_name("targets/" + t.id());
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<std::vector<v1::MovementTarget>> ListTargets() override {
    return pool_->Fetch<std::vector<v1::MovementTarget>>([&](transaction_base& tx, std::vector<v1::MovementTarget>& out) -> absl::Status {
      auto r = tx.exec("SELECT id, kind, year_from, year_to, threshold, array_to_string(unit_codes, ','),"
                       " legal_doc, description FROM movement_targets ORDER BY id");
      for (const auto& row : r) {
        v1::MovementTarget t;
        t.set_id(Str(row[0]));
        t.set_name("targets/" + t.id());
        v1::MovementTarget::Kind k = v1::MovementTarget::KIND_UNSPECIFIED;
        v1::MovementTarget::Kind_Parse(Str(row[1]), &k);
        t.set_kind(k);
        t.set_year_from(row[2].as<int>());
        t.set_year_to(row[3].as<int>());
        t.set_threshold(row[4].as<int64_t>());
        for (absl::string_view u : absl::StrSplit(Str(row[5]), ',', absl::SkipEmpty())) t.add_unit_codes(std::string(u));
        t.set_legal_doc(Str(row[6]));
        t.set_description(Str(row[7]));
        out.push_back(std::move(t));
      }
      return absl::OkStatus();
    });
  }

  absl::Status AuditPersonalDataRead(const std::string& actor, const std::string& method,
                                     const std::string& request_id,
                                     const std::vector<std::string>& ids) override {
    if (ids.empty()) return absl::OkStatus();
    return pool_->Run([&](transaction_base& tx) {
      tx.exec_params("INSERT INTO pii_audit (actor, method, request_id, household_ids) VALUES ($1, $2, $3, $4::uuid[])",
                     actor, method, request_id, ArrayLiteral(ids));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<ImportBatchResult> ImportBatch(const std::string& import_id, const std::string& actor,
                                                const std::vector<ImportRow>& rows, int last_year) override;
  absl::StatusOr<int64_t> RollForwardYears(int last_year) override {
    int64_t added = 0;
    absl::Status st = pool_->Run([&](transaction_base& tx) {
      added = 0;
      tx.exec("SELECT pg_advisory_xact_lock(hashtext('lnob.registry.roll_forward'))");
      auto from = tx.exec("SELECT coalesce(min(year), 0) FROM household_years")[0][0].as<int>();
      for (int year = std::max(from + 1, 2000); from > 0 && year <= last_year; ++year) {
        auto r = tx.exec_params(
            "INSERT INTO household_years (household_id, year, commune_code, head_ethnicity, people,"
            " class_start, class_end, transition)"
            " SELECT y.household_id, $1, y.commune_code, y.head_ethnicity, y.people, y.class_end, y.class_end,"
            " CASE y.class_end WHEN 'POOR' THEN 'POOR_REMAINING' WHEN 'NEAR_POOR' THEN 'NEAR_POOR_REMAINING' ELSE '' END"
            " FROM household_years y JOIN households h ON h.id = y.household_id AND h.status = 'HOUSEHOLD_ACTIVE'"
            " WHERE y.year = $1 - 1 ON CONFLICT (household_id, year) DO NOTHING",
            year);
        added += r.affected_rows();
      }
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return added;
  }

  absl::StatusOr<std::pair<std::string, std::string>> ReviewWindow(const std::string& kind) override {
    return pool_->Fetch<std::pair<std::string, std::string>>([&](transaction_base& tx, std::pair<std::string, std::string>& out) -> absl::Status {
      auto r = tx.exec_params("SELECT window_start, window_end FROM review_settings WHERE kind = $1", kind);
      if (r.empty()) return NotFound("review window " + kind);
      out = {Str(r[0][0]), Str(r[0][1])};
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<int64_t>> ImportedRows(const std::string& import_id) override {
    return pool_->Fetch<std::vector<int64_t>>([&](transaction_base& tx, std::vector<int64_t>& out) -> absl::Status {
      auto r = tx.exec_params("SELECT row_number FROM import_rows WHERE import_id = $1::uuid ORDER BY 1", import_id);
      for (const auto& row : r) out.push_back(row[0].as<int64_t>());
      return absl::OkStatus();
    });
  }
  absl::Status Export(const std::optional<std::vector<std::string>>& communes, bool include_reviews,
                      const std::function<bool(const v1::HouseholdRecord&)>& sink) override;

  absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(int64_t after, int limit) override {
    return pool_->Fetch<std::vector<v1::ChangeEvent>>([&](transaction_base& tx, std::vector<v1::ChangeEvent>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT cursor, household_id::text, kind, classification, previous_classification,"
          " coalesce(effective_date::text, ''), commune_code,"
          " to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
          " FROM change_feed WHERE cursor > $1 ORDER BY cursor LIMIT $2",
          after, limit);
      for (const auto& row : r) {
        v1::ChangeEvent e;
        e.set_cursor(row[0].as<int64_t>());
        e.set_household("households/" + Str(row[1]));
        e.set_kind(Str(row[2]));
        v1::HouseholdClass c = v1::HOUSEHOLD_CLASS_UNSPECIFIED, p = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
        v1::HouseholdClass_Parse(Str(row[3]), &c);
        v1::HouseholdClass_Parse(Str(row[4]), &p);
        e.set_classification(c);
        e.set_previous_classification(p);
        api::SetProtoDate(Str(row[5]), e.mutable_effective_date());
        e.set_commune_code(Str(row[6]));
        e.set_event_time(Str(row[7]));
        out.push_back(std::move(e));
      }
      return absl::OkStatus();
    });
  }

 private:
  db::Pool* pool_;
};


using db::CopyField;
using db::CopyOpt;
using db::CopyWriter;
const char* B(bool b) { return db::CopyBool(b); }

absl::StatusOr<ImportBatchResult> PgHouseholdStore::ImportBatch(const std::string& import_id,
                                                                const std::string& actor,
                                                                const std::vector<ImportRow>& rows,
                                                                int last_year) {
  ImportBatchResult result;
  absl::Status st = pool_->Run([&](transaction_base& tx) -> absl::Status {
    result = ImportBatchResult();
    tx.exec("SET LOCAL lnob.stats_by_caller = 'on'");
    tx.exec_params("INSERT INTO imports (id, started_by) VALUES ($1::uuid, $2) ON CONFLICT (id) DO NOTHING",
                   import_id, actor);
    std::vector<std::string> row_numbers, external_ids, citizen_ids, names;
    for (const auto& r : rows) {
      row_numbers.push_back(absl::StrCat(r.row_number));
      if (!r.record.external_id().empty()) external_ids.push_back(r.record.external_id());
      for (const auto& m : r.record.household().members()) {
        if (!m.citizen_id().empty()) citizen_ids.push_back(m.citizen_id());
        names.push_back(m.full_name());
      }
    }
    std::set<int64_t> done;
    for (const auto& row : tx.exec_params(
             "SELECT row_number FROM import_rows WHERE import_id = $1::uuid AND row_number = ANY($2::bigint[])",
             import_id, ArrayLiteral(row_numbers))) {
      done.insert(row[0].as<int64_t>());
    }
    std::set<std::string> taken_external, taken_cid;
    for (const auto& row : tx.exec_params("SELECT external_id FROM households WHERE external_id = ANY($1::text[])",
                                          ArrayLiteral(external_ids))) {
      taken_external.insert(Str(row[0]));
    }
    for (const auto& row : tx.exec_params(
             "SELECT citizen_id FROM members WHERE active AND citizen_id = ANY($1::text[])",
             ArrayLiteral(citizen_ids))) {
      taken_cid.insert(Str(row[0]));
    }
    // NFC-normalise every name of the batch in one round trip (COPY bypasses SQL functions).
    std::vector<std::string> nfc;
    for (const auto& row : tx.exec_params("SELECT normalize(n, NFC) FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i",
                                          ArrayLiteral(names))) {
      nfc.push_back(Str(row[0]));
    }

    std::vector<const ImportRow*> accepted;
    size_t name_index = 0;
    std::vector<size_t> name_base;
    for (const auto& r : rows) {
      name_base.push_back(name_index);
      name_index += r.record.household().members_size();
      if (done.count(r.row_number)) {
        ++result.already_done;
        continue;
      }
      if (!r.record.external_id().empty() && taken_external.count(r.record.external_id())) {
        v1::RowError e;
        e.set_row_number(r.row_number);
        e.set_field("record.external_id");
        e.set_message("a household with this external_id already exists");
        result.errors.push_back(std::move(e));
        continue;
      }
      bool dup = false;
      for (int i = 0; i < r.record.household().members_size() && !dup; ++i) {
        const auto& cid = r.record.household().members(i).citizen_id();
        if (!cid.empty() && taken_cid.count(cid)) {
          v1::RowError e;
          e.set_row_number(r.row_number);
          e.set_field(absl::StrCat("record.household.members[", i, "].citizen_id"));
          e.set_message("citizen ID already belongs to an active member of another household");
          result.errors.push_back(std::move(e));
          dup = true;
        }
      }
      if (dup) continue;
      for (const auto& m : r.record.household().members()) {
        if (!m.citizen_id().empty()) taken_cid.insert(m.citizen_id());
      }
      if (!r.record.external_id().empty()) taken_external.insert(r.record.external_id());
      accepted.push_back(&r);
    }
    if (accepted.empty()) return absl::OkStatus();

    struct AggKey {
      int year;
      std::string commune, eth, cls, transition;
      bool operator<(const AggKey& o) const {
        return std::tie(year, commune, eth, cls, transition) < std::tie(o.year, o.commune, o.eth, o.cls, o.transition);
      }
    };
    std::map<AggKey, std::pair<int64_t, int64_t>> agg;
    {
      CopyWriter hs(tx, "households", std::vector<std::string>{"id", "external_id", "commune_code", "village", "address",
                                                  "area_type", "area_type_override_reason", "head_member_id",
                                                  "head_ethnicity", "no_labor_capacity", "policy_beneficiary",
                                                  "classification", "classified_since", "registered_on",
                                                  "created_by", "updated_by"});
      for (const ImportRow* r : accepted) {
        const auto& h = r->record.household();
        const v1::Review* latest = nullptr;
        for (const auto& v : r->record.reviews()) {
          if (latest == nullptr || ToDay(v.decision_date()) >= ToDay(latest->decision_date())) latest = &v;
        }
        std::string line;
        CopyField(&line, api::IdOf(h.name()));
        CopyOpt(&line, r->record.external_id());
        CopyField(&line, h.commune_code());
        CopyField(&line, h.village());
        CopyField(&line, h.address());
        CopyField(&line, h.area_type() == v1::AREA_TYPE_URBAN ? "URBAN" : "RURAL");
        CopyField(&line, h.area_type_override_reason());
        CopyOpt(&line, h.head_member().empty() ? "" : api::IdOf(h.head_member()));
        CopyField(&line, HeadEthnicity(h));
        CopyField(&line, B(h.no_labor_capacity()));
        CopyField(&line, B(h.policy_beneficiary()));
        CopyField(&line, latest ? v1::HouseholdClass_Name(latest->computed_class()) : "HOUSEHOLD_CLASS_UNSPECIFIED");
        CopyOpt(&line, latest ? DateText(latest->decision_date()) : "");
        CopyField(&line, DateText(h.registered_on()));
        CopyField(&line, actor);
        CopyField(&line, actor);
        hs.WriteLine(line);
      }
      hs.Complete();
    }
    {
      CopyWriter ms(tx, "members", std::vector<std::string>{"id", "household_id", "full_name", "birth_date", "sex",
                                                  "ethnicity_code", "citizen_id", "relation", "working_capacity",
                                                  "health_insurance", "attending_school", "education_level",
                                                  "disability", "active", "seq"});
      for (const ImportRow* r : accepted) {
        const auto& h = r->record.household();
        const size_t base = name_base[r - rows.data()];
        for (int i = 0; i < h.members_size(); ++i) {
          const auto& m = h.members(i);
          std::string line;
          CopyField(&line, api::IdOf(m.name()));
          CopyField(&line, api::IdOf(h.name()));
          CopyField(&line, nfc[base + i]);
          CopyOpt(&line, DateText(m.birth_date()));
          CopyField(&line, m.sex() == v1::FEMALE ? "FEMALE" : "MALE");
          CopyField(&line, m.ethnicity_code());
          CopyOpt(&line, m.citizen_id());
          CopyField(&line, v1::Relation_Name(m.relation()));
          CopyField(&line, B(m.working_capacity()));
          CopyField(&line, B(m.health_insurance()));
          CopyField(&line, B(m.attending_school()));
          CopyField(&line, v1::EducationLevel_Name(m.education_level()));
          CopyField(&line, B(m.disability()));
          CopyField(&line, "t");
          CopyField(&line, absl::StrCat(i));
          ms.WriteLine(line);
        }
      }
      ms.Complete();
    }
    bool any_review = false;
    for (const ImportRow* r : accepted) any_review |= r->record.reviews_size() > 0;
    if (any_review) {
      {
        CopyWriter rs(tx, "reviews",
                      std::vector<std::string>{"id", "household_id", "kind", "review_date", "standard_id",
                                               "income_per_capita", "indicators", "deprivation_count",
                                               "area_type", "computed_class", "reviewer", "state",
                                               "decision_number", "decision_date", "created_by", "proxy_score"});
        std::vector<std::string> hist_lines;  // one COPY at a time per transaction
        for (const ImportRow* r : accepted) {
          const auto& h = r->record.household();
          for (const auto& v : r->record.reviews()) {
            std::string line;
            CopyField(&line, api::IdOf(v.name()));
            CopyField(&line, api::IdOf(h.name()));
            CopyField(&line, v.kind() == v1::ONGOING ? "ONGOING" : "PERIODIC");
            CopyField(&line, DateText(v.review_date()));
            CopyField(&line, v.standard_id());
            CopyField(&line, absl::StrCat(v.income_per_capita_vnd()));
            CopyField(&line, IndicatorsJson(v));
            CopyField(&line, absl::StrCat(v.deprivation_count()));
            CopyField(&line, h.area_type() == v1::AREA_TYPE_URBAN ? "URBAN" : "RURAL");
            CopyField(&line, v1::HouseholdClass_Name(v.computed_class()));
            CopyField(&line, v.reviewer());
            CopyField(&line, "APPROVED");
            CopyField(&line, v.decision_number());
            CopyField(&line, DateText(v.decision_date()));
            CopyField(&line, actor);
            CopyOpt(&line, v.has_proxy_score() ? absl::StrCat(v.proxy_score()) : "");
            rs.WriteLine(line);
            std::string hist;
            CopyField(&hist, api::IdOf(h.name()));
            CopyField(&hist, DateText(v.decision_date()));
            CopyField(&hist, api::IdOf(v.name()));
            CopyField(&hist, v1::HouseholdClass_Name(v.computed_class()));
            hist_lines.push_back(std::move(hist));
          }
        }
        rs.Complete();
        CopyWriter ch(tx, "classification_history",
                      std::vector<std::string>{"household_id", "effective_date", "review_id", "classification"});
        for (const auto& line : hist_lines) ch.WriteLine(line);
        ch.Complete();
      }
      {
        CopyWriter ys(tx, "household_years",
                      std::vector<std::string>{"household_id", "year", "commune_code", "head_ethnicity",
                                               "people", "class_start", "class_end", "transition"});
        for (const ImportRow* r : accepted) {
          if (r->record.reviews_size() == 0) continue;
          const auto& h = r->record.household();
          std::vector<HistoryEntry> history;
          for (const auto& v : r->record.reviews()) {
            history.push_back({ToDay(v.decision_date()), v1::HouseholdClass_Name(v.computed_class())});
          }
          const std::string eth = HeadEthnicity(h);
          const int people = ActivePeople(h);
          for (const auto& s : YearSnapshots(history, last_year)) {
            std::string y;
            CopyField(&y, api::IdOf(h.name()));
            CopyField(&y, absl::StrCat(s.year));
            CopyField(&y, h.commune_code());
            CopyField(&y, eth);
            CopyField(&y, absl::StrCat(people));
            CopyField(&y, s.class_start);
            CopyField(&y, s.class_end);
            CopyField(&y, s.transition);
            ys.WriteLine(y);
            auto& a = agg[{s.year, h.commune_code(), eth, s.class_end, s.transition}];
            a.first += 1;
            a.second += people;
          }
        }
        ys.Complete();
      }
      // Statistics: one upsert of the batch's pre-aggregated deltas.
      std::vector<std::string> years, communes, eths, classes, transitions, hh, people;
      for (const auto& [k, v] : agg) {
        years.push_back(absl::StrCat(k.year));
        communes.push_back(k.commune);
        eths.push_back(k.eth);
        classes.push_back(k.cls);
        transitions.push_back(k.transition);
        hh.push_back(absl::StrCat(v.first));
        people.push_back(absl::StrCat(v.second));
      }
      tx.exec_params(
          "INSERT INTO stats_agg AS s SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[],"
          " $5::text[], $6::bigint[], $7::bigint[])"
          " ON CONFLICT (year, commune_code, head_ethnicity, class_end, transition)"
          " DO UPDATE SET households = s.households + EXCLUDED.households, people = s.people + EXCLUDED.people",
          ArrayLiteral(years), ArrayLiteral(communes), ArrayLiteral(eths), ArrayLiteral(classes),
          ArrayLiteral(transitions), ArrayLiteral(hh), ArrayLiteral(people));
      tx.exec("SELECT pg_advisory_xact_lock(hashtext('lnob.registry.change_feed'))");
      CopyWriter feed(tx, "change_feed",
                      std::vector<std::string>{"household_id", "kind", "classification", "effective_date",
                                               "commune_code"});
      for (const ImportRow* r : accepted) {
        for (const auto& v : r->record.reviews()) {
          std::string line;
          CopyField(&line, api::IdOf(r->record.household().name()));
          CopyField(&line, "CLASSIFICATION_CHANGED");
          CopyField(&line, v1::HouseholdClass_Name(v.computed_class()));
          CopyField(&line, DateText(v.decision_date()));
          CopyField(&line, r->record.household().commune_code());
          feed.WriteLine(line);
        }
      }
      feed.Complete();
    }
    {
      CopyWriter ir(tx, "import_rows", std::vector<std::string>{"import_id", "row_number", "household_id"});
      for (const ImportRow* r : accepted) {
        std::string line;
        CopyField(&line, import_id);
        CopyField(&line, absl::StrCat(r->row_number));
        CopyField(&line, api::IdOf(r->record.household().name()));
        ir.WriteLine(line);
      }
      ir.Complete();
    }
    tx.exec_params("UPDATE imports SET rows_committed = rows_committed + $2 WHERE id = $1::uuid", import_id,
                   static_cast<int64_t>(accepted.size()));
    result.committed = static_cast<int64_t>(accepted.size());
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

absl::Status PgHouseholdStore::Export(const std::optional<std::vector<std::string>>& communes,
                                      bool include_reviews,
                                      const std::function<bool(const v1::HouseholdRecord&)>& sink) {
  std::string after;
  while (true) {
    std::vector<v1::HouseholdRecord> page;
    absl::Status st = pool_->Read([&](transaction_base& tx) {
      page.clear();
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kHouseholdColumns, " FROM households h WHERE h.status = 'HOUSEHOLD_ACTIVE'"
                       " AND (NOT $1 OR h.commune_code = ANY($2::text[])) AND ($3 = '' OR h.id > $3::uuid)"
                       " ORDER BY h.id LIMIT 500"),
          communes.has_value(), ArrayLiteral(communes.value_or(std::vector<std::string>{})), after);
      std::vector<v1::Household> hs;
      std::vector<std::string> external;
      for (const auto& row : r) {
        hs.push_back(HouseholdFromRow(row));
        external.push_back(Str(row[1]));
      }
      std::vector<v1::Household*> ptrs;
      for (auto& h : hs) ptrs.push_back(&h);
      LoadMembers(tx, ptrs, true);
      for (size_t i = 0; i < hs.size(); ++i) {
        v1::HouseholdRecord rec;
        rec.set_external_id(external[i]);
        *rec.mutable_household() = hs[i];
        if (include_reviews) {
          auto rv = tx.exec_params(absl::StrCat("SELECT ", kReviewColumns,
                                                " FROM reviews r JOIN classification_history c ON c.review_id = r.id"
                                                " WHERE r.household_id = $1::uuid ORDER BY c.effective_date"),
                                   api::IdOf(hs[i].name()));
          for (const auto& row : rv) *rec.add_reviews() = ReviewFromRow(row);
        }
        page.push_back(std::move(rec));
      }
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    if (page.empty()) return absl::OkStatus();
    for (const auto& rec : page) {
      if (!sink(rec)) return absl::CancelledError("export cancelled by the client");
    }
    after = api::IdOf(page.back().household().name());
  }
}

}  // namespace

std::unique_ptr<HouseholdStore> NewPgHouseholdStore(db::Pool* pool) {
  return std::make_unique<PgHouseholdStore>(pool);
}

}  // namespace lnob::registry
