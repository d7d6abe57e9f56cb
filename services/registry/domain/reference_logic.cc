#include "services/registry/domain/reference_logic.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/resource_name.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/status/status.h"
#include "common/util/uuid.h"
#include "common/util/text.h"
#include "common/util/date.h"
#include "services/registry/domain/classifier.h"

namespace lnob::registry {
namespace {

bool ValidCode(absl::string_view code) {
  if (code.size() < 2 || code.size() > 5) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "adminUnits/{code}" -> code, or INVALID_ARGUMENT naming field.
absl::StatusOr<std::string> UnitCodeFromName(absl::string_view name, absl::string_view field) {
  absl::string_view code = name;
  if (!absl::ConsumePrefix(&code, "adminUnits/") || !ValidCode(code)) {
    return InvalidField(field, "must be adminUnits/{code} with a 2-5 digit GSO code");
  }
  return std::string(code);
}

}  // namespace

std::vector<StandardRule> StandardRulesFrom(const std::vector<v1::PovertyStandard>& standards) {
  std::vector<StandardRule> rules;
  for (const auto& s : standards) {
    StandardRule r;
    r.id = s.id();
    r.valid_from = absl::CivilDay(s.valid_from().year(), s.valid_from().month(), s.valid_from().day());
    r.valid_to = absl::CivilDay(s.valid_to().year(), s.valid_to().month(), s.valid_to().day());
    r.min_deprivations_poor = s.min_deprivations_poor();
    r.scored = s.scored();
    for (const auto& l : s.lines()) {
      IncomeLine il{l.income_line_vnd(), std::nullopt, std::nullopt};
      if (l.middle_income_cap_vnd() > 0) il.middle_cap_vnd = l.middle_income_cap_vnd();
      if (l.proxy_score_cutoff() > 0) il.proxy_score_cutoff = l.proxy_score_cutoff();
      il.proxy_score_confirmed = l.proxy_score_confirmed();
      (l.area_type() == v1::AREA_TYPE_URBAN ? r.urban : r.rural) = il;
    }
    for (const auto& i : s.indicators()) r.indicator_codes.insert(i.code());
    rules.push_back(std::move(r));
  }
  return rules;
}

absl::CivilDay ReferenceLogic::Today() const { return lnob::Today(clock_.Now()); }

absl::Status ReferenceLogic::GetAdminUnit(const C&, const v1::GetAdminUnitRequest& req,
                                          v1::AdminUnit* out) {
  LNOB_ASSIGN_OR_RETURN(std::string code, UnitCodeFromName(req.name(), "name"));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", Today()));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetUnit(code, as_of));
  return absl::OkStatus();
}

absl::Status ReferenceLogic::ListAdminUnits(const C&, const v1::ListAdminUnitsRequest& req,
                                            v1::ListAdminUnitsResponse* out) {
  Violations v;
  if (!req.parent_code().empty() && !ValidCode(req.parent_code())) {
    v.Add("parent_code", "must be a 2-5 digit GSO code");
  }
  if (!v1::UnitLevel_IsValid(req.level())) v.Add("level", "unknown level");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", Today()));
  UnitQuery q;
  q.as_of = as_of;
  q.parent_code = req.parent_code();
  switch (req.level()) {
    case v1::UNIT_LEVEL_PROVINCE: q.level = "province"; break;
    case v1::UNIT_LEVEL_DISTRICT: q.level = "district"; break;
    case v1::UNIT_LEVEL_COMMUNE: q.level = "commune"; break;
    default: break;
  }
  LNOB_ASSIGN_OR_RETURN(auto units, api::FetchPage<v1::AdminUnit>(
                                         tokens_, req,
                                         [&](const std::string& after, int limit) {
                                           q.after_code = after;
                                           q.limit = limit;
                                           return store_->ListUnits(q);
                                         },
                                         [](const v1::AdminUnit& u) { return u.code(); },
                                         out->mutable_next_page_token()));
  for (auto& u : units) *out->add_admin_units() = std::move(u);
  return absl::OkStatus();
}

absl::Status ReferenceLogic::TraceAdminUnit(const C&, const v1::TraceAdminUnitRequest& req,
                                            v1::TraceAdminUnitResponse* out) {
  LNOB_ASSIGN_OR_RETURN(std::string code, UnitCodeFromName(req.name(), "name"));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", Today()));
  if (req.direction() == v1::TraceAdminUnitRequest::PREDECESSORS) {
    // Walk back through events that formed `code`; same-code events (renames, a province
    // merged into a unit keeping its code) continue the walk before that event.
    struct Item {
      std::string code;
      absl::CivilDay until;
    };
    std::vector<Item> work{{code, as_of}};
    std::set<std::string> seen;
    while (!work.empty()) {
      Item it = work.back();
      work.pop_back();
      LNOB_ASSIGN_OR_RETURN(auto events, store_->LineageOf(it.code, /*as_old=*/false, it.until));
      absl::CivilDay latest;
      bool any = false;
      for (const auto& e : events) {
        absl::CivilDay d(e.effective_date().year(), e.effective_date().month(), e.effective_date().day());
        if (!any || d > latest) latest = d;
        any = true;
      }
      for (const auto& e : events) {
        absl::CivilDay d(e.effective_date().year(), e.effective_date().month(), e.effective_date().day());
        if (d != latest) continue;  // only the most recent formation of this code
        *out->add_events() = e;
        if (e.old_code() == it.code && e.kind() == v1::RENAMED) {
          work.push_back({it.code, d - 1});
          continue;
        }
        if (!seen.insert(e.old_code()).second) continue;
        auto u = store_->GetUnit(e.old_code(), d - 1);
        if (u.ok()) *out->add_units() = *std::move(u);
      }
    }
    return absl::OkStatus();
  }
  // Successors: follow every event from the code up to as_of.
  std::vector<std::pair<std::string, absl::CivilDay>> work{{code, absl::CivilDay(1900, 1, 1)}};
  std::set<std::string> result, seen;
  int steps = 0;
  while (!work.empty() && ++steps < 1000) {
    auto [c, after] = work.back();
    work.pop_back();
    LNOB_ASSIGN_OR_RETURN(auto events, store_->LineageOf(c, /*as_old=*/true, as_of));
    bool moved = false;
    for (const auto& e : events) {
      absl::CivilDay d(e.effective_date().year(), e.effective_date().month(), e.effective_date().day());
      if (d < after) continue;
      if (e.new_code() == c && e.kind() != v1::ABOLISHED) {
        *out->add_events() = e;
        continue;  // renamed or merged into a unit keeping this code: still this code
      }
      *out->add_events() = e;
      moved = true;
      if (e.kind() != v1::ABOLISHED && seen.insert(e.new_code()).second) {
        work.push_back({e.new_code(), d + 1});
      }
    }
    if (!moved) result.insert(c);
  }
  for (const auto& c : result) {
    auto u = store_->GetUnit(c, as_of);
    if (u.ok()) *out->add_units() = *std::move(u);
  }
  out->set_unchanged(out->events_size() == 0 && out->units_size() == 1);
  return absl::OkStatus();
}

absl::Status ReferenceLogic::CheckContainment(const C&, const v1::CheckContainmentRequest& req,
                                              v1::CheckContainmentResponse* out) {
  Violations v;
  auto unit = UnitCodeFromName(req.unit(), "unit");
  auto anc = UnitCodeFromName(req.ancestor(), "ancestor");
  if (!unit.ok()) v.Add("unit", "must be adminUnits/{code}");
  if (!anc.ok()) v.Add("ancestor", "must be adminUnits/{code}");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", Today()));
  LNOB_ASSIGN_OR_RETURN(bool within, store_->IsWithin(*unit, *anc, as_of));
  out->set_contained(within);
  return absl::OkStatus();
}

absl::Status ReferenceLogic::ListLineageEvents(const C&, const v1::ListLineageEventsRequest& req,
                                               v1::ListLineageEventsResponse* out) {
  if (!req.code().empty() && !ValidCode(req.code())) {
    return InvalidField("code", "must be a 2-5 digit GSO code");
  }
  using Row = std::pair<int64_t, v1::LineageEvent>;  // the event and its id (the cursor)
  LNOB_ASSIGN_OR_RETURN(
      auto rows, api::FetchPage<Row>(
                     tokens_, req,
                     [&](const std::string& after, int limit) -> absl::StatusOr<std::vector<Row>> {
                       LNOB_ASSIGN_OR_RETURN(int64_t after_id, api::IdCursor(after));
                       std::vector<int64_t> ids;
                       LNOB_ASSIGN_OR_RETURN(auto events, store_->ListLineage(req.code(), after_id, limit, &ids));
                       std::vector<Row> out;
                       for (size_t i = 0; i < events.size(); ++i) out.push_back({ids[i], std::move(events[i])});
                       return out;
                     },
                     [](const Row& r) { return absl::StrCat(r.first); }, out->mutable_next_page_token()));
  for (auto& r : rows) *out->add_events() = std::move(r.second);
  return absl::OkStatus();
}

absl::Status ReferenceLogic::CheckScope(const auth::Principal& p, const std::string& unit, absl::CivilDay date) {
  return scope_->CheckFilter(p, unit, date, "unit");
}

absl::Status ReferenceLogic::ListAreaClassifications(const C& c,
                                                     const v1::ListAreaClassificationsRequest& req,
                                                     v1::ListAreaClassificationsResponse* out) {
  const auth::Principal& p = c.principal;
  if (!req.unit_code().empty() && !ValidCode(req.unit_code())) {
    return InvalidField("unit_code", "must be a 2-5 digit GSO code");
  }
  if (!v1::RegionClass_IsValid(req.region())) return InvalidField("region", "unknown region");
  AreaClassificationQuery q;
  if (api::IsSet(req.as_of())) {
    LNOB_ASSIGN_OR_RETURN(q.as_of, api::FromProtoDate(req.as_of(), "as_of"));
  }
  if (req.region() != v1::REGION_CLASS_UNSPECIFIED) q.region = v1::RegionClass_Name(req.region());
  q.unit_code = req.unit_code();
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->Covered(p, q.as_of.value_or(Today())));
  if (covered.has_value()) q.units = std::vector<std::string>(covered->begin(), covered->end());
  LNOB_ASSIGN_OR_RETURN(
      auto rows, api::FetchPage<v1::AreaClassification>(
                     tokens_, req,
                     [&](const std::string& after, int limit) -> absl::StatusOr<std::vector<v1::AreaClassification>> {
                       LNOB_ASSIGN_OR_RETURN(q.after_id, api::IdCursor(after));
                       q.limit = limit;
                       return store_->ListAreaClassifications(q);
                     },
                     [](const v1::AreaClassification& a) { return api::IdOf(a.name()); },
                     out->mutable_next_page_token()));
  for (auto& r : rows) *out->add_area_classifications() = std::move(r);
  return absl::OkStatus();
}

absl::Status ReferenceLogic::GetAreaClassification(const C& c,
                                                   const v1::GetAreaClassificationRequest& req,
                                                   v1::AreaClassification* out) {
  const auth::Principal& p = c.principal;
  LNOB_ASSIGN_OR_RETURN(int64_t id, api::ParseIntId(req.name(), "areaClassifications", "name"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetAreaClassification(id));
  // Out-of-scope rows are reported as missing: their existence is not disclosed.
  if (!CheckScope(p, out->unit_code(), Today()).ok()) {
    out->Clear();
    return WithReason(absl::NotFoundError(absl::StrCat(req.name(), " not found")), "NOT_FOUND");
  }
  return absl::OkStatus();
}

absl::StatusOr<RegisterMatch> MatchVillage(ReferenceStore* store, const std::string& commune, absl::CivilDay day,
                                           const std::string& name) {
  RegisterMatch out;
  VillageQuery q;
  q.communes = std::vector<std::string>{commune};
  q.as_of = day;
  q.exact_name = name;
  q.limit = 1;
  LNOB_ASSIGN_OR_RETURN(auto named, store->ListVillages(q));
  if (!named.empty()) {
    out.village = std::move(named[0]);
    out.registered = true;
    return out;
  }
  q.exact_name.clear();
  q.limit = 9;
  LNOB_ASSIGN_OR_RETURN(auto any, store->ListVillages(q));
  out.registered = !any.empty();
  for (const auto& v : any) out.some_names.push_back(v.display_name());
  return out;
}

std::string NotInRegister(const std::string& commune, const RegisterMatch& m) {
  std::vector<std::string> names(m.some_names.begin(), m.some_names.begin() + std::min<size_t>(8, m.some_names.size()));
  return absl::StrCat("is not in the village register of commune ", commune, " (", absl::StrJoin(names, ", "),
                      m.some_names.size() > 8 ? ", ..." : "", "; ListVillages)");
}

absl::Status ReferenceLogic::LinkVillage(absl::CivilDay from, v1::AreaClassification* ac) {
  const std::string commune = ac->unit_code();
  if (!ac->village().empty()) {
    LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(ac->village(), "villages", "area_classification.village"));
    auto v = store_->GetVillage(id);
    if (!v.ok()) {
      return v.status().code() == absl::StatusCode::kNotFound ? InvalidField("area_classification.village", "no such village")
                                                               : v.status();
    }
    const absl::CivilDay v_from(v->valid_from().year(), v->valid_from().month(), v->valid_from().day());
    const bool ended = api::IsSet(v->valid_to()) &&
                       absl::CivilDay(v->valid_to().year(), v->valid_to().month(), v->valid_to().day()) < from;
    if (v->commune_code() != commune || v_from > from || ended) {
      return InvalidField("area_classification.village",
                          absl::StrCat("must be a village of commune ", commune, " in force on valid_from"));
    }
    ac->set_village_name(v->display_name());
    return absl::OkStatus();
  }
  LNOB_ASSIGN_OR_RETURN(RegisterMatch m, MatchVillage(store_, commune, from, ac->village_name()));
  if (m.village) {
    ac->set_village(m.village->name());
    ac->set_village_name(m.village->display_name());
    return absl::OkStatus();
  }
  if (!m.registered) return absl::OkStatus();  // no register for this commune: the name stands
  return InvalidField("area_classification.village_name", NotInRegister(commune, m) + " on valid_from");
}

absl::Status ReferenceLogic::CreateAreaClassification(
    const C& c, const v1::CreateAreaClassificationRequest& req, v1::AreaClassification* out) {
  const auth::Principal& p = c.principal;
  const auto& ac = req.area_classification();
  Violations v;
  if (!req.has_area_classification()) v.Add("area_classification", "is required");
  if (!ValidCode(ac.unit_code())) v.Add("area_classification.unit_code", "must be a 2-5 digit GSO code");
  if (ac.region() == v1::REGION_CLASS_UNSPECIFIED || !v1::RegionClass_IsValid(ac.region())) {
    v.Add("area_classification.region", "is required");
  }
  const bool village = ac.region() == v1::ESPECIALLY_DIFFICULT_VILLAGE;
  if (village && ac.village_name().empty() && ac.village().empty()) {
    v.Add("area_classification.village", "is required for an especially difficult village (or village_name)");
  }
  if (!village && !ac.village().empty()) {
    v.Add("area_classification.village", "only an especially difficult village names a village");
  }
  if (!village && !ac.village_name().empty()) {
    v.Add("area_classification.village_name", "only villages have a village_name");
  }
  if (ac.legal_doc().empty()) v.Add("area_classification.legal_doc", "is required (e.g. QĐ 861/QĐ-TTg)");
  auto from = api::FromProtoDate(ac.valid_from(), "area_classification.valid_from");
  if (!from.ok()) v.Add("area_classification.valid_from", "must be a full date");
  if (api::IsSet(ac.valid_to())) {
    auto to = api::FromProtoDate(ac.valid_to(), "area_classification.valid_to");
    if (!to.ok()) {
      v.Add("area_classification.valid_to", "must be a full date");
    } else if (from.ok() && *to < *from) {
      v.Add("area_classification.valid_to", "must not be before valid_from");
    }
  }
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) v.Add("request_id", "must be a UUID");
  LNOB_RETURN_IF_ERROR(v.Status());
  // The commune must exist on valid_from, and be inside the caller's scope.
  LNOB_ASSIGN_OR_RETURN(v1::AdminUnit unit, store_->GetUnit(ac.unit_code(), *from));
  if (unit.level() != v1::UNIT_LEVEL_COMMUNE) {
    return InvalidField("area_classification.unit_code", "must be a commune-level unit");
  }
  LNOB_RETURN_IF_ERROR(CheckScope(p, ac.unit_code(), *from));
  v1::AreaClassification stored = ac;
  if (village) LNOB_RETURN_IF_ERROR(LinkVillage(*from, &stored));
  const IdempotencyKey key = api::IdempotencyKeyFor(req, "CreateAreaClassification", c.principal.subject);
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateAreaClassification(stored, p.subject, key));
  return absl::OkStatus();
}

