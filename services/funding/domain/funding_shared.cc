#include "services/funding/domain/funding_shared.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"

namespace lnob::funding {
namespace {

// Sources, contents and node placements change rarely (by migration or the catalogue RPCs,
// which clear this process's copy at once); other replicas see a change within this time.
constexpr absl::Duration kCatalogueTtl = absl::Seconds(30);

}  // namespace

absl::Status CheckYear(int year, absl::string_view field) {
  if (year < 2000 || year > 2100) return InvalidField(field, "must be a year 2000-2100");
  return absl::OkStatus();
}

absl::Status NotHeld(const v1::SupportLine& line, absl::string_view field) {
  if (line.held_by().empty()) return absl::OkStatus();
  return WithReason(absl::FailedPreconditionError(absl::StrCat(
                        field, ": ", line.name(), " is held by the inspection finding ",
                        absl::StrJoin(line.held_by(), ", "), " until the hold is lifted")),
                    "HELD");
}


absl::CivilDay FundingShared::Today() const { return lnob::Today(clock.Now()); }

absl::StatusOr<UnitInfo> FundingShared::ResolveUnit(const std::string& code, int year, const std::string& field) {
  if (code.empty()) return InvalidField(field, "required");
  LNOB_ASSIGN_OR_RETURN(auto graph, scope->Graph());
  for (absl::CivilDay d : {absl::CivilDay(year, 1, 1), absl::CivilDay(year, 12, 31)}) {
    if (const scope::UnitVersion* u = graph->Find(code, d)) {
      return UnitInfo{u->code, u->parent_code, u->level == "province" ? 1 : u->level == "district" ? 2 : 3};
    }
  }
  return InvalidField(field, absl::StrCat("no admin unit ", code, " in force in ", year));
}

// Year-bound resources (allocations, plans, support lines) are scoped on 31 December of
// their year; scope::AreaScope carries a scope across the 2025 reform both ways.
absl::StatusOr<bool> FundingShared::InScope(const auth::Principal& p, const std::string& unit, int year) {
  return scope->Covers(p, unit, absl::CivilDay(year, 12, 31));
}

absl::Status FundingShared::RequireScope(const auth::Principal& p, const std::string& unit, int year,
                                        const std::string& field) {
  return scope->CheckFilter(p, unit, absl::CivilDay(year, 12, 31), field);
}

absl::StatusOr<UnitFilter> FundingShared::ScopeFilter(const auth::Principal& p, const std::string& unit, int year,
                                                     const std::string& field) {
  if (unit.empty() && p.scope.whole_province()) return UnitFilter{};
  const absl::CivilDay day(year, 12, 31);
  std::set<std::string> codes;
  if (unit.empty()) {
    LNOB_ASSIGN_OR_RETURN(auto covered, scope->Covered(p, day));
    codes = *std::move(covered);
  } else {
    LNOB_RETURN_IF_ERROR(ResolveUnit(unit, year, field).status());
    LNOB_RETURN_IF_ERROR(RequireScope(p, unit, year, field));
    LNOB_ASSIGN_OR_RETURN(codes, scope->CoveredBy({unit}, day));
  }
  return UnitFilter(std::vector<std::string>(codes.begin(), codes.end()));
}

absl::StatusOr<Catalogue> FundingShared::LoadCatalogue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (catalogue_ && clock.Now() - catalogue_loaded_ < kCatalogueTtl) return *catalogue_;
  }
  Catalogue cat;
  LNOB_ASSIGN_OR_RETURN(auto sources, catalogue->ListSources());
  for (const auto& s : sources) cat.sources.insert(s.code());
  LNOB_ASSIGN_OR_RETURN(cat.contents, catalogue->ListContents());
  std::lock_guard<std::mutex> lock(mu_);
  catalogue_ = std::make_shared<Catalogue>(cat);
  catalogue_loaded_ = clock.Now();
  return cat;
}

void FundingShared::ForgetCatalogue() {
  std::lock_guard<std::mutex> lock(mu_);
  catalogue_.reset();
}

absl::Status FundingShared::CheckNode(Catalogue& cat, const std::string& code, int year, const std::string& field) {
  if (code.empty()) return InvalidField(field, "required");
  auto it = cat.nodes_by_year.find(year);
  if (it == cat.nodes_by_year.end()) {
    std::set<std::string> codes;
    std::string after;
    while (true) {
      LNOB_ASSIGN_OR_RETURN(auto page, catalogue->ListNodes(absl::CivilDay(year, 12, 31), "", after, 1000));
      for (const auto& n : page) codes.insert(n.code());
      if (page.size() < 1000) break;
      after = page.back().code();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (catalogue_) catalogue_->nodes_by_year.emplace(year, codes);
    }
    it = cat.nodes_by_year.emplace(year, std::move(codes)).first;
  }
  if (!it->second.count(code)) {
    return InvalidField(field, absl::StrCat("no programme node ", code, " in the catalogue on 31 Dec ", year));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::SupportLine> FundingShared::VisibleLine(const server::Call& c, const std::string& name,
                                                           const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "supportLines", field));
  auto l = support->GetSupportLine(id);
  if (!l.ok()) return l.status().code() == absl::StatusCode::kNotFound ? api::NotFound(name) : l.status();
  LNOB_ASSIGN_OR_RETURN(bool ok, InScope(c.principal, l->commune_code(), l->year()));
  if (!ok) return api::NotFound(name);
  return *l;
}

}  // namespace lnob::funding
