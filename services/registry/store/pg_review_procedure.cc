#include "services/registry/store/pg_review_procedure.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/date.h"

namespace lnob::registry::pg {
namespace {

using db::ArrayLiteral;
using db::Str;

constexpr char kApplicationColumns[] =
    "a.id, a.household_id, a.commune_code, a.purpose, a.filed_on::text, a.reason, a.deadline::text, a.state,"
    " coalesce(a.review_id::text, ''), a.refusal_reason, coalesce(a.closed_on::text, ''),"
    " array_to_string(a.caveats, ','), a.version,"
    " to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

v1::ReviewApplication ApplicationFromRow(const pqxx::row& r) {
  v1::ReviewApplication a;
  const std::string hid = Str(r[1]);
  a.set_name(absl::StrCat("households/", hid, "/applications/", Str(r[0])));
  a.set_commune_code(Str(r[2]));
  v1::ApplicationPurpose purpose = v1::APPLICATION_PURPOSE_UNSPECIFIED;
  v1::ApplicationPurpose_Parse(Str(r[3]), &purpose);
  a.set_purpose(purpose);
  api::SetProtoDate(Str(r[4]), a.mutable_filed_on());
  a.set_reason(Str(r[5]));
  api::SetProtoDate(Str(r[6]), a.mutable_deadline());
  v1::ApplicationState state = v1::APPLICATION_STATE_UNSPECIFIED;
  v1::ApplicationState_Parse(Str(r[7]), &state);
  a.set_state(state);
  if (!Str(r[8]).empty()) a.set_review(absl::StrCat("households/", hid, "/reviews/", Str(r[8])));
  a.set_refusal_reason(Str(r[9]));
  api::SetProtoDate(Str(r[10]), a.mutable_closed_on());
  for (absl::string_view c : absl::StrSplit(Str(r[11]), ',', absl::SkipEmpty())) a.add_caveats(std::string(c));
  a.set_etag(api::EtagForVersion(r[12].as<int64_t>()));
  api::SetProtoTimestamp(Str(r[13]), a.mutable_create_time());
  return a;
}

absl::StatusOr<v1::ReviewApplication> LoadApplication(transaction_base& tx, const std::string& hid,
                                                      const std::string& aid, bool lock) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", kApplicationColumns,
                                       " FROM review_applications a WHERE a.id = $1::uuid AND a.household_id = $2::uuid",
                                       lock ? " FOR UPDATE" : ""),
                          aid, hid);
  if (r.empty()) return NotFound(absl::StrCat("households/", hid, "/applications/", aid));
  return ApplicationFromRow(r[0]);
}

// The latest review of each due household in the round, as one lateral join.
constexpr char kLatestRoundReview[] =
    " LEFT JOIN LATERAL (SELECT r.id, r.state, r.computed_class FROM reviews r"
    "   WHERE r.round_id = d.round_id AND r.household_id = d.household_id ORDER BY r.id DESC LIMIT 1) lr ON true";

