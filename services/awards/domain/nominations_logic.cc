// Nominations: evidence frozen from its owners, the unit's review, the council's votes, the
// decision or the submission upward, revocation.

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/text.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/awards/domain/awards_logic.h"

namespace lnob::awards {
namespace {

constexpr int kMaxHouseholds = 20000;
constexpr int kMaxActivities = 5000;
constexpr char kAreaPoverty[] = "AREA_POVERTY";
constexpr char kAreaDisbursement[] = "AREA_DISBURSEMENT";
constexpr char kAreaInspection[] = "AREA_INSPECTION";

const std::regex& AchievementKey() {
  static const std::regex* re = new std::regex("^[A-Za-z0-9_/.-]{1,80}$");
  return *re;
}

v1::OwnerCursor Cursor(const OwnerRead& r) {
  v1::OwnerCursor c;
  c.set_owner(r.owner);
  c.set_cursor(r.cursor);
  const int64_t ms = absl::ToUnixMillis(r.read_time);
  c.mutable_read_time()->set_seconds(ms / 1000);
  c.mutable_read_time()->set_nanos(static_cast<int32_t>((ms % 1000) * 1000000));
  return c;
}

// Two JSON documents equal as data (key order and spacing aside).
bool SameJson(const std::string& a, const std::string& b) {
  if (a == b) return true;
  google::protobuf::Value va, vb;
  if (!google::protobuf::util::JsonStringToMessage(a, &va).ok() ||
      !google::protobuf::util::JsonStringToMessage(b, &vb).ok()) {
    return false;
  }
  return google::protobuf::util::MessageDifferencer::Equals(va, vb);
}

std::string NameKey(const std::string& name) { return FoldName(name); }
std::string SubjectKey(const std::string& name, const std::string& ref) {
  return absl::StrCat(FoldName(name), "|", FoldName(ref));
}

// Dates: required, valid, not in the future.
absl::StatusOr<absl::CivilDay> PastDate(const google::type::Date& d, const std::string& field, absl::CivilDay today) {
  if (!api::IsSet(d)) return InvalidField(field, "is required");
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay day, api::FromProtoDate(d, field));
  if (day > today) return InvalidField(field, "must not be in the future");
  return day;
}

absl::Status ParseNames(const google::protobuf::RepeatedPtrField<std::string>& names, const char* collection,
                        const std::string& field, int max, std::vector<std::string>* out) {
  if (names.size() > max) return InvalidField(field, absl::StrCat("at most ", max, " records"));
  std::set<std::string> seen;
  for (int i = 0; i < names.size(); ++i) {
    const std::string f = absl::StrCat(field, "[", i, "]");
    LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(names[i], collection, f));
    std::string name = absl::StrCat(collection, "/", id);
    if (!seen.insert(name).second) return InvalidField(f, "is cited twice");
    out->push_back(std::move(name));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FrozenEvidence> AwardsLogic::Freeze(const C& c, const std::string& unit_code, int year,
                                                   const EvidenceRefs& refs, const std::string& field) {
  FrozenEvidence out;
  // The owners answer for the end of the year, or for today while the year runs.
  const absl::CivilDay as_of = std::min(absl::CivilDay(year, 12, 31), Today());
  out.as_of = FormatDate(as_of);
  // Under the unit by the area rule (docs/architecture.md): a 2024 commune's records and those
  // of the commune it became in 2025 both count.
  std::set<std::string> under;
  for (const absl::CivilDay d : {as_of, Today()}) {
    LNOB_ASSIGN_OR_RETURN(auto covered, scope_->CoveredBy({unit_code}, d));
    under.insert(covered.begin(), covered.end());
  }
  auto check = [&](const OwnerRecord& r, const std::string& f, const std::string& name) -> absl::Status {
    if (!r.found) return InvalidField(f, absl::StrCat(name, " is not found (or is outside your area)"));
    if (!under.count(r.commune_code)) {
      return InvalidField(f, absl::StrCat(name, " is in commune ", r.commune_code, ", not under the nominee's unit ",
                                          unit_code));
    }
    return absl::OkStatus();
  };
  if (!refs.households.empty()) {
    OwnerRead read;
    LNOB_ASSIGN_OR_RETURN(auto facts, owners_->Households(c, refs.households, as_of, &read));
    out.owners.push_back(Cursor(read));
    for (size_t i = 0; i < facts.size(); ++i) {
      LNOB_RETURN_IF_ERROR(check(facts[i], absl::StrCat(field, ".households[", i, "]"), refs.households[i]));
      out.items.push_back({"EVIDENCE_HOUSEHOLD", refs.households[i], facts[i].commune_code, facts[i].facts_json});
      out.summary.set_households(out.summary.households() + 1);
      if (facts[i].escaped) out.summary.set_households_escaped(out.summary.households_escaped() + 1);
      if (facts[i].ethnic_minority) {
        out.summary.set_households_ethnic_minority(out.summary.households_ethnic_minority() + 1);
      }
    }
  }
  if (!refs.activities.empty()) {
    OwnerRead read;
    LNOB_ASSIGN_OR_RETURN(auto acts, owners_->Activities(c, refs.activities, &read));
    out.owners.push_back(Cursor(read));
    for (size_t i = 0; i < acts.size(); ++i) {
      LNOB_RETURN_IF_ERROR(check(acts[i], absl::StrCat(field, ".activities[", i, "]"), refs.activities[i]));
      out.items.push_back({"EVIDENCE_ACTIVITY", refs.activities[i], acts[i].commune_code, acts[i].facts_json});
      out.summary.set_activities(out.summary.activities() + 1);
      out.summary.set_activity_participants(out.summary.activity_participants() + acts[i].participants);
    }
  }
  const std::pair<bool, std::pair<AreaStatistic, const char*>> stats[] = {
      {refs.poverty, {AreaStatistic::kPoverty, kAreaPoverty}},
      {refs.disbursement, {AreaStatistic::kDisbursement, kAreaDisbursement}},
      {refs.inspection, {AreaStatistic::kInspection, kAreaInspection}}};
  for (const auto& [wanted, which] : stats) {
    if (!wanted) continue;
    OwnerRead read;
    LNOB_ASSIGN_OR_RETURN(std::string json, owners_->Statistic(c, which.first, unit_code, year, &read));
    out.owners.push_back(Cursor(read));
    out.items.push_back({which.second, unit_code, "", json});
  }
  return out;
}

absl::StatusOr<v1::Nomination> AwardsLogic::Visible(const C& c, const std::string& name, const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "nominations", field));
  LNOB_ASSIGN_OR_RETURN(v1::Nomination n, store_->GetNomination(id));
  LNOB_RETURN_IF_ERROR(scope_->CheckResource(c.principal, n.unit_code(), Today(), n.name()));
  return n;
}

