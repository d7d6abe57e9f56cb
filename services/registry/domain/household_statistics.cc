// HouseholdLogic: facts for other services, transitions, statistics and movement targets (the class is declared in household_logic.h).

#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/period.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/uuid.h"
#include "services/registry/domain/household_internal.h"
#include "services/registry/domain/household_logic.h"

namespace lnob::registry {

absl::Status HouseholdLogic::BatchGetHouseholdFacts(const C& c, const v1::BatchGetHouseholdFactsRequest& req,
                                                    v1::BatchGetHouseholdFactsResponse* out) {
  constexpr int kMaxQueries = 1000;
  if (req.queries_size() > kMaxQueries) return InvalidField("queries", "at most 1000 per call");
  std::vector<std::string> ids, dates;
  ids.reserve(req.queries_size());
  dates.reserve(req.queries_size());
  for (int i = 0; i < req.queries_size(); ++i) {
    const auto& q = req.queries(i);
    const std::string prefix = absl::StrCat("queries[", i, "].");
    LNOB_ASSIGN_OR_RETURN(std::string id, HouseholdId(q.household(), prefix + "household"));
    LNOB_ASSIGN_OR_RETURN(absl::CivilDay d, api::FromProtoDateOr(q.date(), prefix + "date", Today()));
    ids.push_back(std::move(id));
    dates.push_back(FormatDate(d));
  }
  LNOB_ASSIGN_OR_RETURN(auto scope, ScopeCommunes(c.principal));
  // Read before the facts: every change at or before it is in them.
  LNOB_ASSIGN_OR_RETURN(int64_t cursor, store_->FeedHead());
  out->set_cursor(cursor);
  LNOB_ASSIGN_OR_RETURN(auto facts, store_->Facts(ids, dates));
  for (size_t i = 0; i < facts.size(); ++i) {
    v1::HouseholdFact* f = out->add_facts();
    f->set_household(req.queries(static_cast<int>(i)).household());
    // Outside the caller's scope reads exactly like a missing household.
    if (!facts[i] || (scope && !scope->count(facts[i]->commune_code))) continue;
    f->set_found(true);
    f->set_commune_code(facts[i]->commune_code);
    f->set_head_ethnicity_code(facts[i]->head_ethnicity);
    f->set_ethnic_minority(facts[i]->ethnic_minority);
    f->set_escaped(facts[i]->escaped);
    for (const auto& region : facts[i]->region_classes) {
      v1::RegionClass rc = v1::REGION_CLASS_UNSPECIFIED;
      if (v1::RegionClass_Parse(region, &rc)) f->add_region_classes(rc);
    }
    v1::HouseholdClass cls = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
    v1::HouseholdClass_Parse(facts[i]->classification, &cls);
    f->set_classification(cls);
    v1::TransitionCategory tr = v1::TRANSITION_CATEGORY_UNSPECIFIED;
    v1::TransitionCategory_Parse(facts[i]->transition, &tr);
    f->set_transition(tr);
    v1::HouseholdStatus st = v1::HOUSEHOLD_STATUS_UNSPECIFIED;
    v1::HouseholdStatus_Parse(facts[i]->status, &st);
    f->set_status(st);
  }
  return Present(c, {out});
}

namespace {

// A sub-year period's flows, from the groups of households by class on its eve and last day.
google::protobuf::RepeatedPtrField<v1::TransitionCount> PeriodTransitions(
    const std::vector<HouseholdStore::PeriodGroup>& groups) {
  std::map<std::string, std::pair<int64_t, int64_t>> flows;  // category -> (households, EM)
  for (const auto& g : groups) {
    const std::string category = TransitionCategoryFor(g.class_start, g.class_end, g.ever_poor_before);
    if (category.empty()) continue;
    flows[category].first += g.households;
    if (g.ethnic_minority) flows[category].second += g.households;
  }
  google::protobuf::RepeatedPtrField<v1::TransitionCount> out;
  for (const auto& [category, n] : flows) {
    auto* t = out.Add();
    v1::TransitionCategory cat = v1::TRANSITION_CATEGORY_UNSPECIFIED;
    v1::TransitionCategory_Parse(category, &cat);
    t->set_category(cat);
    t->set_households(n.first);
    t->set_ethnic_minority_households(n.second);
  }
  return out;
}

}  // namespace

absl::Status HouseholdLogic::ListTransitions(const C& c, const v1::ListTransitionsRequest& req,
                                             v1::ListTransitionsResponse* out) {
  common::v1::Period period = req.period();
  if (period.type() == common::v1::Period::TYPE_UNSPECIFIED) {
    if (req.year() < 2000 || req.year() > 2100) return InvalidField("year", "must be a year 2000-2100 (or give period)");
    period.set_type(common::v1::Period::YEAR);
    period.set_year(req.year());
  }
  LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(period, "period"));
  if (!v1::TransitionCategory_IsValid(req.category())) return InvalidField("category", "unknown category");
  if (!req.group().empty() && req.category() != v1::TRANSITION_CATEGORY_UNSPECIFIED) {
    return InvalidField("group", "give a category or a group, not both");
  }
  std::vector<std::string> categories;
  if (req.category() != v1::TRANSITION_CATEGORY_UNSPECIFIED) {
    categories.push_back(v1::TransitionCategory_Name(req.category()));
  } else if (!req.group().empty()) {
    auto group = store_->TransitionGroup(req.group());
    if (!group.ok()) {
      return group.status().code() == absl::StatusCode::kNotFound
                 ? InvalidField("group", "unknown transition group (table transition_groups)")
                 : group.status();
    }
    categories = *std::move(group);
  }
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay geo, api::FromProtoDateOr(req.as_of(), "as_of", days.last));
  LNOB_ASSIGN_OR_RETURN(auto communes, CommuneFilter(c, req.unit_code(), geo));
  if (days.whole_year) {
    LNOB_ASSIGN_OR_RETURN(auto counts, store_->TransitionCounts(period.year(), communes));
    for (auto& tc : counts) *out->add_counts() = std::move(tc);
    if (!categories.empty()) {
      LNOB_ASSIGN_OR_RETURN(auto ids, api::FetchPage<std::string>(
                                          tokens_, req,
                                          [&](const std::string& after, int limit) {
                                            return store_->TransitionHouseholds(period.year(), communes, categories,
                                                                                after, limit);
                                          },
                                          [](const std::string& id) { return id; }, out->mutable_next_page_token()));
      for (const auto& id : ids) out->add_households("households/" + id);
    }
    return absl::OkStatus();
  }
  // A month, quarter or half: counts through the statistics' period path, households by
  // walking the history in id order (a report, not a dashboard: about a second per 200,000).
  StatsQuery q;
  q.year = period.year();
  if (communes) {
    for (const auto& code : *communes) q.communes.push_back({code, ""});
  } else {
    LNOB_ASSIGN_OR_RETURN(auto all, CommunesUnder("", geo));
    for (const auto& code : all) q.communes.push_back({code, ""});
  }
  LNOB_ASSIGN_OR_RETURN(auto groups, store_->PeriodStatistics(q, days.first, days.last));
  *out->mutable_counts() = PeriodTransitions(groups);
  if (categories.empty()) return absl::OkStatus();
  const std::set<std::string> wanted(categories.begin(), categories.end());
  LNOB_ASSIGN_OR_RETURN(auto ids, api::FetchPage<std::string>(
                                      tokens_, req,
                                      [&](const std::string& after, int limit) -> absl::StatusOr<std::vector<std::string>> {
                                        std::vector<std::string> found;
                                        std::string from = after;
                                        while (static_cast<int>(found.size()) < limit) {
                                          LNOB_ASSIGN_OR_RETURN(auto rows, store_->PeriodHouseholds(
                                                                               communes, days.first, days.last, from, 2000));
                                          for (const auto& r : rows) {
                                            if (r.class_end.empty()) continue;
                                            if (wanted.count(TransitionCategoryFor(r.class_start, r.class_end,
                                                                                   r.ever_poor_before))) {
                                              found.push_back(r.id);
                                              if (static_cast<int>(found.size()) == limit) break;
                                            }
                                          }
                                          if (rows.size() < 2000 || static_cast<int>(found.size()) == limit) break;
                                          from = rows.back().id;
                                        }
                                        return found;
                                      },
                                      [](const std::string& id) { return id; }, out->mutable_next_page_token()));
  for (const auto& id : ids) out->add_households("households/" + id);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> HouseholdLogic::Buckets(
    const std::string& unit, absl::CivilDay geo, bool by_child_unit,
    const std::function<bool(const std::string&)>& allowed) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> placed;
  auto add = [&](const std::vector<std::string>& communes, const std::string& bucket) {
    for (const auto& code : communes) {
      if (allowed(code) && placed.insert(code).second) out.push_back({code, bucket});
    }
  };
  if (by_child_unit) {
    UnitQuery uq;
    uq.as_of = geo;
    uq.parent_code = unit;
    uq.limit = 1000;
    LNOB_ASSIGN_OR_RETURN(auto children, refs_->ListUnits(uq));
    for (const auto& child : children) {
      LNOB_ASSIGN_OR_RETURN(auto communes, CommunesUnder(child.code(), geo));
      add(communes, child.code());
    }
  } else {
    LNOB_ASSIGN_OR_RETURN(auto communes, CommunesUnder(unit, geo));
    add(communes, "");
  }
  return out;
}