absl::StatusOr<v1::ReviewRound> LoadRound(transaction_base& tx, const std::string& id, bool lock) {
  auto r = tx.exec_params(
      absl::StrCat("SELECT id, commune_code, list_year, opened_on::text, state, coalesce(meeting_on::text, ''),"
                   " meeting_attendees, meeting_note, coalesce(posted_on::text, ''), version,"
                   " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
                   " (SELECT coalesce(max(version), 0) FROM recognised_lists l WHERE l.round_id = o.id)"
                   " FROM review_rounds o WHERE id = $1::uuid",
                   lock ? " FOR UPDATE" : ""),
      id);
  if (r.empty()) return NotFound("reviewRounds/" + id);
  v1::ReviewRound out;
  out.set_name("reviewRounds/" + Str(r[0][0]));
  out.set_commune_code(Str(r[0][1]));
  out.set_list_year(r[0][2].as<int>());
  api::SetProtoDate(Str(r[0][3]), out.mutable_opened_on());
  v1::RoundState st = v1::ROUND_STATE_UNSPECIFIED;
  v1::RoundState_Parse(Str(r[0][4]), &st);
  out.set_state(st);
  api::SetProtoDate(Str(r[0][5]), out.mutable_meeting_on());
  out.set_meeting_attendees(r[0][6].as<int>());
  out.set_meeting_note(Str(r[0][7]));
  api::SetProtoDate(Str(r[0][8]), out.mutable_posted_on());
  out.set_etag(api::EtagForVersion(r[0][9].as<int64_t>()));
  api::SetProtoTimestamp(Str(r[0][10]), out.mutable_create_time());
  out.set_recognised_version(r[0][11].as<int>());
  auto c = tx.exec_params(absl::StrCat(
                              "SELECT count(*), count(*) FILTER (WHERE lr.state IS NULL),"
                              " count(*) FILTER (WHERE lr.state = 'DRAFT'), count(*) FILTER (WHERE lr.state = 'SUBMITTED'),"
                              " count(*) FILTER (WHERE lr.state = 'POSTED'), count(*) FILTER (WHERE lr.state = 'APPROVED'),"
                              " count(*) FILTER (WHERE lr.state = 'REJECTED') FROM round_due d",
                              kLatestRoundReview, " WHERE d.round_id = $1::uuid"),
                          id);
  auto* n = out.mutable_counts();
  n->set_due(c[0][0].as<int>());
  n->set_without_review(c[0][1].as<int>());
  n->set_draft(c[0][2].as<int>());
  n->set_submitted(c[0][3].as<int>());
  n->set_posted(c[0][4].as<int>());
  n->set_approved(c[0][5].as<int>());
  n->set_rejected(c[0][6].as<int>());
  return out;
}

v1::HouseholdClass ClassOf(const std::string& name) {
  v1::HouseholdClass c = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
  v1::HouseholdClass_Parse(name, &c);
  return c;
}

absl::StatusOr<v1::RecognisedList> LoadRecognisedList(transaction_base& tx, const std::string& round_id, int version) {
  auto versions = tx.exec_params(
      "SELECT version, decision_number, decision_date::text, recognised_by, changed_entries FROM recognised_lists"
      " WHERE round_id = $1::uuid ORDER BY version",
      round_id);
  if (versions.empty()) return NotFound(absl::StrCat("reviewRounds/", round_id, "/recognisedList"));
  v1::RecognisedList out;
  out.set_round("reviewRounds/" + round_id);
  const int wanted = version == 0 ? versions[versions.size() - 1][0].as<int>() : version;
  for (const auto& v : versions) {
    auto* rv = out.add_versions();
    rv->set_version(v[0].as<int>());
    rv->set_decision_number(Str(v[1]));
    api::SetProtoDate(Str(v[2]), rv->mutable_decision_date());
    rv->set_recognised_by(Str(v[3]));
    rv->set_changed_entries(v[4].as<int>());
    if (rv->version() == wanted) {
      out.set_version(wanted);
      out.set_decision_number(rv->decision_number());
      *out.mutable_decision_date() = rv->decision_date();
      out.set_recognised_by(rv->recognised_by());
    }
  }
  if (out.version() == 0) return NotFound(absl::StrCat("reviewRounds/", round_id, "/recognisedList version ", version));
  auto rows = tx.exec_params(
      "SELECT e.household_id, coalesce(e.review_id::text, ''), e.classification, e.previous_classification,"
      " e.category, e.social_assistance, e.changed, h.classification <> e.classification"
      " FROM recognised_list_entries e JOIN households h ON h.id = e.household_id"
      " WHERE e.round_id = $1::uuid AND e.version = $2 ORDER BY e.household_id",
      round_id, wanted);
  for (const auto& row : rows) {
    auto* e = out.add_entries();
    e->set_household("households/" + Str(row[0]));
    if (!Str(row[1]).empty()) e->set_review(absl::StrCat(e->household(), "/reviews/", Str(row[1])));
    e->set_classification(ClassOf(Str(row[2])));
    e->set_previous_classification(ClassOf(Str(row[3])));
    e->set_category(Str(row[4]));
    e->set_social_assistance(row[5].as<bool>());
    e->set_changed(row[6].as<bool>());
    (*out.mutable_by_classification())[Str(row[2])]++;
    if (!e->category().empty()) (*out.mutable_by_category())[e->category()]++;
    if (row[7].as<bool>()) out.add_changed_later(e->household());
  }
  return out;
}

}  // namespace

