// HouseholdLogic: reviews and their approval, classification (the class is declared in household_logic.h).

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/uuid.h"
#include "services/registry/domain/classifier.h"
#include "services/registry/domain/household_internal.h"
#include "services/registry/domain/household_logic.h"

namespace lnob::registry {

absl::Status HouseholdLogic::PrepareReview(const v1::Household& h, v1::Review* r, const std::string& prefix,
                                           bool imported_approved) {
  Violations v;
  if (r->kind() == v1::REVIEW_KIND_UNSPECIFIED || !v1::ReviewKind_IsValid(r->kind())) {
    v.Add(prefix + "kind", "PERIODIC or ONGOING is required");
  }
  if (r->income_per_capita_vnd() < 0) v.Add(prefix + "income_per_capita_vnd", "must not be negative");
  auto date = api::FromProtoDate(r->review_date(), prefix + "review_date");
  if (!date.ok()) v.Add(prefix + "review_date", "is required (a full date)");
  else if (*date > Today()) v.Add(prefix + "review_date", "must not be in the future");
  LNOB_RETURN_IF_ERROR(v.Status());
  const std::string kind = v1::ReviewKind_Name(r->kind());
  LNOB_ASSIGN_OR_RETURN(auto refs, Refs());
  // Imported approved reviews are past lists loaded as they were decided (a baseline), so the
  // window of the procedure in force does not apply to them.
  if (!imported_approved) {
    const ReviewWindowRule* window = WindowInForce(refs->procedure.windows, kind, *date);
    if (window == nullptr) {
      return InvalidField(prefix + "review_date", absl::StrCat("no ", kind, " review window is in force on ",
                                                              FormatDate(*date), " (table review_windows)"));
    }
    if (!InReviewWindow(*window, *date)) {
      return InvalidField(prefix + "review_date", absl::StrCat("a ", kind, " review is held ", DescribeWindow(*window),
                                                              " (", window->legal_doc, ")"));
    }
  }
  // The standard follows the list year the review produces, not the day it was held: a
  // periodic round in late 2026 produces the 2027 lists on the 2027 standard.
  const int review_year = static_cast<int>(date->year());
  const bool periodic = r->kind() == v1::PERIODIC;
  if (r->list_year() == 0) r->set_list_year(periodic ? review_year + 1 : review_year);
  if (r->list_year() != review_year && !(periodic && r->list_year() == review_year + 1)) {
    return InvalidField(prefix + "list_year",
                        absl::StrCat("must be ", periodic ? absl::StrCat(review_year, " or ", review_year + 1)
                                                          : absl::StrCat(review_year),
                                     " for a ", kind, " review dated ", FormatDate(*date)));
  }
  const StandardRule* rule = StandardInForce(refs->standards, absl::CivilDay(r->list_year(), 1, 1));
  if (rule == nullptr) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(prefix, "list_year: no poverty standard in force for ",
                                                                 r->list_year())),
                      "NO_STANDARD");
  }
  const bool baseline = r->baseline_class() != v1::HOUSEHOLD_CLASS_UNSPECIFIED;
  if (baseline) return PrepareBaseline(h, r, prefix, *rule, *date);
  if (!rule->scored) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          prefix, "list_year: the ", r->list_year(), " lists fall under ", rule->id,
                          ", which the registry does not score; import them as a baseline (baseline_class)")),
                      "STANDARD_NOT_SCORED");
  }
  std::set<std::string> seen;
  int deprived = 0;
  for (int i = 0; i < r->indicators_size(); ++i) {
    const auto& ind = r->indicators(i);
    const std::string f = absl::StrCat(prefix, "indicators[", i, "].code");
    if (!rule->indicator_codes.count(ind.code())) v.Add(f, absl::StrCat("'", ind.code(), "' is not an indicator of ", rule->id));
    else if (!seen.insert(ind.code()).second) v.Add(f, "appears twice");
    if (ind.evidence().size() > 500) v.Add(absl::StrCat(prefix, "indicators[", i, "].evidence"), "at most 500 bytes");
    deprived += ind.deprived();
  }
  if (v.empty() && seen.size() != rule->indicator_codes.size()) {
    std::vector<std::string> missing;
    for (const auto& code : rule->indicator_codes) {
      if (!seen.count(code)) missing.push_back(code);
    }
    v.Add(prefix + "indicators", absl::StrCat("every indicator of ", rule->id, " must be assessed; missing ",
                                              absl::StrJoin(missing, ", ")));
  }
  if (imported_approved) {
    if (!r->round().empty()) v.Add(prefix + "round", "an imported (past) review belongs to no round");
    if (!r->application().empty()) v.Add(prefix + "application", "an imported (past) review answers no request here");
    if (r->decision_number().empty()) v.Add(prefix + "decision_number", "is required for an approved review");
    auto dd = api::FromProtoDate(r->decision_date(), prefix + "decision_date");
    if (!dd.ok()) v.Add(prefix + "decision_date", "is required for an approved review");
    else if (*dd < *date) v.Add(prefix + "decision_date", "must not be before review_date");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(const v1::AreaType area_type, AreaTypeOn(h, *date));
  r->set_area_type(area_type);
  const AreaType area = area_type == v1::AREA_TYPE_URBAN ? AreaType::kUrban : AreaType::kRural;
  if (r->has_proxy_score()) {
    if (r->proxy_score() < 0) return InvalidField(prefix + "proxy_score", "must not be negative");
    if (!rule->line(area).proxy_score_cutoff) {
      return InvalidField(prefix + "proxy_score", absl::StrCat("no proxy-score cut-off is configured for ", rule->id,
                                                               "; give income_per_capita_vnd"));
    }
  }
  r->clear_caveats();
  if (r->has_proxy_score() && !rule->line(area).proxy_score_confirmed) r->add_caveats("PROXY_SCORE_CUTOFF_UNCONFIRMED");
  const HouseholdClass cls = r->has_proxy_score() ? ClassifyByProxyScore(r->proxy_score(), deprived, area, *rule)
                                                  : Classify(r->income_per_capita_vnd(), deprived, area, *rule);
  v1::HouseholdClass pc = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
  v1::HouseholdClass_Parse(HouseholdClassName(cls), &pc);
  r->set_computed_class(pc);
  r->set_deprivation_count(deprived);
  r->set_standard_id(rule->id);
  r->set_name(absl::StrCat(h.name(), "/reviews/", NewUuidV7(clock_.Now())));
  r->set_state(imported_approved ? v1::APPROVED : v1::DRAFT);
  return absl::OkStatus();
}

