#include "services/registry/domain/household_logic.h"
#include "services/registry/domain/household_internal.h"

#include <algorithm>

#include "absl/algorithm/container.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/api/resource_name.h"
#include "common/api/proto_date.h"
#include "common/api/import_stream.h"
#include "common/api/request_id.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/text.h"
#include "common/util/uuid.h"
#include "services/registry/domain/classifier.h"
#include "services/registry/domain/reference_logic.h"

namespace lnob::registry {

absl::StatusOr<std::pair<std::string, std::string>> ChildIds(absl::string_view name, absl::string_view kind,
                                                             absl::string_view field) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "households" || parts[2] != kind || !IsUuid(parts[1]) ||
      !IsUuid(parts[3])) {
    return InvalidField(field, absl::StrCat("must be households/{uuid}/", kind, "/{uuid}"));
  }
  return std::make_pair(parts[1], parts[3]);
}

absl::CivilDay HouseholdLogic::Today() const { return lnob::Today(clock_.Now()); }
int HouseholdLogic::LastYear() const { return static_cast<int>(Today().year()); }

absl::StatusOr<std::shared_ptr<const HouseholdLogic::RefCache>> HouseholdLogic::Refs() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (cache_ && clock_.Now() - cache_loaded_ < absl::Minutes(5)) return cache_;
  }
  auto cache = std::make_shared<RefCache>();
  LNOB_ASSIGN_OR_RETURN(auto standards, refs_->ListStandards());
  cache->standards = StandardRulesFrom(standards);
  LNOB_ASSIGN_OR_RETURN(cache->procedure, store_->ReviewProcedure());
  LNOB_ASSIGN_OR_RETURN(auto groups, refs_->ListEthnicGroups());
  for (const auto& g : groups) cache->ethnic_codes.insert(g.code());
  std::lock_guard<std::mutex> l(mu_);
  cache_ = cache;
  cache_loaded_ = clock_.Now();
  return std::shared_ptr<const RefCache>(cache);
}

absl::StatusOr<std::vector<std::string>> HouseholdLogic::CommunesUnder(const std::string& unit,
                                                                       absl::CivilDay date) {
  LNOB_ASSIGN_OR_RETURN(auto graph, Graph());
  return graph->CommunesUnder(unit, date);
}

absl::StatusOr<std::optional<std::set<std::string>>> HouseholdLogic::ScopeCommunes(const auth::Principal& p) {
  return scope_->CoveredCommunes(p, Today());
}

absl::StatusOr<bool> HouseholdLogic::InScope(const auth::Principal& p, const std::string& commune) {
  return scope_->Covers(p, commune, Today());
}

absl::StatusOr<std::optional<std::vector<std::string>>> HouseholdLogic::CommuneFilter(const C& c,
                                                                                     const std::string& unit,
                                                                                     absl::CivilDay geo) {
  LNOB_ASSIGN_OR_RETURN(auto scope, ScopeCommunes(c.principal));
  std::optional<std::vector<std::string>> communes;
  if (!unit.empty()) {
    LNOB_ASSIGN_OR_RETURN(auto under, CommunesUnder(unit, geo));
    communes.emplace();
    for (const auto& code : under) {
      if (!scope || scope->count(code)) communes->push_back(code);
    }
    // A filter wider than the scope (a district around the caller's commune) is narrowed to
    // it; one with nothing in the scope is refused, as everywhere (scope::AreaScope::CheckFilter).
    if (scope && communes->empty() && !under.empty()) return scope::AreaScope::FilterOutOfScope("unit_code", unit);
  } else if (scope) {
    communes.emplace(scope->begin(), scope->end());
  }
  return communes;
}