absl::Status HouseholdLogic::GetStatistics(const C& c, const v1::GetStatisticsRequest& req, v1::Statistics* out) {
  common::v1::Period period = req.period();
  if (period.type() == common::v1::Period::TYPE_UNSPECIFIED) {
    if (req.year() < 2000 || req.year() > 2100) return InvalidField("year", "must be a year 2000-2100 (or give period)");
    period.set_type(common::v1::Period::YEAR);
    period.set_year(req.year());
  }
  LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(period, "period"));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay geo, api::FromProtoDateOr(req.as_of(), "as_of", days.last));
  if (req.by_child_unit() && req.unit_code().empty()) return InvalidField("unit_code", "is required with by_child_unit");
  std::map<std::string, std::string> village_names;  // by_village: id -> name on the last day
  if (req.by_village()) {
    if (req.by_child_unit()) return InvalidField("by_village", "give by_child_unit or by_village, not both");
    auto unit = refs_->GetUnit(req.unit_code(), geo);
    if (req.unit_code().empty() || !unit.ok() || unit->level() != v1::UNIT_LEVEL_COMMUNE) {
      return InvalidField("unit_code", "must be a commune in force on as_of with by_village");
    }
    VillageQuery vq;
    vq.communes = std::vector<std::string>{req.unit_code()};
    vq.as_of = days.last;
    vq.limit = 1000;
    LNOB_ASSIGN_OR_RETURN(auto villages, refs_->ListVillages(vq));
    for (const auto& v : villages) village_names[api::IdOf(v.name())] = v.display_name();
  }
  LNOB_ASSIGN_OR_RETURN(auto scope, ScopeCommunes(c.principal));
  StatsQuery q;
  q.year = period.year();
  q.by_ethnic_group = req.by_ethnic_group();
  q.by_village = req.by_village();
  LNOB_ASSIGN_OR_RETURN(q.communes, Buckets(req.unit_code(), geo, req.by_child_unit(), [&](const std::string& code) {
                          return !scope || scope->count(code) > 0;
                        }));
  out->set_year(period.year());
  *out->mutable_period() = period;
  // Read before the figures: every change at or before it is in them.
  LNOB_ASSIGN_OR_RETURN(int64_t cursor, store_->FeedHead());
  out->set_cursor(cursor);
  std::map<std::string, std::pair<int64_t, int64_t>> poor_near;  // bucket -> (poor, near-poor)
  if (days.whole_year && !q.by_village) {
    // Years are kept as snapshots maintained by trigger: the fast path.
    LNOB_ASSIGN_OR_RETURN(auto rows, store_->Statistics(q));
    for (auto& r : rows) *out->add_rows() = std::move(r);
    std::vector<std::string> all;
    for (const auto& [code, bucket] : q.communes) all.push_back(code);
    LNOB_ASSIGN_OR_RETURN(auto transitions, store_->TransitionCounts(period.year(), all));
    for (auto& t : transitions) *out->add_transitions() = std::move(t);
  } else {
    LNOB_ASSIGN_OR_RETURN(auto groups, store_->PeriodStatistics(q, days.first, days.last));
    std::map<std::tuple<std::string, std::string, std::string>, std::pair<int64_t, int64_t>> rows;
    for (const auto& g : groups) {
      auto& row = rows[{g.bucket, g.group, g.class_end}];
      row.first += g.households;
      row.second += g.people;
    }
    for (const auto& [key, n] : rows) {
      auto* r = out->add_rows();
      r->set_unit_code(std::get<0>(key));
      r->set_ethnic_group(std::get<1>(key));
      v1::HouseholdClass cls = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
      v1::HouseholdClass_Parse(std::get<2>(key), &cls);
      r->set_classification(cls);
      r->set_households(n.first);
      r->set_people(n.second);
    }
    if (days.whole_year) {  // by village: the year's flows as the yearly snapshot has them, for the commune
      std::vector<std::string> all;
      for (const auto& [code, bucket] : q.communes) all.push_back(code);
      LNOB_ASSIGN_OR_RETURN(auto transitions, store_->TransitionCounts(period.year(), all));
      for (auto& t : transitions) *out->add_transitions() = std::move(t);
    } else {
      *out->mutable_transitions() = PeriodTransitions(groups);
    }
  }
  for (const auto& r : out->rows()) {
    if (r.classification() == v1::POOR) poor_near[r.unit_code()].first += r.households();
    if (r.classification() == v1::NEAR_POOR) poor_near[r.unit_code()].second += r.households();
  }
  LNOB_ASSIGN_OR_RETURN(auto registered, store_->RegisteredHouseholds(q, days.last));
  LNOB_ASSIGN_OR_RETURN(auto without_labor, store_->PoorWithoutLaborCapacity(q, days.last));
  std::set<std::string> buckets;
  if (q.by_village) {
    for (const auto& [bucket, n] : registered) buckets.insert(bucket);
    for (const auto& [bucket, n] : poor_near) buckets.insert(bucket);
  } else {
    for (const auto& [code, bucket] : q.communes) buckets.insert(bucket);
  }
  // By village the buckets are village ids: say so in the village fields, the unit is the commune.
  auto place = [&](const std::string& bucket, auto* m) {
    if (!q.by_village) {
      m->set_unit_code(bucket);
      return;
    }
    m->set_unit_code(req.unit_code());
    if (bucket.empty()) return;
    m->set_village("villages/" + bucket);
    m->set_village_name(village_names[bucket]);
  };
  if (q.by_village) {
    for (auto& r : *out->mutable_rows()) place(std::string(r.unit_code()), &r);
  }
  out->set_denominator("REGISTERED_HOUSEHOLDS");
  for (const auto& bucket : buckets) {
    auto* t = out->add_totals();
    place(bucket, t);
    t->set_households_registered(registered[bucket]);
    t->set_poor(poor_near[bucket].first);
    t->set_near_poor(poor_near[bucket].second);
    t->set_poor_without_labor_capacity(without_labor[bucket]);
    if (t->households_registered() > 0) {
      t->set_poverty_rate_percent(100.0 * static_cast<double>(t->poor()) / static_cast<double>(t->households_registered()));
      t->set_near_poverty_rate_percent(100.0 * static_cast<double>(t->near_poor()) /
                                       static_cast<double>(t->households_registered()));
    }
  }
  return absl::OkStatus();
}