// ---- villages ----

absl::Status ReferenceLogic::CreateVillage(const C& c, const v1::CreateVillageRequest& req, v1::Village* out) {
  v1::Village v = req.village();
  Violations vs;
  if (!ValidCode(v.commune_code())) vs.Add("village.commune_code", "must be a 2-5 digit GSO code");
  if (v.display_name().empty()) vs.Add("village.display_name", "is required");
  else if (Utf8Chars(v.display_name()) > 200) vs.Add("village.display_name", "at most 200 characters");
  if (v.legal_doc().empty()) vs.Add("village.legal_doc", "is required (the decision, or where the list comes from)");
  else if (Utf8Chars(v.legal_doc()) > 500) vs.Add("village.legal_doc", "at most 500 characters");
  auto from = api::FromProtoDate(v.valid_from(), "village.valid_from");
  if (!from.ok()) vs.Add("village.valid_from", "is required (a full date)");
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) vs.Add("request_id", "must be a UUID");
  LNOB_RETURN_IF_ERROR(vs.Status());
  LNOB_ASSIGN_OR_RETURN(v1::AdminUnit unit, store_->GetUnit(v.commune_code(), *from));
  if (unit.level() != v1::UNIT_LEVEL_COMMUNE) return InvalidField("village.commune_code", "must be a commune-level unit");
  LNOB_RETURN_IF_ERROR(CheckScope(c.principal, v.commune_code(), *from));
  v.clear_valid_to();
  v.clear_predecessors();
  v.clear_successor();
  v.set_name("villages/" + NewUuidV7(clock_.Now()));
  const IdempotencyKey key = api::IdempotencyKeyFor(req, "CreateVillage", c.principal.subject);
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateVillage(v, c.principal.subject, key));
  return absl::OkStatus();
}