absl::Status LinkReview(transaction_base& tx, const std::string& hid, const v1::Review& r) {
  const std::string round_id = api::IdOf(r.round()), app_id = api::IdOf(r.application());
  if (!app_id.empty()) {
    LNOB_ASSIGN_OR_RETURN(v1::ReviewApplication a, LoadApplication(tx, hid, app_id, true));
    if (a.state() != v1::APPLICATION_OPEN) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat("review.application: the request is already ",
                                                                   v1::ApplicationState_Name(a.state()))),
                        "APPLICATION_CLOSED");
    }
    tx.exec_params(
        "UPDATE review_applications SET state = 'APPLICATION_REVIEWED', review_id = $2::uuid, closed_on = $3::date,"
        " version = version + 1, updated_at = now() WHERE id = $1::uuid",
        app_id, api::IdOf(r.name()), api::ProtoDateText(r.review_date()));
  }
  if (round_id.empty()) return absl::OkStatus();
  auto round = tx.exec_params("SELECT state FROM review_rounds WHERE id = $1::uuid FOR SHARE", round_id);
  if (round.empty()) return NotFound("reviewRounds/" + round_id);
  const std::string state = Str(round[0][0]);
  if (state == "ROUND_MEETING_HELD" || state == "ROUND_POSTED") {
    return WithReason(absl::FailedPreconditionError(
                          "review.round: the village meeting has agreed this round's results; a review added now "
                          "is a correction after recognition"),
                      "ROUND_STEP");
  }
  auto due = tx.exec_params("SELECT 1 FROM round_due WHERE round_id = $1::uuid AND household_id = $2::uuid",
                            round_id, hid);
  if (!due.empty()) return absl::OkStatus();
  if (app_id.empty()) {
    return WithReason(absl::FailedPreconditionError(
                          "review.round: the household is not due in this round (not on the poor or near-poor "
                          "list when it opened, no request): give the Form 01 request it answers in review.application"),
                      "NOT_DUE");
  }
  tx.exec_params(
      "INSERT INTO round_due (round_id, household_id, reason, class_at_opening, application_id)"
      " SELECT $1::uuid, h.id, 'APPLIED', h.classification, $3::uuid FROM households h WHERE h.id = $2::uuid",
      round_id, hid, app_id);
  return absl::OkStatus();
}