absl::StatusOr<Step> AwardsLogic::StepFor(const C& c, const std::string& name, const std::string& etag,
                                          db::IdempotencyKey key) {
  LNOB_ASSIGN_OR_RETURN(v1::Nomination n, Visible(c, name, "nomination"));
  return Step{.nomination_id = std::string(api::IdOf(n.name())),
              .etag = etag,
              .actor = c.principal.subject,
              .key = std::move(key)};
}

absl::Status AwardsLogic::CreateNomination(const C& c, const v1::CreateNominationRequest& req, v1::Nomination* out) {
  v1::Nomination n = req.nomination();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (n.year() < 2000 || n.year() > Today().year()) v.Add("nomination.year", "must be a year from 2000 to this year");
  if (n.subject_kind() == v1::RECIPIENT_KIND_UNSPECIFIED || !v1::RecipientKind_IsValid(n.subject_kind())) {
    v.Add("nomination.subject_kind", "is required (INDIVIDUAL, COLLECTIVE or HOUSEHOLD)");
  }
  if (n.subject_name().empty() || Utf8Chars(n.subject_name()) > 200) {
    v.Add("nomination.subject_name", "is required, at most 200 characters");
  }
  if (Utf8Chars(n.subject_ref()) > 100) v.Add("nomination.subject_ref", "must be at most 100 characters");
  if (!v1::Sex_IsValid(n.sex())) v.Add("nomination.sex", "is not a sex (MALE or FEMALE)");
  const bool person = n.subject_kind() == v1::INDIVIDUAL;
  if (person && n.sex() == v1::SEX_UNSPECIFIED) v.Add("nomination.sex", "is required for an individual (MALE or FEMALE)");
  if (!n.ethnic_group_code().empty() && !std::regex_match(n.ethnic_group_code(), std::regex("^(0[1-9]|[1-4][0-9]|5[0-4])$"))) {
    v.Add("nomination.ethnic_group_code", "must be a code of the 54 ethnic groups, 01 (Kinh) to 54");
  }
  if (person && n.ethnic_group_code().empty()) {
    v.Add("nomination.ethnic_group_code", "is required for an individual (01 Kinh to 54)");
  }
  if (n.subject_kind() == v1::HOUSEHOLD) {
    if (!api::ParseUuidId(n.household(), "households", "nomination.household").ok()) {
      v.Add("nomination.household", "is required for a household: households/{uuid} of the registry");
    }
  } else if (!n.household().empty()) {
    v.Add("nomination.household", "names a household: subject_kind HOUSEHOLD");
  }
  if (!n.subject_principal().empty() && (!person || Utf8Chars(n.subject_principal()) > 200)) {
    v.Add("nomination.subject_principal", "is an individual's principal, at most 200 characters");
  }
  if (n.named_persons_size() > 20) v.Add("nomination.named_persons", "at most 20");
  for (int i = 0; i < n.named_persons_size(); ++i) {
    if (n.named_persons(i).empty() || Utf8Chars(n.named_persons(i)) > 200) {
      v.Add(absl::StrCat("nomination.named_persons[", i, "]"), "must be 1-200 characters");
    }
  }
  if (n.achievements().empty() || n.achievements_size() > 20) v.Add("nomination.achievements", "1-20 achievements");
  std::set<std::string> keys;
  for (int i = 0; i < n.achievements_size(); ++i) {
    const auto& a = n.achievements(i);
    const std::string f = absl::StrCat("nomination.achievements[", i, "]");
    if (!std::regex_match(a.key(), AchievementKey())) v.Add(f + ".key", "must be 1-80 of A-Z a-z 0-9 _ / . -");
    if (!keys.insert(a.key()).second) v.Add(f + ".key", "is given twice");
    if (a.description().empty() || Utf8Chars(a.description()) > 1000) {
      v.Add(f + ".description", "is required, at most 1,000 characters");
    }
  }
  if (Utf8Chars(n.report()) > 20000) v.Add("nomination.report", "must be at most 20,000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());

  LNOB_ASSIGN_OR_RETURN(auto forms, store_->ListAwardForms());
  auto form = std::find_if(forms.begin(), forms.end(), [&](const v1::AwardForm& f) { return f.code() == n.form_code(); });
  if (form == forms.end()) return InvalidField("nomination.form_code", "must be a code of ListAwardForms");
  if (std::find(form->recipients().begin(), form->recipients().end(), n.subject_kind()) == form->recipients().end()) {
    return InvalidField("nomination.subject_kind", absl::StrCat(n.form_code(), " is not given to a ",
                                                                v1::RecipientKind_Name(n.subject_kind())));
  }
  if (!n.movement().empty()) {
    LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(n.movement(), "movements", "nomination.movement"));
    auto m = store_->GetMovement(id);
    if (!m.ok()) {
      return m.status().code() == absl::StatusCode::kNotFound ? InvalidField("nomination.movement", "no such movement")
                                                              : m.status();
    }
    n.set_movement(m->name());
  }
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!graph->Known(n.unit_code())) {
    return InvalidField("nomination.unit_code", "must be a unit code of the registry (ListAdminUnits)");
  }
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, n.unit_code(), Today(), "nomination.unit_code"));

  // A retry is answered before the owners are read again.
  const std::string& me = c.principal.subject;
  const db::IdempotencyKey key = api::IdempotencyKeyFor(req, "CreateNomination", me);
  LNOB_ASSIGN_OR_RETURN(bool replayed, store_->Replay(key, out));
  if (replayed) return absl::OkStatus();
  EvidenceRefs refs;
  const auto& er = n.evidence_request();
  LNOB_RETURN_IF_ERROR(ParseNames(er.households(), "households", "nomination.evidence_request.households",
                                  kMaxHouseholds, &refs.households));
  LNOB_RETURN_IF_ERROR(ParseNames(er.activities(), "activities", "nomination.evidence_request.activities",
                                  kMaxActivities, &refs.activities));
  refs.poverty = er.area_poverty();
  refs.disbursement = er.area_disbursement();
  refs.inspection = er.area_inspection();
  LNOB_ASSIGN_OR_RETURN(FrozenEvidence evidence,
                        Freeze(c, n.unit_code(), n.year(), refs, "nomination.evidence_request"));

  NominationKeys k;
  k.subject_key = SubjectKey(n.subject_name(), n.subject_ref());
  k.name_key = NameKey(n.subject_name());
  if (person) k.named_keys.push_back(k.name_key);
  for (const auto& p : n.named_persons()) k.named_keys.push_back(NameKey(p));
  n.clear_evidence_request();
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateNomination(n, k, evidence, me, key));
  return absl::OkStatus();
}