absl::Status ReferenceLogic::ListVillages(const C& c, const v1::ListVillagesRequest& req, v1::ListVillagesResponse* out) {
  VillageQuery q;
  if (!req.commune_code().empty()) {
    if (!ValidCode(req.commune_code())) return InvalidField("commune_code", "must be a 2-5 digit GSO code");
    q.communes = std::vector<std::string>{req.commune_code()};
  }
  if (!req.all_periods()) {
    LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", Today()));
    q.as_of = as_of;
  }
  if (req.exact_name()) {
    if (req.name_query().empty()) return InvalidField("name_query", "is required with exact_name");
    q.exact_name = req.name_query();
  } else {
    q.name_query = req.name_query();
  }
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Village>(
                                        tokens_, req,
                                        [&](const std::string& after, int limit) {
                                          q.after_id = after;
                                          q.limit = limit;
                                          return store_->ListVillages(q);
                                        },
                                        [](const v1::Village& v) { return api::IdOf(v.name()); },
                                        out->mutable_next_page_token()));
  for (auto& v : rows) *out->add_villages() = std::move(v);
  return absl::OkStatus();
}

namespace {

absl::Status SuccessionFields(const std::string& name_field, const std::string& display_name,
                              const google::type::Date& eff, const std::string& legal_doc, Violations* v) {
  if (display_name.empty()) v->Add(name_field, "is required");
  else if (Utf8Chars(display_name) > 200) v->Add(name_field, "at most 200 characters");
  if (!api::FromProtoDate(eff, "effective_date").ok()) v->Add("effective_date", "is required (a full date)");
  if (legal_doc.empty()) v->Add("legal_doc", "is required (the decision)");
  else if (Utf8Chars(legal_doc) > 500) v->Add("legal_doc", "at most 500 characters");
  return v->Status();
}

}  // namespace