namespace {

void CheckTextLimits(const v1::Household& h, const std::string& prefix, Violations* v) {
  // Characters, as the database counts them (its CHECK households_text_length); stored NFC.
  if (Utf8Chars(h.village()) > 200) v->Add(prefix + "village", "at most 200 characters");
  if (Utf8Chars(h.address()) > 500) v->Add(prefix + "address", "at most 500 characters");
  if (Utf8Chars(h.area_type_override_reason()) > 500) v->Add(prefix + "area_type_override_reason", "at most 500 characters");
}

}  // namespace

absl::StatusOr<v1::AreaType> HouseholdLogic::UnitArea(const std::string& commune, absl::CivilDay date) {
  LNOB_ASSIGN_OR_RETURN(auto graph, Graph());
  const std::string area = graph->AreaTypeOn(commune, date);
  if (area.empty()) return v1::AREA_TYPE_UNSPECIFIED;
  return area == "URBAN" ? v1::AREA_TYPE_URBAN : v1::AREA_TYPE_RURAL;
}

absl::Status HouseholdLogic::CheckVillage(const std::string& commune, const std::string& village,
                                          const std::string& field) {
  if (village.empty()) return absl::OkStatus();
  LNOB_ASSIGN_OR_RETURN(RegisterMatch m, MatchVillage(refs_, commune, Today(), village));
  if (m.village || !m.registered) return absl::OkStatus();
  return InvalidField(field, NotInRegister(commune, m));
}

absl::StatusOr<v1::AreaType> HouseholdLogic::AreaTypeOn(const v1::Household& h, absl::CivilDay date) {
  if (!h.area_type_override_reason().empty()) return h.area_type();
  LNOB_ASSIGN_OR_RETURN(v1::AreaType area, UnitArea(h.commune_code(), date));
  // A code the unit data does not know on that date keeps the stored area.
  return area == v1::AREA_TYPE_UNSPECIFIED ? h.area_type() : area;
}

absl::StatusOr<std::string> HouseholdLogic::HouseholdId(absl::string_view name, absl::string_view field) {
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, "households/") || !IsUuid(id)) {
    return InvalidField(field, "must be households/{uuid}");
  }
  return std::string(id);
}

absl::StatusOr<v1::Household> HouseholdLogic::Visible(const C& c, const std::string& id) {
  auto h = store_->Get(id);
  if (!h.ok()) return h.status().code() == absl::StatusCode::kNotFound ? api::NotFound("households/" + id) : h.status();
  LNOB_ASSIGN_OR_RETURN(bool ok, InScope(c.principal, h->commune_code()));
  if (!ok) return api::NotFound("households/" + id);
  return h;
}

absl::Status HouseholdLogic::AuditDuplicateOutsideScope(const C& c, const v1::Household& other) {
  // Uniqueness itself tells that the ID exists (the residual oracle, docs/registry.md); who
  // learned it about a household outside their area is recorded like a personal-data read.
  LNOB_ASSIGN_OR_RETURN(bool visible, InScope(c.principal, other.commune_code()));
  if (visible) return absl::OkStatus();
  return store_->AuditPersonalDataRead(c.principal.subject, c.method, c.purpose, c.request_id,
                                       {api::IdOf(other.name())}, {"identity"});
}

absl::Status HouseholdLogic::RequirePurpose(const C& c) { return privacy::RequirePurpose(c.principal, c.purpose); }

absl::Status HouseholdLogic::Present(const C& c, absl::Span<google::protobuf::Message* const> msgs) {
  // A household's area shown today is that of its commune today unless overridden (the row
  // keeps the area of its last write, which a reform may have changed since).
  for (auto* m : msgs) {
    if (m->GetDescriptor() != v1::Household::descriptor()) continue;
    auto* h = static_cast<v1::Household*>(m);
    LNOB_ASSIGN_OR_RETURN(v1::AreaType area, AreaTypeOn(*h, Today()));
    h->set_area_type(area);
  }
  return AuditDisclosure(c, privacy_.Apply(c.principal, msgs));
}