absl::Status HouseholdLogic::PrepareBaseline(const v1::Household& h, v1::Review* r, const std::string& prefix,
                                             const StandardRule& rule, absl::CivilDay date) {
  Violations v;
  if (!v1::HouseholdClass_IsValid(r->baseline_class())) v.Add(prefix + "baseline_class", "unknown class");
  if (r->decision_number().empty()) v.Add(prefix + "decision_number", "is required for a recognised list");
  auto dd = api::FromProtoDate(r->decision_date(), prefix + "decision_date");
  if (!dd.ok()) v.Add(prefix + "decision_date", "is required for a recognised list");
  else if (*dd < date) v.Add(prefix + "decision_date", "must not be before review_date");
  if (!r->round().empty()) v.Add(prefix + "round", "a baseline list belongs to no round");
  if (!r->application().empty()) v.Add(prefix + "application", "a baseline list answers no request here");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(const v1::AreaType area_type, AreaTypeOn(h, date));
  r->set_area_type(area_type);
  // Copied as recognised, never rescored: the indicators of another standard are not kept.
  r->clear_indicators();
  r->clear_proxy_score();
  r->set_deprivation_count(0);
  r->clear_caveats();
  r->add_caveats("BASELINE_NOT_RESCORED");
  r->set_computed_class(r->baseline_class());
  r->set_standard_id(rule.id);
  r->set_name(absl::StrCat(h.name(), "/reviews/", NewUuidV7(clock_.Now())));
  r->set_state(v1::APPROVED);
  return absl::OkStatus();
}

absl::Status HouseholdLogic::CreateReview(const C& c, const v1::CreateReviewRequest& req, v1::Review* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(req.parent(), "parent"));
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  LNOB_ASSIGN_OR_RETURN(v1::Household h, Visible(c, id));
  if (h.status() != v1::HOUSEHOLD_ACTIVE) {
    return WithReason(absl::FailedPreconditionError("the household is closed"), "HOUSEHOLD_CLOSED");
  }
  v1::Review r = req.review();
  r.clear_decision_number();
  r.clear_decision_date();
  r.clear_posted_on();
  r.clear_consulted_on();
  r.clear_consultation_document();
  if (r.baseline_class() != v1::HOUSEHOLD_CLASS_UNSPECIFIED) {
    return InvalidField("review.baseline_class", "a baseline list is imported (ImportHouseholds), not reviewed");
  }
  if (r.reviewer().empty()) r.set_reviewer(c.principal.subject);
  LNOB_RETURN_IF_ERROR(PrepareProcedureLinks(c, h, &r));
  LNOB_RETURN_IF_ERROR(PrepareReview(h, &r, "review.", false));
  const IdempotencyKey key = api::IdempotencyKeyFor(req, "CreateReview", c.principal.subject);
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateReview(id, r, c.principal.subject, key));
  return Present(c, {out});
}