absl::Status ReferenceLogic::RenameVillage(const C& c, const v1::RenameVillageRequest& req, v1::Village* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "villages", "name"));
  Violations v;
  LNOB_RETURN_IF_ERROR(SuccessionFields("new_display_name", req.new_display_name(), req.effective_date(), req.legal_doc(), &v));
  LNOB_ASSIGN_OR_RETURN(v1::Village old, store_->GetVillage(id));
  const absl::CivilDay eff(req.effective_date().year(), req.effective_date().month(), req.effective_date().day());
  LNOB_RETURN_IF_ERROR(CheckScope(c.principal, old.commune_code(), eff));
  v1::Village next;
  next.set_name("villages/" + NewUuidV7(clock_.Now()));
  next.set_commune_code(old.commune_code());
  next.set_display_name(req.new_display_name());
  *next.mutable_valid_from() = req.effective_date();
  next.set_synthetic(old.synthetic());
  next.set_legal_doc(req.legal_doc());
  LNOB_ASSIGN_OR_RETURN(*out, store_->SucceedVillages({id}, next, "RENAMED", req.etag(), c.principal.subject));
  return absl::OkStatus();
}

absl::Status ReferenceLogic::MergeVillages(const C& c, const v1::MergeVillagesRequest& req, v1::Village* out) {
  Violations v;
  if (req.villages_size() < 2) v.Add("villages", "at least two villages merge");
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (int i = 0; i < req.villages_size(); ++i) {
    auto id = api::ParseUuidId(req.villages(i), "villages", absl::StrCat("villages[", i, "]"));
    if (!id.ok()) v.Add(absl::StrCat("villages[", i, "]"), "must be villages/{uuid}");
    else if (!seen.insert(*id).second) v.Add(absl::StrCat("villages[", i, "]"), "appears twice");
    else ids.push_back(*id);
  }
  LNOB_RETURN_IF_ERROR(SuccessionFields("display_name", req.display_name(), req.effective_date(), req.legal_doc(), &v));
  LNOB_ASSIGN_OR_RETURN(v1::Village first, store_->GetVillage(ids.front()));
  const absl::CivilDay eff(req.effective_date().year(), req.effective_date().month(), req.effective_date().day());
  LNOB_RETURN_IF_ERROR(CheckScope(c.principal, first.commune_code(), eff));
  v1::Village next;
  next.set_name("villages/" + NewUuidV7(clock_.Now()));
  next.set_commune_code(first.commune_code());
  next.set_display_name(req.display_name());
  *next.mutable_valid_from() = req.effective_date();
  next.set_synthetic(first.synthetic());
  next.set_legal_doc(req.legal_doc());
  LNOB_ASSIGN_OR_RETURN(*out, store_->SucceedVillages(ids, next, "MERGED", "", c.principal.subject));
  return absl::OkStatus();
}