absl::Status HouseholdLogic::CreateTarget(const C& c, const v1::CreateTargetRequest& req, v1::MovementTarget* out) {
  const auto& t = req.target();
  Violations v;
  if (t.id().size() < 3 || t.id().size() > 64 ||
      !std::all_of(t.id().begin(), t.id().end(), [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'; })) {
    v.Add("target.id", "3-64 characters A-Z, 0-9 or _");
  }
  if (t.kind() == v1::MovementTarget::KIND_UNSPECIFIED || !v1::MovementTarget::Kind_IsValid(t.kind())) v.Add("target.kind", "is required");
  if (t.year_from() < 2000 || t.year_to() < t.year_from() || t.year_to() > 2100) v.Add("target.year_to", "years must satisfy 2000 <= year_from <= year_to <= 2100");
  if (t.kind() == v1::MovementTarget::EM_POOR_ESCAPES_PER_YEAR && t.threshold() <= 0) v.Add("target.threshold", "must be positive");
  if (t.kind() == v1::MovementTarget::AREA_LEAVES_DIFFICULT_STATUS && t.unit_codes().empty() && t.villages().empty()) {
    v.Add("target.unit_codes", "name the communes (or villages)");
  }
  if (t.kind() != v1::MovementTarget::AREA_LEAVES_DIFFICULT_STATUS && !t.villages().empty()) {
    v.Add("target.villages", "only an AREA_LEAVES_DIFFICULT_STATUS target names villages");
  }
  for (int i = 0; i < t.villages_size(); ++i) {
    const std::string field = absl::StrCat("target.villages[", i, "]");
    auto id = api::ParseUuidId(t.villages(i), "villages", field);
    if (!id.ok()) {
      v.Add(field, "must be villages/{uuid}");
      continue;
    }
    auto village = refs_->GetVillage(*id);
    if (!village.ok()) {
      if (village.status().code() != absl::StatusCode::kNotFound) return village.status();
      v.Add(field, "no such village (ListVillages)");
    }
  }
  for (int i = 0; i < t.difficult_regions_size(); ++i) {
    const int r = t.difficult_regions(i);
    if (r == v1::REGION_CLASS_UNSPECIFIED || !v1::RegionClass_IsValid(r)) {
      v.Add(absl::StrCat("target.difficult_regions[", i, "]"), "unknown region class");
    }
  }
  if (t.legal_doc().empty()) v.Add("target.legal_doc", "is required");
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) v.Add("request_id", "must be a UUID");
  LNOB_RETURN_IF_ERROR(v.Status());
  const IdempotencyKey key = api::IdempotencyKeyFor(req, "CreateTarget", c.principal.subject);
  v1::MovementTarget stored = t;
  if (stored.kind() == v1::MovementTarget::AREA_LEAVES_DIFFICULT_STATUS && stored.difficult_regions().empty()) {
    for (auto r : {v1::REGION_II, v1::REGION_III, v1::ESPECIALLY_DIFFICULT_VILLAGE}) stored.add_difficult_regions(r);
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateTarget(stored, c.principal.subject, key));
  return absl::OkStatus();
}

absl::Status HouseholdLogic::ListTargets(const C&, const v1::ListTargetsRequest& req, v1::ListTargetsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto targets, store_->ListTargets());
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(targets), out->mutable_next_page_token()));
  for (auto& t : page) *out->add_targets() = std::move(t);
  return absl::OkStatus();
}