absl::Status HouseholdLogic::AuditDisclosure(const C& c, const Disclosure& d) {
  if (d.empty()) return absl::OkStatus();
  LNOB_RETURN_IF_ERROR(RequirePurpose(c));
  return store_->AuditPersonalDataRead(c.principal.subject, c.method, c.purpose, c.request_id, d.subject_ids,
                                       d.categories);
}

absl::Status HouseholdLogic::PrepareHousehold(const C& c, v1::Household* h, const std::string& prefix) {
  Violations v;
  auto field = [&](const std::string& f) { return prefix + f; };
  const absl::CivilDay today = Today();
  absl::CivilDay registered = today;
  if (api::IsSet(h->registered_on())) {
    auto d = api::FromProtoDate(h->registered_on(), field("registered_on"));
    if (!d.ok()) return d.status();
    if (*d > today) return InvalidField(field("registered_on"), "must not be in the future");
    registered = *d;
  }
  *h->mutable_registered_on() = api::ToProtoDate(registered);
  if (h->members_size() == 0) v.Add(field("members"), "at least the head of household is required");
  if (h->members_size() > 50) v.Add(field("members"), "at most 50 members");
  LNOB_ASSIGN_OR_RETURN(auto refs, Refs());
  const auto& ethnic = refs->ethnic_codes;
  int heads = 0;
  std::set<std::string> cids;
  for (int i = 0; i < h->members_size(); ++i) {
    v1::Member* m = h->mutable_members(i);
    const std::string mf = absl::StrCat(prefix, "members[", i, "].");
    std::string name(absl::StripAsciiWhitespace(m->full_name()));
    if (name.empty() || name.size() > 200) v.Add(mf + "full_name", "is required (at most 200 bytes)");
    m->set_full_name(name);
    if (m->sex() == v1::SEX_UNSPECIFIED || !v1::Sex_IsValid(m->sex())) v.Add(mf + "sex", "is required");
    if (!ethnic.count(m->ethnicity_code())) {
      v.Add(mf + "ethnicity_code", "must be one of the 54 codes of QĐ 1019/QĐ-TCTK (\"01\"-\"54\")");
    }
    if (m->relation() == v1::RELATION_UNSPECIFIED || !v1::Relation_IsValid(m->relation())) {
      v.Add(mf + "relation", "is required");
    }
    if (!v1::EducationLevel_IsValid(m->education_level())) v.Add(mf + "education_level", "unknown level");
    heads += m->relation() == v1::HEAD;
    std::optional<absl::CivilDay> birth;
    if (api::IsSet(m->birth_date())) {
      auto d = api::FromProtoDate(m->birth_date(), mf + "birth_date");
      if (!d.ok() || *d > today) {
        v.Add(mf + "birth_date", "must be a full date, not in the future");
      } else {
        birth = *d;
      }
    }
    if (!m->citizen_id().empty()) {
      std::optional<bool> female;
      if (m->sex() != v1::SEX_UNSPECIFIED) female = m->sex() == v1::FEMALE;
      auto st = ValidateCitizenId(m->citizen_id(), birth, female, mf + "citizen_id");
      if (!st.ok()) {
        v.Add(mf + "citizen_id", GetFieldViolations(st).at(0).description);
      } else if (!cids.insert(m->citizen_id()).second) {
        v.Add(mf + "citizen_id", "appears twice in this household");
      }
    }
    m->set_active(true);
    m->set_masked(false);
  }
  if (h->members_size() > 0 && heads != 1) v.Add(field("members"), "exactly one member must have relation HEAD");
  if (!h->commune_code().empty() && h->commune_code().size() > 5) v.Add(field("commune_code"), "must be a GSO code");
  if (h->commune_code().empty()) v.Add(field("commune_code"), "is required");
  CheckTextLimits(*h, prefix, &v);
  LNOB_RETURN_IF_ERROR(v.Status());

  LNOB_ASSIGN_OR_RETURN(auto graph, Graph());
  const scope::UnitVersion* unit = graph->Find(h->commune_code(), registered);
  if (unit == nullptr || unit->level != "commune") {
    return InvalidField(field("commune_code"),
                        absl::StrCat("no commune-level unit with this code on ", FormatDate(registered)));
  }
  LNOB_ASSIGN_OR_RETURN(bool in_scope, InScope(c.principal, h->commune_code()));
  if (!in_scope) {
    return WithReason(absl::PermissionDeniedError(absl::StrCat(field("commune_code"), ": outside the caller's area scope")),
                      "OUT_OF_SCOPE");
  }
  LNOB_ASSIGN_OR_RETURN(const v1::AreaType unit_area, UnitArea(h->commune_code(), registered));
  if (h->area_type() == v1::AREA_TYPE_UNSPECIFIED) {
    h->set_area_type(unit_area);
    h->clear_area_type_override_reason();
  } else if (h->area_type() != unit_area && h->area_type_override_reason().empty()) {
    return InvalidField(field("area_type_override_reason"),
                        "required when area_type differs from the commune's default");
  }
  const std::string hid = NewUuidV7(clock_.Now());
  h->set_name("households/" + hid);
  for (auto& m : *h->mutable_members()) {
    m.set_name(absl::StrCat(h->name(), "/members/", NewUuidV7(clock_.Now())));
    if (m.relation() == v1::HEAD) h->set_head_member(m.name());
  }
  h->set_status(v1::HOUSEHOLD_ACTIVE);
  return absl::OkStatus();
}