absl::Status ReferenceLogic::UpdateAreaClassification(
    const C& c, const v1::UpdateAreaClassificationRequest& req, v1::AreaClassification* out) {
  const auth::Principal& p = c.principal;
  const auto& ac = req.area_classification();
  LNOB_ASSIGN_OR_RETURN(int64_t id, api::ParseIntId(ac.name(), "areaClassifications", "area_classification.name"));
  std::vector<std::string> mask(req.update_mask().paths().begin(), req.update_mask().paths().end());
  if (mask.empty()) return InvalidField("update_mask", "is required: valid_to, legal_doc and/or note");
  for (const auto& m : mask) {
    if (m != "valid_to" && m != "legal_doc" && m != "note") {
      return InvalidField("update_mask", absl::StrCat("field ", m, " cannot be updated"));
    }
    if (m == "legal_doc" && ac.legal_doc().empty()) {
      return InvalidField("area_classification.legal_doc", "must not be empty");
    }
    if (m == "valid_to" && api::IsSet(ac.valid_to())) {
      LNOB_RETURN_IF_ERROR(api::FromProtoDate(ac.valid_to(), "area_classification.valid_to").status());
    }
  }
  LNOB_ASSIGN_OR_RETURN(v1::AreaClassification current, store_->GetAreaClassification(id));
  if (!CheckScope(p, current.unit_code(), Today()).ok()) {
    return WithReason(absl::NotFoundError(absl::StrCat(ac.name(), " not found")), "NOT_FOUND");
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->UpdateAreaClassification(id, ac, mask, ac.etag(), p.subject));
  return absl::OkStatus();
}