absl::Status AwardsLogic::GetNomination(const C& c, const v1::GetNominationRequest& req, v1::Nomination* out) {
  LNOB_ASSIGN_OR_RETURN(*out, Visible(c, req.name(), "name"));
  return absl::OkStatus();
}

absl::Status AwardsLogic::ListNominations(const C& c, const v1::ListNominationsRequest& req,
                                          v1::ListNominationsResponse* out) {
  NominationQuery q;
  if (req.year() != 0 && (req.year() < 2000 || req.year() > 2100)) return InvalidField("year", "must be 2000-2100");
  q.year = req.year();
  q.form_code = req.form_code();
  if (!v1::NominationState_IsValid(req.state())) return InvalidField("state", "is not a nomination state");
  if (req.state() != v1::NOMINATION_STATE_UNSPECIFIED) q.state = v1::NominationState_Name(req.state());
  if (!v1::Sex_IsValid(req.sex())) return InvalidField("sex", "is not a sex (MALE or FEMALE)");
  if (req.sex() != v1::SEX_UNSPECIFIED) q.sex = v1::Sex_Name(req.sex());
  q.ethnic_group_code = req.ethnic_group_code();
  q.ethnic_minority_only = req.ethnic_minority_only();
  LNOB_ASSIGN_OR_RETURN(q.units, UnitsFor(c, req.unit_code(), "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Nomination>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         q.after_id = after;
                                         q.limit = limit;
                                         return store_->ListNominations(q);
                                       },
                                       [](const v1::Nomination& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  for (auto& x : rows) *out->add_nominations() = std::move(x);
  return absl::OkStatus();
}

absl::Status AwardsLogic::CompareEvidence(const C& c, const v1::CompareEvidenceRequest& req,
                                          v1::CompareEvidenceResponse* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Nomination n, Visible(c, req.nomination(), "nomination"));
  if (req.snapshot() < 0) return InvalidField("snapshot", "must be a snapshot number (default: the latest)");
  LNOB_ASSIGN_OR_RETURN(auto frozen, store_->GetEvidence(std::string(api::IdOf(n.name())), req.snapshot()));
  const auto& [snapshot, items] = frozen;
  out->set_snapshot(snapshot.name());
  *out->mutable_frozen() = snapshot.owners();
  // Read the same records again, on the same date, and compare.
  std::vector<std::string> households, activities;
  for (const auto& i : items) {
    if (i.kind == "EVIDENCE_HOUSEHOLD") households.push_back(i.resource);
    if (i.kind == "EVIDENCE_ACTIVITY") activities.push_back(i.resource);
  }
  const absl::CivilDay as_of = api::ProtoDay(snapshot.as_of());
  std::vector<OwnerRecord> now_households, now_activities;
  if (!households.empty()) {
    OwnerRead read;
    LNOB_ASSIGN_OR_RETURN(now_households, owners_->Households(c, households, as_of, &read));
    *out->add_now() = Cursor(read);
  }
  if (!activities.empty()) {
    OwnerRead read;
    LNOB_ASSIGN_OR_RETURN(now_activities, owners_->Activities(c, activities, &read));
    *out->add_now() = Cursor(read);
  }
  size_t h = 0, a = 0;
  for (const auto& i : items) {
    std::string now_json;
    if (i.kind == "EVIDENCE_HOUSEHOLD") {
      const auto& r = now_households[h++];
      if (r.found) now_json = r.facts_json;
    } else if (i.kind == "EVIDENCE_ACTIVITY") {
      const auto& r = now_activities[a++];
      if (r.found) now_json = r.facts_json;
    } else {
      const AreaStatistic which = i.kind == kAreaPoverty         ? AreaStatistic::kPoverty
                                  : i.kind == kAreaDisbursement ? AreaStatistic::kDisbursement
                                                                : AreaStatistic::kInspection;
      OwnerRead read;
      LNOB_ASSIGN_OR_RETURN(now_json, owners_->Statistic(c, which, i.resource, n.year(), &read));
      *out->add_now() = Cursor(read);
    }
    if (SameJson(i.facts_json, now_json)) {
      out->set_unchanged(out->unchanged() + 1);
      continue;
    }
    auto* ch = out->add_changes();
    v1::EvidenceKind kind = v1::EVIDENCE_KIND_UNSPECIFIED;
    v1::EvidenceKind_Parse(i.kind, &kind);
    ch->set_kind(kind);
    ch->set_resource(i.resource);
    ch->set_before_json(i.facts_json);
    ch->set_after_json(now_json);
  }
  return absl::OkStatus();
}

absl::Status AwardsLogic::RefreshEvidence(const C& c, const v1::RefreshEvidenceRequest& req, v1::Nomination* out) {
  if (!api::ValidateRequestId(req.request_id()).ok()) return InvalidField("request_id", "must be a UUID");
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(Step s, StepFor(c, req.nomination(), req.etag(),
                                        api::IdempotencyKeyFor(req, "RefreshEvidence", me)));
  LNOB_ASSIGN_OR_RETURN(bool replayed, store_->Replay(s.key, out));
  if (replayed) return absl::OkStatus();
  LNOB_ASSIGN_OR_RETURN(v1::Nomination n, store_->GetNomination(s.nomination_id));
  LNOB_ASSIGN_OR_RETURN(auto frozen, store_->GetEvidence(s.nomination_id, 0));
  EvidenceRefs refs;
  for (const auto& i : frozen.second) {
    if (i.kind == "EVIDENCE_HOUSEHOLD") refs.households.push_back(i.resource);
    if (i.kind == "EVIDENCE_ACTIVITY") refs.activities.push_back(i.resource);
    if (i.kind == kAreaPoverty) refs.poverty = true;
    if (i.kind == kAreaDisbursement) refs.disbursement = true;
    if (i.kind == kAreaInspection) refs.inspection = true;
  }
  auto evidence = Freeze(c, n.unit_code(), n.year(), refs, "evidence");
  if (!evidence.ok() && evidence.status().code() == absl::StatusCode::kInvalidArgument) {
    // A record cited before and gone now is a fact about the world, not a bad request.
    return WithReason(absl::FailedPreconditionError(evidence.status().message()), "EVIDENCE_GONE");
  }
  LNOB_RETURN_IF_ERROR(evidence.status());
  LNOB_ASSIGN_OR_RETURN(*out, store_->AddEvidence(s, *evidence));
  return absl::OkStatus();
}

absl::Status AwardsLogic::RecordUnitReview(const C& c, const v1::RecordUnitReviewRequest& req, v1::Nomination* out) {
  const auto& r = req.review();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  auto day = PastDate(r.meeting_date(), "review.meeting_date", Today());
  for (const auto& fv : GetFieldViolations(day.status())) v.Add(fv.field, fv.description);
  if (r.attendees() < 1) v.Add("review.attendees", "must be at least 1");
  if (r.votes_for() < 0 || r.votes_against() < 0) v.Add("review.votes_for", "votes must be >= 0");
  if (r.votes_for() + r.votes_against() > r.attendees()) {
    v.Add("review.votes_against", "votes for and against must not exceed the attendees");
  }
  // The meeting proposes with more than half of those present (unit_review_majority).
  if (r.proposed() && r.votes_for() * 2 <= r.attendees()) {
    v.Add("review.proposed", "needs more than half of the attendees voting for");
  }
  if (Utf8Chars(r.minutes()) > 500) v.Add("review.minutes", "must be at most 500 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(Step s, StepFor(c, req.nomination(), req.etag(),
                                        api::IdempotencyKeyFor(req, "RecordUnitReview", me)));
  LNOB_ASSIGN_OR_RETURN(v1::Nomination n, store_->GetNomination(s.nomination_id));
  if (day->year() < n.year()) return InvalidField("review.meeting_date", "must not be before the nomination's year");
  LNOB_ASSIGN_OR_RETURN(*out, store_->RecordUnitReview(s, r));
  return absl::OkStatus();
}