absl::Status HouseholdLogic::CreateHousehold(const C& c, const v1::CreateHouseholdRequest& req,
                                             v1::Household* out) {
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  v1::Household h = req.household();
  LNOB_RETURN_IF_ERROR(PrepareHousehold(c, &h, "household."));
  LNOB_RETURN_IF_ERROR(CheckVillage(h.commune_code(), h.village(), "household.village"));
  // A citizen ID belongs to one active member (unique index); say where only if the caller may
  // see it. Looked up after the write fails, so that a replayed request_id gets its stored
  // response rather than a conflict with itself.
  const IdempotencyKey key = api::IdempotencyKeyFor(req, "CreateHousehold", c.principal.subject);
  auto created = store_->Create(h, c.principal.subject, key);
  if (!created.ok()) {
    if (created.status().code() != absl::StatusCode::kAlreadyExists ||
        GetReason(created.status()) == "REQUEST_ID_TAKEN") {
      return created.status();
    }
    for (int i = 0; i < h.members_size(); ++i) {
      if (h.members(i).citizen_id().empty()) continue;
      LNOB_ASSIGN_OR_RETURN(auto other, store_->FindByCitizenId(h.members(i).citizen_id()));
      if (!other) continue;
      LNOB_ASSIGN_OR_RETURN(bool visible, InScope(c.principal, other->commune_code()));
      LNOB_RETURN_IF_ERROR(AuditDuplicateOutsideScope(c, *other));
      return WithReason(absl::AlreadyExistsError(absl::StrCat(
                            "household.members[", i, "].citizen_id: already an active member of ",
                            visible ? other->name() : std::string("another household"))),
                        "CITIZEN_ID_TAKEN");
    }
    return created.status();
  }
  *out = *std::move(created);
  return Present(c, {out});
}

absl::Status HouseholdLogic::GetHousehold(const C& c, const v1::GetHouseholdRequest& req, v1::Household* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(req.name(), "name"));
  LNOB_ASSIGN_OR_RETURN(*out, Visible(c, id));
  return Present(c, {out});
}