absl::Status ReferenceLogic::ListPovertyStandards(const C&, const v1::ListPovertyStandardsRequest& req,
                                                  v1::ListPovertyStandardsResponse* out) {
  std::optional<absl::CivilDay> as_of;
  if (api::IsSet(req.as_of())) {
    LNOB_ASSIGN_OR_RETURN(as_of, api::FromProtoDate(req.as_of(), "as_of"));
  }
  LNOB_ASSIGN_OR_RETURN(auto standards, store_->ListStandards());
  std::vector<v1::PovertyStandard> matching;
  for (auto& s : standards) {
    absl::CivilDay from(s.valid_from().year(), s.valid_from().month(), s.valid_from().day());
    absl::CivilDay to(s.valid_to().year(), s.valid_to().month(), s.valid_to().day());
    if (as_of && (*as_of < from || *as_of > to)) continue;
    matching.push_back(std::move(s));
  }
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(matching), out->mutable_next_page_token()));
  for (auto& s : page) *out->add_poverty_standards() = std::move(s);
  return absl::OkStatus();
}

absl::Status ReferenceLogic::GetPovertyStandard(const C&, const v1::GetPovertyStandardRequest& req,
                                                v1::PovertyStandard* out) {
  absl::string_view id = req.name();
  if (!absl::ConsumePrefix(&id, "povertyStandards/") || id.empty()) {
    return InvalidField("name", "must be povertyStandards/{id}");
  }
  LNOB_ASSIGN_OR_RETURN(auto standards, store_->ListStandards());
  for (auto& s : standards) {
    if (s.id() == id) {
      *out = std::move(s);
      return absl::OkStatus();
    }
  }
  return WithReason(absl::NotFoundError(absl::StrCat(req.name(), " not found")), "NOT_FOUND");
}