absl::Status HouseholdLogic::GetTargetProgress(const C& c, const v1::GetTargetProgressRequest& req,
                                               v1::TargetProgress* out) {
  absl::string_view id = req.name();
  if (!absl::ConsumePrefix(&id, "targets/")) return InvalidField("name", "must be targets/{id}");
  LNOB_ASSIGN_OR_RETURN(auto targets, store_->ListTargets());
  const v1::MovementTarget* target = nullptr;
  for (const auto& t : targets) {
    if (t.id() == id) target = &t;
  }
  if (target == nullptr) return api::NotFound(req.name());
  *out->mutable_target() = *target;
  int from = target->year_from(), to = std::min(target->year_to(), LastYear());
  std::optional<api::DayRange> part;  // a sub-year period
  if (req.period().type() != common::v1::Period::TYPE_UNSPECIFIED) {
    if (req.year() != 0) return InvalidField("period", "give year or period, not both");
    LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(req.period(), "period"));
    from = to = req.period().year();
    if (!days.whole_year) part = days;
    *out->mutable_period() = req.period();
  } else if (req.year() != 0) {
    from = to = req.year();
  }
  if (from < target->year_from() || to > target->year_to()) {
    return InvalidField(part || req.year() == 0 ? "period" : "year", "outside the target's years");
  }
  for (int y = from; y <= to; ++y) {
    auto* row = out->add_years();
    row->set_year(y);
    if (target->kind() == v1::MovementTarget::EM_POOR_ESCAPES_PER_YEAR) {
      int64_t n = 0;
      if (part) {  // the period's flows, through the statistics' period path, province-wide
        StatsQuery q;
        q.year = y;
        LNOB_ASSIGN_OR_RETURN(auto communes, CommunesUnder("", part->last));
        for (const auto& code : communes) q.communes.push_back({code, ""});
        LNOB_ASSIGN_OR_RETURN(auto groups, store_->PeriodStatistics(q, part->first, part->last));
        LNOB_ASSIGN_OR_RETURN(auto escaped, store_->TransitionGroup("ESCAPED"));
        const std::set<std::string> escaped_set(escaped.begin(), escaped.end());
        for (const auto& t : PeriodTransitions(groups)) {
          if (escaped_set.count(v1::TransitionCategory_Name(t.category()))) n += t.ethnic_minority_households();
        }
      } else {
        LNOB_ASSIGN_OR_RETURN(n, store_->EmEscapes(y));
      }
      row->set_achieved(n);
      row->set_threshold(target->threshold());
    } else {
      const std::set<int> difficult_regions(target->difficult_regions().begin(), target->difficult_regions().end());
      LNOB_ASSIGN_OR_RETURN(auto graph, Graph());
      const absl::CivilDay year_end = part ? part->last : absl::CivilDay(y, 12, 31);
      int64_t left = 0;
      std::vector<std::string> still, merged;
      for (const auto& unit : target->unit_codes()) {
        // A unit merged away has no classification left, but it did not leave the status.
        if (graph->Known(unit) && graph->Find(unit, year_end) == nullptr) {
          merged.push_back(unit);
          continue;
        }
        AreaClassificationQuery q;
        q.as_of = year_end;
        q.unit_code = unit;
        q.limit = 100;
        LNOB_ASSIGN_OR_RETURN(auto rows, refs_->ListAreaClassifications(q));
        bool difficult = false;
        for (const auto& r : rows) difficult |= difficult_regions.count(r.region()) > 0;
        if (difficult) still.push_back(unit);
        else ++left;
      }
      // The target's villages, on the same terms (renames followed; merged away not achieved).
      std::vector<std::string> village_ids, regions;
      for (const auto& v : target->villages()) village_ids.push_back(api::IdOf(v));
      for (int r : target->difficult_regions()) regions.push_back(v1::RegionClass_Name(static_cast<v1::RegionClass>(r)));
      std::map<std::string, std::string> village_status;
      if (!village_ids.empty()) {
        LNOB_ASSIGN_OR_RETURN(village_status, store_->VillageTargetStatus(village_ids, year_end, regions));
      }
      std::vector<std::string> villages_still, villages_merged;
      for (const auto& id : village_ids) {
        const std::string& st = village_status[id];
        if (st == "LEFT") ++left;
        else if (st == "MERGED") villages_merged.push_back("villages/" + id);
        else villages_still.push_back("villages/" + id);
      }
      row->set_achieved(left);
      row->set_threshold(target->unit_codes_size() + target->villages_size());
      if (y == to) {
        for (auto& u : still) out->add_units_still_difficult(u);
        for (auto& u : merged) out->add_units_merged_away(u);
        for (auto& u : villages_still) out->add_villages_still_difficult(u);
        for (auto& u : villages_merged) out->add_villages_merged_away(u);
      }
    }
    row->set_met(row->achieved() >= row->threshold());
  }
  return absl::OkStatus();
}

}  // namespace lnob::registry