absl::Status HouseholdLogic::UpdateHousehold(const C& c, const v1::UpdateHouseholdRequest& req,
                                             v1::Household* out) {
  const auto& in = req.household();
  LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(in.name(), "household.name"));
  if (req.update_mask().paths().empty()) return InvalidField("update_mask", "is required");
  static const std::set<std::string> kAllowed = {"village", "address", "area_type", "area_type_override_reason",
                                                 "no_labor_capacity", "policy_beneficiary", "head_member"};
  for (const auto& p : req.update_mask().paths()) {
    if (!kAllowed.count(p)) return InvalidField("update_mask", absl::StrCat("field ", p, " cannot be updated here"));
  }
  {
    Violations v;
    CheckTextLimits(in, "household.", &v);
    LNOB_RETURN_IF_ERROR(v.Status());
  }
  LNOB_ASSIGN_OR_RETURN(v1::Household current, Visible(c, id));
  // Looked up before the write transaction: no second pool connection while holding a lock.
  if (absl::c_linear_search(req.update_mask().paths(), "village")) {
    LNOB_RETURN_IF_ERROR(CheckVillage(current.commune_code(), in.village(), "household.village"));
  }
  LNOB_ASSIGN_OR_RETURN(const v1::AreaType unit_area, UnitArea(current.commune_code(), Today()));
  const bool area_in_mask = absl::c_linear_search(req.update_mask().paths(), "area_type");
  auto result = store_->Mutate(id, in.etag(), c.principal.subject, [&](v1::Household& h, HouseholdStore::Mutation& m) -> absl::Status {
    std::vector<std::string> changed;
    for (const auto& p : req.update_mask().paths()) {
      changed.push_back(p);
      if (p == "village") h.set_village(in.village());
      if (p == "address") h.set_address(in.address());
      if (p == "no_labor_capacity") h.set_no_labor_capacity(in.no_labor_capacity());
      if (p == "policy_beneficiary") h.set_policy_beneficiary(in.policy_beneficiary());
      if (p == "area_type_override_reason") h.set_area_type_override_reason(in.area_type_override_reason());
      if (p == "area_type") {
        if (in.area_type() == v1::AREA_TYPE_UNSPECIFIED) return InvalidField("household.area_type", "is required");
        h.set_area_type(in.area_type());
      }
      if (p == "head_member") {
        bool found = false;
        for (auto& mem : *h.mutable_members()) {
          if (mem.name() == in.head_member() && mem.active()) found = true;
        }
        if (!found) return InvalidField("household.head_member", "must be an active member of the household");
        for (auto& mem : *h.mutable_members()) {
          if (mem.name() == in.head_member()) mem.set_relation(v1::HEAD);
          else if (mem.relation() == v1::HEAD) mem.set_relation(v1::OTHER_RELATIVE);
        }
        h.set_head_member(in.head_member());
      }
    }
    // Without an override the area follows the unit in force today (a former town that became
    // a commune is rural now): only an explicit different area needs a reason.
    if (h.area_type_override_reason().empty() && unit_area != v1::AREA_TYPE_UNSPECIFIED) {
      if (area_in_mask && h.area_type() != unit_area) {
        return InvalidField("household.area_type_override_reason",
                            "required when area_type differs from the area of the commune in force today");
      }
      h.set_area_type(unit_area);
    }
    m.kind = "UPDATED";
    m.detail = absl::StrJoin(changed, ",");
    return absl::OkStatus();
  });
  if (!result.ok()) return result.status();
  *out = *std::move(result);
  return Present(c, {out});
}