absl::Status AwardsLogic::CreateCouncil(const C& c, const v1::CreateCouncilRequest& req, v1::Council* out) {
  const auto& k = req.council();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (k.title().empty() || Utf8Chars(k.title()) > 300) v.Add("council.title", "is required, at most 300 characters");
  if (k.members_size() < 3 || k.members_size() > 50) v.Add("council.members", "3-50 members");
  std::set<std::string> principals;
  std::vector<std::string> name_keys;
  for (int i = 0; i < k.members_size(); ++i) {
    const auto& m = k.members(i);
    const std::string f = absl::StrCat("council.members[", i, "]");
    if (m.principal().empty() || Utf8Chars(m.principal()) > 200) v.Add(f + ".principal", "is required, at most 200 characters");
    if (!principals.insert(m.principal()).second) v.Add(f + ".principal", "is a member twice");
    if (m.display_name().empty() || Utf8Chars(m.display_name()) > 200) {
      v.Add(f + ".display_name", "is required, at most 200 characters");
    }
    if (Utf8Chars(m.role()) > 100) v.Add(f + ".role", "must be at most 100 characters");
    name_keys.push_back(NameKey(m.display_name()));
  }
  // Shares are kept to three decimals: checked as they will be stored.
  const double quorum = std::round(k.quorum_share() * 1000) / 1000, majority = std::round(k.majority_share() * 1000) / 1000;
  if (k.quorum_share() != 0 && !(quorum > 0 && quorum <= 1)) {
    v.Add("council.quorum_share", "must be in (0, 1] to three decimals (unset: the rule's)");
  }
  if (k.majority_share() != 0 && !(majority >= 0.5 && majority < 1)) {
    v.Add("council.majority_share", "must be in [0.5, 1) to three decimals (unset: the rule's)");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!graph->Known(k.unit_code())) {
    return InvalidField("council.unit_code", "must be a unit code of the registry (ListAdminUnits)");
  }
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, k.unit_code(), Today(), "council.unit_code"));
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateCouncil(k, name_keys, me, api::IdempotencyKeyFor(req, "CreateCouncil", me)));
  return absl::OkStatus();
}

