#include "common/scope/area_scope.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"

namespace lnob::scope {

AreaScope::AreaScope(UnitDirectory* directory, const Clock& clock, absl::Duration refresh)
    : directory_(directory), clock_(clock), refresh_(refresh) {}

absl::StatusOr<std::shared_ptr<const UnitGraph>> AreaScope::Graph() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (graph_ && clock_.Now() - loaded_ < refresh_) return graph_;
  }
  auto tables = directory_->Load();
  if (!tables.ok()) {
    // Units change by legal act, rarely: a failed refresh keeps the graph already loaded.
    std::lock_guard<std::mutex> l(mu_);
    if (graph_) return graph_;
    return tables.status();
  }
  auto graph = std::make_shared<const UnitGraph>(*std::move(tables));
  std::lock_guard<std::mutex> l(mu_);
  graph_ = graph;
  loaded_ = clock_.Now();
  covered_.clear();
  return graph;
}

absl::StatusOr<std::set<std::string>> AreaScope::CoveredBy(const std::vector<std::string>& units,
                                                          absl::CivilDay date) {
  std::vector<std::string> key_units = units;
  std::sort(key_units.begin(), key_units.end());
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), absl::UTCTimeZone());
  const auto key = std::make_pair(absl::StrCat(absl::StrJoin(key_units, ","), "@", absl::FormatCivilTime(today)), date);
  auto graph = Graph();
  if (!graph.ok()) return graph.status();
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = covered_.find(key);
    if (it != covered_.end() && graph_ == *graph) return *it->second;
  }
  const UnitGraph& g = **graph;
  std::set<std::string> out;
  for (const auto& s : units) {
    // The code as the resource's date reads it, and as today reads it (the token was issued
    // in today's geography; codes reused by the reform mean different units on each side).
    for (absl::CivilDay when : {date, today}) {
      const std::optional<absl::CivilDay> day = g.ReferenceDay(s, when);
      if (!day) continue;  // unknown to the directory: covers nothing
      for (auto& code : g.UnitsUnder(s, *day)) out.insert(std::move(code));
    }
  }
  std::vector<std::string> communes;
  for (const auto& code : out) {
    if (g.IsCommune(code)) communes.push_back(code);
  }
  for (const auto& c : communes) {
    for (auto& next : g.Successors(c)) {
      if (g.IsCommune(next)) out.insert(std::move(next));
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  if (covered_.size() > 256) covered_.clear();
  if (graph_ == *graph) covered_[key] = std::make_shared<const std::set<std::string>>(out);
  return out;
}

absl::StatusOr<std::optional<std::set<std::string>>> AreaScope::Covered(const auth::Principal& p,
                                                                        absl::CivilDay date) {
  if (p.scope.whole_province()) return std::optional<std::set<std::string>>();
  auto covered = CoveredBy(p.scope.unit_codes, date);
  if (!covered.ok()) return covered.status();
  return std::optional<std::set<std::string>>(*std::move(covered));
}

absl::StatusOr<std::optional<std::set<std::string>>> AreaScope::CoveredCommunes(const auth::Principal& p,
                                                                                absl::CivilDay date) {
  auto covered = Covered(p, date);
  if (!covered.ok() || !covered->has_value()) return covered;
  auto graph = Graph();
  if (!graph.ok()) return graph.status();
  std::set<std::string> communes;
  for (const auto& code : **covered) {
    if ((*graph)->IsCommune(code)) communes.insert(code);
  }
  return std::optional<std::set<std::string>>(std::move(communes));
}

absl::StatusOr<bool> AreaScope::Covers(const auth::Principal& p, const std::string& unit, absl::CivilDay date) {
  auto covered = Covered(p, date);
  if (!covered.ok()) return covered.status();
  return !covered->has_value() || (*covered)->count(unit) > 0;
}

absl::Status AreaScope::CheckResource(const auth::Principal& p, const std::string& unit, absl::CivilDay date,
                                      absl::string_view resource_name) {
  auto ok = Covers(p, unit, date);
  if (!ok.ok()) return ok.status();
  return *ok ? absl::OkStatus() : api::NotFound(resource_name);
}

absl::Status AreaScope::CheckFilter(const auth::Principal& p, const std::string& unit, absl::CivilDay date,
                                    absl::string_view field) {
  auto ok = Covers(p, unit, date);
  if (!ok.ok()) return ok.status();
  if (*ok) return absl::OkStatus();
  return FilterOutOfScope(field, unit);
}

absl::Status AreaScope::FilterOutOfScope(absl::string_view field, const std::string& unit) {
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat(field, " ", unit, " is outside the caller's area scope")),
      "OUT_OF_SCOPE");
}

}  // namespace lnob::scope