absl::Status HouseholdLogic::ListHouseholds(const C& c, const v1::ListHouseholdsRequest& req,
                                            v1::ListHouseholdsResponse* out) {
  Violations v;
  if (!v1::HouseholdClass_IsValid(req.classification())) v.Add("classification", "unknown classification");
  if (!req.head_ethnicity_code().empty() && req.head_ethnicity_code().size() != 2) {
    v.Add("head_ethnicity_code", "must be a 2-digit code");
  }
  if (req.name_query().size() > 100) v.Add("name_query", "at most 100 bytes");
  LNOB_RETURN_IF_ERROR(v.Status());
  // A caller who sees names only as initials must not find people by their full name either,
  // nor learn a head's ethnicity by filtering on it.
  LNOB_RETURN_IF_ERROR(privacy_.CheckFilters(c.principal, req));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", Today()));
  HouseholdFilter f;
  LNOB_ASSIGN_OR_RETURN(auto communes, CommuneFilter(c, req.unit_code(), as_of));
  if (communes) {
    f.restrict_communes = true;
    f.commune_codes = *std::move(communes);
  }
  if (req.classification() != v1::HOUSEHOLD_CLASS_UNSPECIFIED) f.classification = v1::HouseholdClass_Name(req.classification());
  f.head_ethnicity = req.head_ethnicity_code();
  f.head_group = static_cast<int>(req.head_group());
  f.only_no_labor_capacity = req.only_no_labor_capacity();
  f.only_policy_beneficiary = req.only_policy_beneficiary();
  if (!req.name_query().empty()) {
    LNOB_ASSIGN_OR_RETURN(f.name_folded, refs_->FoldName(req.name_query()));
  }
  f.include_members = req.include_members() || !req.name_query().empty();
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Household>(
                                        tokens_, req,
                                        [&](const std::string& after, int limit) {
                                          f.after_id = after;
                                          f.limit = limit;
                                          return store_->List(f);
                                        },
                                        [](const v1::Household& h) { return api::IdOf(h.name()); },
                                        out->mutable_next_page_token(), {.default_size = 50, .max_size = 500}));
  std::vector<google::protobuf::Message*> ptrs;
  for (auto& r : rows) {
    if (!req.include_members()) r.clear_members();
    v1::Household* h = out->add_households();
    *h = std::move(r);
    ptrs.push_back(h);
  }
  return Present(c, ptrs);
}

absl::Status HouseholdLogic::AddMember(const C& c, const v1::AddMemberRequest& req, v1::Household* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(req.parent(), "parent"));
  if (req.member().relation() == v1::HEAD) {
    return InvalidField("member.relation", "a second HEAD is not allowed; change head_member with UpdateHousehold");
  }
  // Validate the new member with the household rules, before the write transaction: a probe
  // household in the unit the household's commune stands for today.
  LNOB_ASSIGN_OR_RETURN(v1::Household current, Visible(c, id));
  LNOB_ASSIGN_OR_RETURN(auto graph, Graph());
  v1::Household probe;
  probe.set_commune_code(graph->UnitOn(current.commune_code(), Today()));
  v1::Member head;
  head.set_full_name("x");
  head.set_sex(v1::MALE);
  head.set_ethnicity_code("01");
  head.set_relation(v1::HEAD);
  *probe.add_members() = head;
  *probe.add_members() = req.member();
  server::Call unscoped = c;
  unscoped.principal.scope.unit_codes.clear();  // scope was checked on the household itself
  if (absl::Status st = PrepareHousehold(unscoped, &probe, ""); !st.ok()) {
    auto fv = GetFieldViolations(st);
    if (!fv.empty()) {
      absl::string_view f = fv[0].field;
      absl::ConsumePrefix(&f, "members[1].");
      return InvalidField(absl::StrCat("member.", f), fv[0].description);
    }
    return st;
  }
  v1::Member added = probe.members(1);
  // Everything else first: a write refused for another reason (here a stale etag) must not
  // tell whether a citizen ID is registered somewhere in the province.
  LNOB_RETURN_IF_ERROR(api::CheckEtagMatches(req.etag(), current.etag()));
  if (!added.citizen_id().empty()) {
    LNOB_ASSIGN_OR_RETURN(auto other, store_->FindByCitizenId(added.citizen_id()));
    if (other) {
      LNOB_RETURN_IF_ERROR(AuditDuplicateOutsideScope(c, *other));
      return WithReason(absl::AlreadyExistsError("member.citizen_id: already an active member of another household"),
                        "CITIZEN_ID_TAKEN");
    }
  }
  auto result = store_->Mutate(id, req.etag(), c.principal.subject, [&](v1::Household& h, HouseholdStore::Mutation& m) -> absl::Status {
    added.set_name(absl::StrCat(h.name(), "/members/", api::IdOf(added.name())));
    *h.add_members() = added;
    m.kind = "MEMBER_ADDED";
    m.detail = api::IdOf(added.name());
    return absl::OkStatus();
  });
  if (!result.ok()) return result.status();
  *out = *std::move(result);
  return Present(c, {out});
}