absl::Status ReferenceLogic::ClassifyProfile(const C&, const v1::ClassifyProfileRequest& req,
                                             v1::ClassifyProfileResponse* out) {
  Violations v;
  if (req.income_per_capita_vnd() < 0) v.Add("income_per_capita_vnd", "must not be negative");
  if (req.area_type() == v1::AREA_TYPE_UNSPECIFIED && req.unit_code().empty()) {
    v.Add("area_type", "give area_type or unit_code");
  }
  if (!v1::AreaType_IsValid(req.area_type())) v.Add("area_type", "unknown area type");
  if (!req.unit_code().empty() && !ValidCode(req.unit_code())) {
    v.Add("unit_code", "must be a 2-5 digit GSO code");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay date, api::FromProtoDateOr(req.date(), "date", Today()));
  LNOB_ASSIGN_OR_RETURN(auto standards, store_->ListStandards());
  const std::vector<StandardRule> rules = StandardRulesFrom(standards);
  const StandardRule* rule = StandardInForce(rules, date);
  if (rule == nullptr) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("no poverty standard in force on ",
                                                                 FormatDate(date))),
                      "NO_STANDARD");
  }
  if (!rule->scored) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("the standard in force on ", FormatDate(date), ", ",
                                                                 rule->id, ", is not scored by the registry")),
                      "STANDARD_NOT_SCORED");
  }
  v1::AreaType area = req.area_type();
  if (area == v1::AREA_TYPE_UNSPECIFIED) {
    LNOB_ASSIGN_OR_RETURN(v1::AdminUnit unit, store_->GetUnit(req.unit_code(), date));
    area = unit.area_type();
  }
  std::set<std::string> codes;
  for (int i = 0; i < req.deprived_indicators_size(); ++i) {
    const std::string& c = req.deprived_indicators(i);
    if (!rule->indicator_codes.count(c)) {
      v.Add(absl::StrCat("deprived_indicators[", i, "]"),
            absl::StrCat("'", c, "' is not an indicator of ", rule->id));
    } else if (!codes.insert(c).second) {
      v.Add(absl::StrCat("deprived_indicators[", i, "]"), absl::StrCat("'", c, "' is repeated"));
    }
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  const AreaType a = area == v1::AREA_TYPE_URBAN ? AreaType::kUrban : AreaType::kRural;
  const HouseholdClass cls = Classify(req.income_per_capita_vnd(), static_cast<int>(codes.size()), a, *rule);
  v1::HouseholdClass pc = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
  v1::HouseholdClass_Parse(HouseholdClassName(cls), &pc);
  out->set_classification(pc);
  out->set_standard_id(rule->id);
  out->set_deprivation_count(static_cast<int>(codes.size()));
  out->set_income_line_vnd(rule->line(a).line_vnd);
  out->set_area_type(area);
  return absl::OkStatus();
}

absl::Status ReferenceLogic::ListEthnicGroups(const C&, const v1::ListEthnicGroupsRequest& req,
                                              v1::ListEthnicGroupsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto groups, store_->ListEthnicGroups());
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(groups), out->mutable_next_page_token()));
  for (auto& g : page) *out->add_ethnic_groups() = std::move(g);
  return absl::OkStatus();
}

absl::Status ReferenceLogic::ListReferenceDataChanges(const C&,
                                                      const v1::ListReferenceDataChangesRequest& req,
                                                      v1::ListReferenceDataChangesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(
      auto rows, api::FetchPage<v1::ReferenceDataChange>(
                     tokens_, req,
                     [&](const std::string& after, int limit) -> absl::StatusOr<std::vector<v1::ReferenceDataChange>> {
                       LNOB_ASSIGN_OR_RETURN(int64_t after_id, api::IdCursor(after));
                       return store_->ListChanges(req.dataset(), after_id, limit);
                     },
                     [](const v1::ReferenceDataChange& r) { return absl::StrCat(r.id()); },
                     out->mutable_next_page_token()));
  for (auto& r : rows) *out->add_changes() = std::move(r);
  return absl::OkStatus();
}

}  // namespace lnob::registry