absl::Status HouseholdLogic::GetReview(const C& c, const v1::GetReviewRequest& req, v1::Review* out) {
  LNOB_ASSIGN_OR_RETURN(auto ids, ChildIds(req.name(), "reviews", "name"));
  LNOB_RETURN_IF_ERROR(Visible(c, ids.first).status());
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetReview(ids.first, ids.second));
  return Present(c, {out});
}

absl::Status HouseholdLogic::ListReviews(const C& c, const v1::ListReviewsRequest& req, v1::ListReviewsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(req.parent(), "parent"));
  LNOB_RETURN_IF_ERROR(Visible(c, id).status());
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Review>(
                                        tokens_, req,
                                        [&](const std::string& after, int limit) {
                                          return store_->ListReviews(id, after, limit);
                                        },
                                        [](const v1::Review& r) { return api::IdOf(r.name()); },
                                        out->mutable_next_page_token()));
  std::vector<google::protobuf::Message*> ptrs;
  for (auto& r : rows) {
    v1::Review* added = out->add_reviews();
    *added = std::move(r);
    ptrs.push_back(added);
  }
  return Present(c, ptrs);
}

absl::Status HouseholdLogic::SubmitReview(const C& c, const v1::SubmitReviewRequest& req, v1::Review* out) {
  LNOB_ASSIGN_OR_RETURN(auto ids, ChildIds(req.name(), "reviews", "name"));
  LNOB_RETURN_IF_ERROR(Visible(c, ids.first).status());
  LNOB_ASSIGN_OR_RETURN(*out, store_->ChangeReview(ids.first, ids.second, req.etag(), {"SUBMITTED"},
                                                   c.principal.subject, LastYear()));
  return Present(c, {out});
}

absl::Status HouseholdLogic::ApproveReview(const C& c, const v1::ApproveReviewRequest& req, v1::Review* out) {
  LNOB_ASSIGN_OR_RETURN(auto ids, ChildIds(req.name(), "reviews", "name"));
  Violations v;
  if (req.decision_number().empty()) v.Add("decision_number", "is required (the commune chair's decision)");
  auto dd = api::FromProtoDate(req.decision_date(), "decision_date");
  if (!dd.ok()) v.Add("decision_date", "is required (a full date)");
  else if (*dd > Today()) v.Add("decision_date", "must not be in the future");
  std::optional<absl::CivilDay> consulted;
  if (api::IsSet(req.consulted_on())) {
    auto cd = api::FromProtoDate(req.consulted_on(), "consulted_on");
    if (!cd.ok()) v.Add("consulted_on", "must be a full date");
    else consulted = *cd;
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_RETURN_IF_ERROR(Visible(c, ids.first).status());
  LNOB_ASSIGN_OR_RETURN(v1::Review current, store_->GetReview(ids.first, ids.second));
  if (!current.round().empty()) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("the review belongs to ", current.round(),
                                                                 ": it is recognised with the round (RecognizeRound)")),
                      "ROUND_STEP");
  }
  if (current.state() != v1::POSTED) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "a ", v1::ReviewState_Name(current.state()),
                          " review cannot be recognised: the list is publicly posted first (QĐ 24/2021 step 4, PostReview)")),
                      "ILLEGAL_TRANSITION");
  }
  const absl::CivilDay posted = Civil(current.posted_on());
  if (*dd < posted) return InvalidField("decision_date", absl::StrCat("must not be before the posting (", FormatDate(posted), ")"));
  LNOB_ASSIGN_OR_RETURN(auto refs, Refs());
  ReviewChange change{"APPROVED", req.decision_number(), *dd};
  LNOB_RETURN_IF_ERROR(CheckConsultation(refs->procedure.steps, posted, *dd, consulted,
                                         req.consultation_document(), "", &change));
  LNOB_ASSIGN_OR_RETURN(*out, store_->ChangeReview(ids.first, ids.second, req.etag(), change, c.principal.subject,
                                                   LastYear()));
  return Present(c, {out});
}