absl::Status HouseholdLogic::RemoveMember(const C& c, const v1::RemoveMemberRequest& req, v1::Household* out) {
  LNOB_ASSIGN_OR_RETURN(auto ids, ChildIds(req.name(), "members", "name"));
  LNOB_RETURN_IF_ERROR(Visible(c, ids.first).status());
  if (req.reason().empty()) return InvalidField("reason", "is required");
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay left_on, api::FromProtoDateOr(req.left_on(), "left_on", Today()));
  auto result = store_->Mutate(ids.first, req.etag(), c.principal.subject, [&](v1::Household& h, HouseholdStore::Mutation& m) -> absl::Status {
    bool found = false;
    for (auto& mem : *h.mutable_members()) {
      if (api::IdOf(mem.name()) != ids.second || !mem.active()) continue;
      if (mem.name() == h.head_member()) {
        return WithReason(absl::FailedPreconditionError("the head cannot leave; choose another head first"), "HEAD_CANNOT_LEAVE");
      }
      mem.set_active(false);
      found = true;
    }
    if (!found) return api::NotFound(req.name());
    m.kind = "MEMBER_REMOVED";
    m.detail = absl::StrCat(ids.second, ": ", req.reason());
    m.effective_date = left_on;
    return absl::OkStatus();
  });
  if (!result.ok()) return result.status();
  *out = *std::move(result);
  return Present(c, {out});
}

absl::Status HouseholdLogic::MoveHousehold(const C& c, const v1::MoveHouseholdRequest& req, v1::Household* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(req.name(), "name"));
  LNOB_RETURN_IF_ERROR(Visible(c, id).status());
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay eff, api::FromProtoDateOr(req.effective_date(), "effective_date", Today()));
  {
    v1::Household text;
    text.set_village(req.village());
    text.set_address(req.address());
    Violations v;
    CheckTextLimits(text, "", &v);
    LNOB_RETURN_IF_ERROR(v.Status());
  }
  auto unit = refs_->GetUnit(req.commune_code(), eff);
  if (req.commune_code().empty() || !unit.ok() || unit->level() != v1::UNIT_LEVEL_COMMUNE) {
    return InvalidField("commune_code", "must be a commune-level unit in force on effective_date");
  }
  LNOB_ASSIGN_OR_RETURN(bool in_scope, InScope(c.principal, req.commune_code()));
  if (!in_scope) return WithReason(absl::PermissionDeniedError("commune_code: outside the caller's area scope"), "OUT_OF_SCOPE");
  LNOB_ASSIGN_OR_RETURN(const v1::AreaType moved_area, UnitArea(req.commune_code(), eff));
  LNOB_RETURN_IF_ERROR(CheckVillage(req.commune_code(), req.village(), "village"));
  auto result = store_->Mutate(id, req.etag(), c.principal.subject, [&](v1::Household& h, HouseholdStore::Mutation& m) -> absl::Status {
    m.kind = "MOVED";
    m.detail = absl::StrCat(h.commune_code(), " -> ", req.commune_code());
    m.effective_date = eff;
    h.set_commune_code(req.commune_code());
    h.set_village(req.village());
    h.set_address(req.address());
    if (h.area_type_override_reason().empty() && moved_area != v1::AREA_TYPE_UNSPECIFIED) h.set_area_type(moved_area);
    return absl::OkStatus();
  });
  if (!result.ok()) return result.status();
  *out = *std::move(result);
  return Present(c, {out});
}