absl::Status AwardsLogic::ListCouncils(const C& c, const v1::ListCouncilsRequest& req, v1::ListCouncilsResponse* out) {
  // Councils of the caller's area (their members are named).
  LNOB_ASSIGN_OR_RETURN(Units units, UnitsFor(c, "", "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Council>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         return store_->ListCouncils(units, after, limit);
                                       },
                                       [](const v1::Council& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  for (auto& x : rows) *out->add_councils() = std::move(x);
  return absl::OkStatus();
}

absl::Status AwardsLogic::OpenCouncilReview(const C& c, const v1::OpenCouncilReviewRequest& req, v1::Nomination* out) {
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  auto day = PastDate(req.opened_date(), "opened_date", Today());
  for (const auto& fv : GetFieldViolations(day.status())) v.Add(fv.field, fv.description);
  auto council = api::ParseUuidId(req.council(), "councils", "council");
  for (const auto& fv : GetFieldViolations(council.status())) v.Add(fv.field, fv.description);
  LNOB_RETURN_IF_ERROR(v.Status());
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(Step s, StepFor(c, req.nomination(), req.etag(),
                                        api::IdempotencyKeyFor(req, "OpenCouncilReview", me)));
  // A council of the caller's area, advising a level that contains the nominee's unit.
  auto k = store_->GetCouncil(*council);
  if (!k.ok() && k.status().code() != absl::StatusCode::kNotFound) return k.status();
  if (!k.ok() || !scope_->CheckResource(c.principal, k->unit_code(), Today(), k->name()).ok()) {
    return InvalidField("council", "no such council (or outside your area)");
  }
  LNOB_ASSIGN_OR_RETURN(v1::Nomination n, store_->GetNomination(s.nomination_id));
  LNOB_ASSIGN_OR_RETURN(auto advised, scope_->CoveredBy({k->unit_code()}, Today()));
  if (!advised.count(n.unit_code())) {
    return InvalidField("council", absl::StrCat("advises unit ", k->unit_code(), ", which does not contain the nominee's unit ",
                                                n.unit_code()));
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->OpenCouncilReview(s, *council, FormatDate(*day)));
  return absl::OkStatus();
}

absl::Status AwardsLogic::CastVote(const C& c, const v1::CastVoteRequest& req, v1::Nomination* out) {
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (req.choice() == v1::VOTE_CHOICE_UNSPECIFIED || !v1::VoteChoice_IsValid(req.choice())) {
    v.Add("choice", "is required (YES, NO or ABSTAIN)");
  }
  if (req.snapshot().empty()) v.Add("snapshot", "is required: the evidence snapshot the member saw");
  LNOB_RETURN_IF_ERROR(v.Status());
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(Step s, StepFor(c, req.nomination(), "", api::IdempotencyKeyFor(req, "CastVote", me)));
  // nominations/{n}/evidence/{seq} of this nomination.
  const std::string prefix = absl::StrCat("nominations/", s.nomination_id, "/evidence/");
  int seq = 0;
  if (req.snapshot().rfind(prefix, 0) != 0 || !absl::SimpleAtoi(req.snapshot().substr(prefix.size()), &seq) || seq < 1) {
    return InvalidField("snapshot", absl::StrCat("must be ", prefix, "{number}: a snapshot of this nomination"));
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->CastVote(s, v1::VoteChoice_Name(req.choice()), seq));
  return absl::OkStatus();
}

absl::Status AwardsLogic::CloseCouncilReview(const C& c, const v1::CloseCouncilReviewRequest& req, v1::Nomination* out) {
  if (!api::ValidateRequestId(req.request_id()).ok()) return InvalidField("request_id", "must be a UUID");
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(Step s, StepFor(c, req.nomination(), req.etag(),
                                        api::IdempotencyKeyFor(req, "CloseCouncilReview", me)));
  LNOB_ASSIGN_OR_RETURN(*out, store_->CloseCouncilReview(s));
  return absl::OkStatus();
}

absl::Status AwardsLogic::DecideNomination(const C& c, const v1::DecideNominationRequest& req, v1::Nomination* out) {
  v1::Decision d = req.decision();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (d.number().empty() || Utf8Chars(d.number()) > 100) v.Add("decision.number", "is required, at most 100 characters");
  auto day = PastDate(d.date(), "decision.date", Today());
  for (const auto& fv : GetFieldViolations(day.status())) v.Add(fv.field, fv.description);
  static const std::set<std::string> kLevels = {"AGENCY_HEAD", "COMMUNE_CHAIR", "DISTRICT_CHAIR", "PROVINCIAL_CHAIR",
                                                "MINISTER"};
  if (!kLevels.count(d.authority_level())) {
    v.Add("decision.authority_level", "must be AGENCY_HEAD, COMMUNE_CHAIR, DISTRICT_CHAIR, PROVINCIAL_CHAIR or MINISTER");
  }
  if (d.signer().empty() || Utf8Chars(d.signer()) > 200) v.Add("decision.signer", "is required, at most 200 characters");
  if (Utf8Chars(d.override_reason()) > 1000) v.Add("decision.override_reason", "must be at most 1,000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(Step s, StepFor(c, req.nomination(), req.etag(),
                                        api::IdempotencyKeyFor(req, "DecideNomination", me)));
  LNOB_ASSIGN_OR_RETURN(bool replayed, store_->Replay(s.key, out));
  if (replayed) return absl::OkStatus();
  LNOB_ASSIGN_OR_RETURN(v1::Nomination n, store_->GetNomination(s.nomination_id));
  // What inspection says now, under the decider's token; the database refuses the decision
  // when it shows open work and there is no override reason.
  LNOB_ASSIGN_OR_RETURN(Integrity integrity, owners_->IntegrityOf(c, n.unit_code()));
  d.mutable_integrity()->clear_open_inspections();
  for (const auto& i : integrity.open_inspections) d.mutable_integrity()->add_open_inspections(i);
  d.mutable_integrity()->set_open_serious_findings(integrity.open_serious_findings);
  d.mutable_integrity()->set_inspection_cursor(integrity.cursor);
  LNOB_ASSIGN_OR_RETURN(*out, store_->Decide(s, DecideInput{.decision = d, .decision_date = FormatDate(*day)}));
  return absl::OkStatus();
}

absl::Status AwardsLogic::SubmitNomination(const C& c, const v1::SubmitNominationRequest& req, v1::Nomination* out) {
  const auto& sub = req.submission();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (sub.to_authority().empty() || Utf8Chars(sub.to_authority()) > 200) {
    v.Add("submission.to_authority", "is required, at most 200 characters");
  }
  if (sub.letter_number().empty() || Utf8Chars(sub.letter_number()) > 100) {
    v.Add("submission.letter_number", "is required (the proposal's number), at most 100 characters");
  }
  auto day = PastDate(sub.date(), "submission.date", Today());
  for (const auto& fv : GetFieldViolations(day.status())) v.Add(fv.field, fv.description);
  LNOB_RETURN_IF_ERROR(v.Status());
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(Step s, StepFor(c, req.nomination(), req.etag(),
                                        api::IdempotencyKeyFor(req, "SubmitNomination", me)));
  LNOB_ASSIGN_OR_RETURN(*out, store_->Submit(s, sub));
  return absl::OkStatus();
}

absl::Status AwardsLogic::RevokeAward(const C& c, const v1::RevokeAwardRequest& req, v1::Nomination* out) {
  const auto& r = req.revocation();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (r.reason() == v1::REVOCATION_REASON_UNSPECIFIED || !v1::RevocationReason_IsValid(r.reason())) {
    v.Add("revocation.reason",
          "is required: FRAUDULENT_DECLARATION, FALSE_DOSSIER, UNLAWFUL_APPROVAL or STANDARD_NOT_MET (Law 06/2022 ch. VII)");
  }
  if (r.number().empty() || Utf8Chars(r.number()) > 100) v.Add("revocation.number", "is required, at most 100 characters");
  auto day = PastDate(r.date(), "revocation.date", Today());
  for (const auto& fv : GetFieldViolations(day.status())) v.Add(fv.field, fv.description);
  if (r.amount_to_recover_vnd() < 0) v.Add("revocation.amount_to_recover_vnd", "must be >= 0");
  if (Utf8Chars(r.note()) > 2000) v.Add("revocation.note", "must be at most 2,000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(Step s, StepFor(c, req.nomination(), req.etag(), api::IdempotencyKeyFor(req, "RevokeAward", me)));
  LNOB_ASSIGN_OR_RETURN(v1::Nomination n, store_->GetNomination(s.nomination_id));
  if (n.has_decision() && *day < api::ProtoDay(n.decision().date())) {
    return InvalidField("revocation.date", absl::StrCat("must not be before the decision (", api::ProtoDateText(n.decision().date()), ")"));
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->Revoke(s, r));
  return absl::OkStatus();
}

absl::Status AwardsLogic::CheckPrerequisites(const C& c, const v1::CheckPrerequisitesRequest& req,
                                             v1::CheckPrerequisitesResponse* out) {
  Violations v;
  if (req.subject_name().empty() || Utf8Chars(req.subject_name()) > 200) {
    v.Add("subject_name", "is required, at most 200 characters");
  }
  if (req.year() < 2000 || req.year() > 2100) v.Add("year", "must be 2000-2100");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(auto forms, store_->ListAwardForms());
  if (std::none_of(forms.begin(), forms.end(), [&](const v1::AwardForm& f) { return f.code() == req.form_code(); })) {
    return InvalidField("form_code", "must be a code of ListAwardForms");
  }
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!graph->Known(req.unit_code())) return InvalidField("unit_code", "must be a unit code of the registry (ListAdminUnits)");
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, req.unit_code(), Today(), "unit_code"));
  NominationKeys k;
  k.subject_key = SubjectKey(req.subject_name(), req.subject_ref());
  k.name_key = NameKey(req.subject_name());
  LNOB_ASSIGN_OR_RETURN(*out, store_->CheckPrerequisites(req.form_code(), req.unit_code(), k, req.year()));
  return absl::OkStatus();
}

}  // namespace lnob::awards