absl::Status CheckConsultation(const std::vector<ProcedureStep>& steps, absl::CivilDay posted,
                               absl::CivilDay decided, std::optional<absl::CivilDay> consulted,
                               const std::string& document, const std::string& prefix, ReviewChange* change) {
  const ProcedureStep* required = StepInForce(steps, "DISTRICT_CONSULTATION", decided);
  if (!consulted) {
    if (required == nullptr) return absl::OkStatus();
    return InvalidField(prefix + "consulted_on",
                        absl::StrCat("is required: a decision dated ", FormatDate(decided), " follows the ",
                                     required->authority, "'s consultation (", required->legal_doc, ")"));
  }
  const ProcedureStep* in_force = StepInForce(steps, "DISTRICT_CONSULTATION", *consulted);
  if (in_force == nullptr) {
    return InvalidField(prefix + "consulted_on", absl::StrCat("the district consultation is not a step of the procedure on ",
                                                              FormatDate(*consulted), " (table review_steps)"));
  }
  if (*consulted < posted) return InvalidField(prefix + "consulted_on", "must not be before the posting");
  if (*consulted > decided) return InvalidField(prefix + "consulted_on", "must not be after the decision");
  if (document.empty()) return InvalidField(prefix + "consultation_document", "is required with consulted_on");
  if (document.size() > 200) return InvalidField(prefix + "consultation_document", "at most 200 bytes");
  change->consulted_on = *consulted;
  change->consultation_document = document;
  return absl::OkStatus();
}

absl::Status HouseholdLogic::RejectReview(const C& c, const v1::RejectReviewRequest& req, v1::Review* out) {
  LNOB_ASSIGN_OR_RETURN(auto ids, ChildIds(req.name(), "reviews", "name"));
  if (req.reason().empty()) return InvalidField("reason", "is required");
  LNOB_RETURN_IF_ERROR(Visible(c, ids.first).status());
  ReviewChange change{"REJECTED"};
  change.rejection_reason = req.reason();
  LNOB_ASSIGN_OR_RETURN(*out, store_->ChangeReview(ids.first, ids.second, req.etag(), change, c.principal.subject,
                                                   LastYear()));
  return Present(c, {out});
}

absl::Status HouseholdLogic::PostReview(const C& c, const v1::PostReviewRequest& req, v1::Review* out) {
  LNOB_ASSIGN_OR_RETURN(auto ids, ChildIds(req.name(), "reviews", "name"));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay posted, api::FromProtoDate(req.posted_on(), "posted_on"));
  if (posted > Today()) return InvalidField("posted_on", "must not be in the future");
  LNOB_RETURN_IF_ERROR(Visible(c, ids.first).status());
  LNOB_ASSIGN_OR_RETURN(v1::Review current, store_->GetReview(ids.first, ids.second));
  if (posted < Civil(current.review_date())) return InvalidField("posted_on", "must not be before the review date");
  if (!current.round().empty()) {
    // A round's lists are posted together; one review alone only as a correction after recognition.
    LNOB_ASSIGN_OR_RETURN(v1::ReviewRound round, VisibleRound(c, current.round(), "name"));
    if (round.state() != v1::ROUND_RECOGNISED) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat("the review belongs to ", current.round(),
                                                                   ": its list is posted with the round (PostRoundLists)")),
                        "ROUND_STEP");
    }
  }
  ReviewChange change{"POSTED"};
  change.posted_on = posted;
  LNOB_ASSIGN_OR_RETURN(*out, store_->ChangeReview(ids.first, ids.second, req.etag(), change, c.principal.subject,
                                                   LastYear()));
  return Present(c, {out});
}

absl::Status HouseholdLogic::GetClassification(const C& c, const v1::GetClassificationRequest& req,
                                               v1::ClassificationRecord* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(req.name(), "name"));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", Today()));
  LNOB_RETURN_IF_ERROR(Visible(c, id).status());
  LNOB_ASSIGN_OR_RETURN(auto history, store_->History(id));
  out->set_household(req.name());
  for (const auto& rec : history) {
    if (absl::CivilDay(rec.effective_date().year(), rec.effective_date().month(), rec.effective_date().day()) <= as_of) {
      *out = rec;
    }
  }
  return absl::OkStatus();
}

}  // namespace lnob::registry