absl::Status HouseholdLogic::SplitHousehold(const C& c, const v1::SplitHouseholdRequest& req,
                                            v1::SplitHouseholdResponse* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(req.name(), "name"));
  LNOB_ASSIGN_OR_RETURN(v1::Household original, Visible(c, id));
  if (req.member_names().empty()) return InvalidField("member_names", "name at least one member");
  std::vector<std::string> member_ids;
  for (int i = 0; i < req.member_names_size(); ++i) {
    LNOB_ASSIGN_OR_RETURN(auto ids, ChildIds(req.member_names(i), "members", absl::StrCat("member_names[", i, "]")));
    if (ids.first != id) return InvalidField(absl::StrCat("member_names[", i, "]"), "is not a member of this household");
    member_ids.push_back(ids.second);
  }
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay eff, api::FromProtoDateOr(req.effective_date(), "effective_date", Today()));
  v1::Household fresh;
  fresh.set_name("households/" + NewUuidV7(clock_.Now()));
  fresh.set_commune_code(original.commune_code());
  fresh.set_village(req.village().empty() ? original.village() : req.village());
  if (!req.village().empty()) LNOB_RETURN_IF_ERROR(CheckVillage(original.commune_code(), req.village(), "village"));
  fresh.set_address(req.address());
  fresh.set_area_type(original.area_type());
  fresh.set_area_type_override_reason(original.area_type_override_reason());
  *fresh.mutable_registered_on() = api::ToProtoDate(eff);
  fresh.set_status(v1::HOUSEHOLD_ACTIVE);
  LNOB_ASSIGN_OR_RETURN(auto pair, store_->Split(id, req.etag(), member_ids, fresh, eff, c.principal.subject, LastYear()));
  *out->mutable_original() = std::move(pair.first);
  *out->mutable_created() = std::move(pair.second);
  return Present(c, {out->mutable_original(), out->mutable_created()});
}

absl::Status HouseholdLogic::MergeHouseholds(const C& c, const v1::MergeHouseholdsRequest& req, v1::Household* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(req.name(), "name"));
  LNOB_ASSIGN_OR_RETURN(std::string source, HouseholdId(req.source(), "source"));
  if (id == source) return InvalidField("source", "must differ from name");
  LNOB_RETURN_IF_ERROR(Visible(c, id).status());
  LNOB_RETURN_IF_ERROR(Visible(c, source).status());
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay eff, api::FromProtoDateOr(req.effective_date(), "effective_date", Today()));
  LNOB_ASSIGN_OR_RETURN(*out, store_->Merge(id, req.etag(), source, eff, c.principal.subject, LastYear()));
  return Present(c, {out});
}

absl::StatusOr<int64_t> HouseholdLogic::RollForwardYears() { return store_->RollForwardYears(LastYear()); }

absl::Status HouseholdLogic::ListHouseholdEvents(const C& c, const v1::ListHouseholdEventsRequest& req,
                                                 v1::ListHouseholdEventsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(req.name(), "name"));
  LNOB_RETURN_IF_ERROR(Visible(c, id).status());
  LNOB_ASSIGN_OR_RETURN(
      auto events, api::FetchPage<v1::HouseholdEvent>(
                       tokens_, req,
                       [&](const std::string& after, int limit) -> absl::StatusOr<std::vector<v1::HouseholdEvent>> {
                         LNOB_ASSIGN_OR_RETURN(int64_t after_id, api::IdCursor(after));
                         return store_->Events(id, after_id, limit);
                       },
                       [](const v1::HouseholdEvent& e) { return absl::StrCat(e.id()); },
                       out->mutable_next_page_token()));
  for (auto& e : events) *out->add_events() = std::move(e);
  return absl::OkStatus();
}

}  // namespace lnob::registry