absl::StatusOr<v1::ReviewApplication> CreateApplication(db::Pool* pool, const std::string& hid,
                                                        const v1::ReviewApplication& a, const std::string& actor,
                                                        const IdempotencyKey& key) {
  return pool->Write<v1::ReviewApplication>([&](transaction_base& tx, v1::ReviewApplication& out) -> absl::Status {
    return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
      const std::string id = api::IdOf(a.name());
      tx.exec_params(
          "INSERT INTO review_applications (id, household_id, commune_code, purpose, filed_on, reason, deadline,"
          " caveats, created_by) VALUES ($1::uuid, $2::uuid, $3, $4, $5::date, $6, $7::date, $8::text[], $9)",
          id, hid, a.commune_code(), v1::ApplicationPurpose_Name(a.purpose()), api::ProtoDateText(a.filed_on()), a.reason(),
          api::ProtoDateText(a.deadline()), ArrayLiteral(std::vector<std::string>(a.caveats().begin(), a.caveats().end())),
          actor);
      // A request filed while the commune's round runs puts the household on its due list.
      tx.exec_params(
          "INSERT INTO round_due (round_id, household_id, reason, class_at_opening, application_id)"
          " SELECT o.id, h.id, 'APPLIED', h.classification, $3::uuid FROM review_rounds o, households h"
          " WHERE o.commune_code = $1 AND o.state = 'ROUND_OPEN' AND h.id = $2::uuid"
          " ON CONFLICT (round_id, household_id) DO UPDATE SET application_id = EXCLUDED.application_id"
          " WHERE round_due.application_id IS NULL",
          a.commune_code(), hid, id);
      LNOB_ASSIGN_OR_RETURN(out, LoadApplication(tx, hid, id, false));
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<std::vector<v1::ReviewApplication>> ListApplications(db::Pool* pool, const Store::ApplicationFilter& f) {
  using Out = std::vector<v1::ReviewApplication>;
  return pool->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
    auto rows = tx.exec_params(
        absl::StrCat("SELECT ", kApplicationColumns,
                     " FROM review_applications a WHERE ($1 = false OR a.commune_code = ANY($2::text[]))"
                     " AND ($3 = '' OR a.state = $3)"
                     " AND ($4 = '' OR (a.state = 'APPLICATION_OPEN' AND a.deadline < $4::date))"
                     " AND ($5 = '' OR a.id > $5::uuid) ORDER BY a.id LIMIT $6"),
        f.communes.has_value(), ArrayLiteral(f.communes.value_or(std::vector<std::string>{})), f.state,
        f.overdue_on ? D(*f.overdue_on) : "", f.after_id, f.limit);
    for (const auto& r : rows) out.push_back(ApplicationFromRow(r));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ReviewApplication> GetApplication(db::Pool* pool, const std::string& hid, const std::string& aid) {
  return pool->Fetch<v1::ReviewApplication>([&](transaction_base& tx, v1::ReviewApplication& out) -> absl::Status {
    LNOB_ASSIGN_OR_RETURN(out, LoadApplication(tx, hid, aid, false));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ReviewApplication> RefuseApplication(db::Pool* pool, const std::string& hid, const std::string& aid,
                                                        const std::string& etag, const std::string& reason,
                                                        absl::CivilDay refused_on, const std::string& actor) {
  return pool->Write<v1::ReviewApplication>([&](transaction_base& tx, v1::ReviewApplication& out) -> absl::Status {
    LNOB_ASSIGN_OR_RETURN(v1::ReviewApplication a, LoadApplication(tx, hid, aid, true));
    if (a.state() != v1::APPLICATION_OPEN) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat("the request is already ",
                                                                   v1::ApplicationState_Name(a.state()))),
                        "APPLICATION_CLOSED");
    }
    LNOB_RETURN_IF_ERROR(api::CheckEtagMatches(etag, a.etag()));
    if (refused_on < api::ProtoDay(a.filed_on())) return InvalidField("refused_on", "must not be before the filing date");
    tx.exec_params(
        "UPDATE review_applications SET state = 'APPLICATION_REFUSED', refusal_reason = $2, closed_on = $3::date,"
        " version = version + 1, updated_at = now() WHERE id = $1::uuid",
        aid, reason, D(refused_on));
    AddEvent(tx, hid, "APPLICATION_REFUSED", "applications/" + aid, D(refused_on), actor);
    LNOB_ASSIGN_OR_RETURN(out, LoadApplication(tx, hid, aid, false));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ReviewRound> OpenRound(db::Pool* pool, const v1::ReviewRound& r, const std::string& actor,
                                          const IdempotencyKey& key) {
  return pool->Write<v1::ReviewRound>([&](transaction_base& tx, v1::ReviewRound& out) -> absl::Status {
    return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
      const std::string id = api::IdOf(r.name());
      auto taken = tx.exec_params("SELECT id FROM review_rounds WHERE commune_code = $1 AND list_year = $2",
                                  r.commune_code(), r.list_year());
      if (!taken.empty()) {
        return WithReason(absl::AlreadyExistsError(absl::StrCat("commune ", r.commune_code(), " already has round reviewRounds/",
                                                                Str(taken[0][0]), " for list year ", r.list_year())),
                          "ROUND_EXISTS");
      }
      tx.exec_params(
          "INSERT INTO review_rounds (id, commune_code, list_year, opened_on, created_by)"
          " VALUES ($1::uuid, $2, $3, $4::date, $5)",
          id, r.commune_code(), r.list_year(), api::ProtoDateText(r.opened_on()), actor);
      // The lists the commune holds on the opening day, plus the open requests (QĐ 24/2021 Art. 3).
      tx.exec_params(
          "WITH c AS (SELECT h.id, coalesce((SELECT ch.classification FROM classification_history ch"
          "   WHERE ch.household_id = h.id AND ch.effective_date <= $3::date"
          "   ORDER BY ch.effective_date DESC, ch.recorded_at DESC LIMIT 1), '') AS cls"
          "   FROM households h WHERE h.commune_code = $2 AND h.status = 'HOUSEHOLD_ACTIVE'),"
          " a AS (SELECT DISTINCT ON (household_id) household_id, id FROM review_applications"
          "   WHERE commune_code = $2 AND state = 'APPLICATION_OPEN' AND filed_on <= $3::date"
          "   ORDER BY household_id, filed_on, id)"
          " INSERT INTO round_due (round_id, household_id, reason, class_at_opening, application_id)"
          " SELECT $1::uuid, c.id, CASE c.cls WHEN 'POOR' THEN 'ON_POOR_LIST' WHEN 'NEAR_POOR' THEN 'ON_NEAR_POOR_LIST'"
          "   ELSE 'APPLIED' END, c.cls, a.id FROM c LEFT JOIN a ON a.household_id = c.id"
          " WHERE c.cls IN ('POOR', 'NEAR_POOR') OR a.id IS NOT NULL",
          id, r.commune_code(), api::ProtoDateText(r.opened_on()));
      LNOB_ASSIGN_OR_RETURN(out, LoadRound(tx, id, false));
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<v1::ReviewRound> GetRound(db::Pool* pool, const std::string& id) {
  return pool->Fetch<v1::ReviewRound>([&](transaction_base& tx, v1::ReviewRound& out) -> absl::Status {
    LNOB_ASSIGN_OR_RETURN(out, LoadRound(tx, id, false));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::DueHousehold>> RoundHouseholds(db::Pool* pool, const std::string& id,
                                                              const std::string& after, int limit) {
  using Out = std::vector<v1::DueHousehold>;
  return pool->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
    auto rows = tx.exec_params(
        absl::StrCat("SELECT d.household_id, d.reason, d.class_at_opening, coalesce(d.application_id::text, ''),"
                     " coalesce(lr.id::text, ''), coalesce(lr.state, ''), coalesce(lr.computed_class, ''),"
                     " h.no_labor_capacity FROM round_due d JOIN households h ON h.id = d.household_id",
                     kLatestRoundReview,
                     " WHERE d.round_id = $1::uuid AND ($2 = '' OR d.household_id > $2::uuid)"
                     " ORDER BY d.household_id LIMIT $3"),
        id, after, limit);
    for (const auto& r : rows) {
      v1::DueHousehold d;
      const std::string h = "households/" + Str(r[0]);
      d.set_household(h);
      v1::DueReason reason = v1::DUE_REASON_UNSPECIFIED;
      v1::DueReason_Parse(Str(r[1]), &reason);
      d.set_reason(reason);
      d.set_class_at_opening(ClassOf(Str(r[2])));
      if (!Str(r[3]).empty()) d.set_application(absl::StrCat(h, "/applications/", Str(r[3])));
      if (!Str(r[4]).empty()) d.set_review(absl::StrCat(h, "/reviews/", Str(r[4])));
      v1::ReviewState st = v1::REVIEW_STATE_UNSPECIFIED;
      v1::ReviewState_Parse(Str(r[5]), &st);
      d.set_review_state(st);
      d.set_computed_class(ClassOf(Str(r[6])));
      d.set_no_labor_capacity(r[7].as<bool>());
      out.push_back(std::move(d));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ReviewRound> AdvanceRound(db::Pool* pool, const std::string& id, const std::string& etag,
                                             const Store::RoundStep& step, const std::string& actor) {
  return pool->Write<v1::ReviewRound>([&](transaction_base& tx, v1::ReviewRound& out) -> absl::Status {
    LNOB_ASSIGN_OR_RETURN(v1::ReviewRound round, LoadRound(tx, id, true));
    LNOB_RETURN_IF_ERROR(api::CheckEtagMatches(etag, round.etag()));
    const bool meeting = step.to_state == "ROUND_MEETING_HELD";
    const v1::RoundState from = meeting ? v1::ROUND_OPEN : v1::ROUND_MEETING_HELD;
    if (round.state() != from) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat("a ", v1::RoundState_Name(round.state()),
                                                                   " round cannot become ", step.to_state)),
                        "ILLEGAL_TRANSITION");
    }
    if (meeting) {
      if (step.date < api::ProtoDay(round.opened_on())) return InvalidField("held_on", "must not be before the round opened");
      // Step 3 agrees the survey's results: every due household still active has one.
      auto missing = tx.exec_params(
          absl::StrCat("SELECT count(*), min(d.household_id::text) FROM round_due d"
                       " JOIN households h ON h.id = d.household_id AND h.status = 'HOUSEHOLD_ACTIVE'",
                       kLatestRoundReview, " WHERE d.round_id = $1::uuid AND (lr.state IS NULL OR lr.state = 'DRAFT')"),
          id);
      if (missing[0][0].as<int>() > 0) {
        return WithReason(absl::FailedPreconditionError(absl::StrCat(
                              missing[0][0].as<int>(), " due households have no submitted review yet (first: households/",
                              Str(missing[0][1]), ")")),
                          "ROUND_INCOMPLETE");
      }
      tx.exec_params(
          "UPDATE review_rounds SET state = $2, meeting_on = $3::date, meeting_attendees = $4, meeting_note = $5,"
          " version = version + 1, updated_at = now() WHERE id = $1::uuid",
          id, step.to_state, D(step.date), step.attendees, step.note);
    } else {
      if (step.date < api::ProtoDay(round.meeting_on())) return InvalidField("posted_on", "must not be before the village meeting");
      auto posted = tx.exec_params(
          "UPDATE reviews SET state = 'POSTED', posted_on = $2::date, version = version + 1, updated_at = now()"
          " WHERE round_id = $1::uuid AND state = 'SUBMITTED' RETURNING id",
          id, D(step.date));
      for (const auto& p : posted) {
        tx.exec_params(
            "INSERT INTO review_events (review_id, from_state, to_state, actor, note)"
            " VALUES ($1::uuid, 'SUBMITTED', 'POSTED', $2, $3)",
            Str(p[0]), actor, "reviewRounds/" + id);
      }
      tx.exec_params(
          "UPDATE review_rounds SET state = $2, posted_on = $3::date, version = version + 1, updated_at = now()"
          " WHERE id = $1::uuid",
          id, step.to_state, D(step.date));
    }
    LNOB_ASSIGN_OR_RETURN(out, LoadRound(tx, id, false));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::RecognisedList> RecognizeRound(db::Pool* pool, const std::string& id, const std::string& etag,
                                                  const ReviewChange& decision, const std::string& actor,
                                                  int last_year) {
  return pool->Write<v1::RecognisedList>([&](transaction_base& tx, v1::RecognisedList& out) -> absl::Status {
    LNOB_ASSIGN_OR_RETURN(v1::ReviewRound round, LoadRound(tx, id, true));
    LNOB_RETURN_IF_ERROR(api::CheckEtagMatches(etag, round.etag()));
    if (round.state() != v1::ROUND_POSTED && round.state() != v1::ROUND_RECOGNISED) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat(
                            "a ", v1::RoundState_Name(round.state()),
                            " round cannot be recognised: its lists are publicly posted first (QĐ 24/2021 step 4)")),
                        "ILLEGAL_TRANSITION");
    }
    const absl::CivilDay decided = *decision.decision_date;
    // Households first, then reviews: the lock order of every other writer.
    auto households = tx.exec_params(
        "SELECT h.id, h.no_labor_capacity FROM households h WHERE h.id IN (SELECT household_id FROM round_due"
        " WHERE round_id = $1::uuid) ORDER BY h.id FOR UPDATE OF h",
        id);
    auto posted = tx.exec_params(
        "SELECT id, household_id, computed_class, posted_on::text FROM reviews WHERE round_id = $1::uuid"
        " AND state = 'POSTED' ORDER BY id FOR UPDATE",
        id);
    if (round.state() == v1::ROUND_RECOGNISED && posted.empty()) {
      return WithReason(absl::FailedPreconditionError(
                            "nothing to recognise: a correction is a review added to the round, submitted and posted"),
                        "NOTHING_TO_RECOGNISE");
    }
    for (const auto& p : posted) {
      if (decided < *ParseDate(Str(p[3]))) {
        return InvalidField("decision_date", absl::StrCat("must not be before the posting (", Str(p[3]), ")"));
      }
    }
    struct Before {
      std::string cls;
      bool ever_poor = false;
    };
    std::map<std::string, Before> before;
    for (const auto& h : households) {
      const std::string hid = Str(h[0]);
      auto hist = LoadHistory(tx, hid);
      Before b{ClassificationOn(hist, decided), false};
      for (const auto& e : hist) b.ever_poor |= e.effective_date < decided && e.classification == "POOR";
      before[hid] = b;
    }
    std::map<std::string, std::string> approved;  // household -> review approved now
    for (const auto& p : posted) {
      const std::string rid = Str(p[0]), hid = Str(p[1]);
      tx.exec_params(
          "UPDATE reviews SET state = 'APPROVED', decision_number = $2, decision_date = $3::date,"
          " consulted_on = NULLIF($4, '')::date, consultation_document = $5, version = version + 1, updated_at = now()"
          " WHERE id = $1::uuid",
          rid, decision.decision_number, D(decided), decision.consulted_on ? D(*decision.consulted_on) : "",
          decision.consultation_document);
      tx.exec_params(
          "INSERT INTO review_events (review_id, from_state, to_state, actor, note) VALUES ($1::uuid, 'POSTED', 'APPROVED', $2, $3)",
          rid, actor, decision.decision_number);
      ApplyApproval(tx, hid, rid, Str(p[2]), decided, last_year);
      approved[hid] = rid;
    }
    const int version = round.recognised_version() + 1;
    std::map<std::string, std::string> previous_version;  // household -> class in the previous version
    for (const auto& r : tx.exec_params("SELECT household_id, classification FROM recognised_list_entries"
                                        " WHERE round_id = $1::uuid AND version = $2",
                                        id, version - 1)) {
      previous_version[Str(r[0])] = Str(r[1]);
    }
    struct Entry {
      std::string hid, review, cls, prev, category;
      bool social = false, changed = false;
    };
    std::vector<Entry> entries;
    int changed = 0;
    for (const auto& h : households) {
      Entry e;
      e.hid = Str(h[0]);
      auto it = approved.find(e.hid);
      if (it != approved.end()) {
        e.review = it->second;
      } else {  // an earlier version's approved review of the round, if any
        auto r = tx.exec_params("SELECT id FROM reviews WHERE round_id = $1::uuid AND household_id = $2::uuid"
                                " AND state = 'APPROVED' ORDER BY id DESC LIMIT 1",
                                id, e.hid);
        if (!r.empty()) e.review = Str(r[0][0]);
      }
      e.cls = ClassificationOn(LoadHistory(tx, e.hid), decided);
      const Before& b = before[e.hid];
      e.prev = b.cls;
      e.category = TransitionCategoryFor(b.cls, e.cls, b.ever_poor);
      e.social = e.cls == "POOR" && h[1].as<bool>();
      auto pv = previous_version.find(e.hid);
      e.changed = version == 1 || pv == previous_version.end() || pv->second != e.cls;
      changed += e.changed;
      entries.push_back(std::move(e));
    }
    tx.exec_params(
        "INSERT INTO recognised_lists (round_id, version, decision_number, decision_date, recognised_by, changed_entries)"
        " VALUES ($1::uuid, $2, $3, $4::date, $5, $6)",
        id, version, decision.decision_number, D(decided), actor, changed);
    for (const auto& e : entries) {
      tx.exec_params(
          "INSERT INTO recognised_list_entries (round_id, version, household_id, review_id, classification,"
          " previous_classification, category, social_assistance, changed)"
          " VALUES ($1::uuid, $2, $3::uuid, NULLIF($4, '')::uuid, $5, $6, $7, $8, $9)",
          id, version, e.hid, e.review, e.cls.empty() ? "HOUSEHOLD_CLASS_UNSPECIFIED" : e.cls,
          e.prev.empty() ? "HOUSEHOLD_CLASS_UNSPECIFIED" : e.prev, e.category, e.social, e.changed);
    }
    tx.exec_params(
        "UPDATE review_rounds SET state = 'ROUND_RECOGNISED', version = version + 1, updated_at = now() WHERE id = $1::uuid",
        id);
    LNOB_ASSIGN_OR_RETURN(out, LoadRecognisedList(tx, id, version));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::RecognisedList> GetRecognisedList(db::Pool* pool, const std::string& id, int version) {
  return pool->Fetch<v1::RecognisedList>([&](transaction_base& tx, v1::RecognisedList& out) -> absl::Status {
    LNOB_ASSIGN_OR_RETURN(out, LoadRecognisedList(tx, id, version));
    return absl::OkStatus();
  });
}

}  // namespace lnob::registry::pg
