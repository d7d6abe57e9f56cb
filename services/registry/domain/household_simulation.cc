// Simulations: every household of the population classified under a standard from what its
// latest approved review recorded, with the range of classes the unknowns allow. Reads only.

#include <algorithm>
#include <future>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/status/status.h"
#include "services/registry/domain/household_logic.h"

namespace lnob::registry {
namespace {

constexpr int kSimulationPage = 5000;
constexpr int kSimulationRanges = 2;  // the machine's cores, as the database sees them
const std::string kUnclassified = "UNCLASSIFIED";

// The list a class puts a household on: what support depends on. A move between middle income
// and not poor (or a cap the standard does not give) changes no list.
int List(const std::string& cls) { return cls == "POOR" ? 2 : cls == "NEAR_POOR" ? 1 : 0; }

}  // namespace

absl::StatusOr<StatsQuery> HouseholdLogic::SimulationQuery(const C& c, const SimulationSpec& spec) {
  // The population: the communes under the unit on the geography, within the caller's area,
  // bucketed by the unit's children when asked.
  if (spec.by_child_unit && spec.unit_code.empty()) return InvalidField("unit_code", "is required with by_child_unit");
  LNOB_ASSIGN_OR_RETURN(auto allowed, CommuneFilter(c, spec.unit_code, spec.geography));
  std::vector<std::string> communes;
  if (allowed) {
    communes = *allowed;
  } else {
    LNOB_ASSIGN_OR_RETURN(communes, CommunesUnder(spec.unit_code, spec.geography));
  }
  const std::set<std::string> in(communes.begin(), communes.end());
  StatsQuery q;
  LNOB_ASSIGN_OR_RETURN(q.communes, Buckets(spec.unit_code, spec.geography, spec.by_child_unit,
                                            [&](const std::string& code) { return in.count(code) > 0; }));
  return q;
}

absl::StatusOr<int64_t> HouseholdLogic::SimulationPopulation(const C& c, const SimulationSpec& spec) {
  LNOB_ASSIGN_OR_RETURN(StatsQuery q, SimulationQuery(c, spec));
  LNOB_ASSIGN_OR_RETURN(auto by_bucket, store_->RegisteredHouseholds(q, spec.as_of));
  int64_t n = 0;
  for (const auto& [bucket, households] : by_bucket) n += households;
  return n;
}

absl::Status HouseholdLogic::Simulate(const C& c, const SimulationSpec& spec, SimulationResult* out,
                                      const SimulationProgress& progress) {
  *out = SimulationResult();
  LNOB_ASSIGN_OR_RETURN(StatsQuery q, SimulationQuery(c, spec));
  for (const auto& [commune, bucket] : q.communes) out->communes.push_back(commune);
  std::sort(out->communes.begin(), out->communes.end());
  // Read before the households: every change at or before it is in what follows.
  LNOB_ASSIGN_OR_RETURN(out->cursor, store_->FeedHead());
  // Cells by a key of their fields joined (a tuple of eight strings per household cost more than
  // the classification).
  absl::flat_hash_map<std::string, size_t> at;
  std::vector<SimulationCell> cells;
  std::map<std::string, std::string> area_of;  // commune -> its area on the geography ("" unknown)
  std::string key;
  // The households are read in id ranges side by side, each range's next page while this one is
  // classified: the database's work runs on every core, and ours overlaps it.
  struct Range {
    std::string after, through;
    std::future<absl::StatusOr<std::vector<HouseholdStore::SimulationBasisRow>>> next;
    bool done = false;
  };
  auto fetch = [&](Range& r) {
    r.next = std::async(std::launch::async, [this, &q, &spec, after = r.after, through = r.through] {
      return store_->SimulationBasis(q, spec.as_of, after, through, kSimulationPage);
    });
  };
  LNOB_ASSIGN_OR_RETURN(auto splits, store_->HouseholdIdSplits(kSimulationRanges));
  std::vector<Range> ranges(splits.size() + 1);
  for (size_t i = 0; i < ranges.size(); ++i) {
    ranges[i].after = i == 0 ? "" : splits[i - 1];
    ranges[i].through = i < splits.size() ? splits[i] : "";
    fetch(ranges[i]);
  }
  size_t open = ranges.size();
  for (size_t turn = 0; open > 0; ++turn) {
    Range& range = ranges[turn % ranges.size()];
    if (range.done) continue;
    LNOB_ASSIGN_OR_RETURN(auto rows, range.next.get());
    if (static_cast<int>(rows.size()) < kSimulationPage) {
      range.done = true;
      --open;
    } else {
      range.after = rows.back().id;
      fetch(range);
    }
    for (const auto& row : rows) {
      ReviewFacts f;
      // The household's area on the geography: its own override, else its unit's.
      std::string area = row.area_type;
      if (row.area_override_reason.empty()) {
        auto it = area_of.find(row.commune_code);
        if (it == area_of.end()) {
          LNOB_ASSIGN_OR_RETURN(v1::AreaType a, UnitArea(row.commune_code, spec.geography));
          it = area_of.emplace(row.commune_code, a == v1::AREA_TYPE_UNSPECIFIED ? ""
                                                 : a == v1::AREA_TYPE_URBAN   ? "URBAN"
                                                                              : "RURAL").first;
        }
        if (!it->second.empty()) area = it->second;
      }
      f.area = area == "URBAN" ? AreaType::kUrban : AreaType::kRural;
      if (row.reviewed) {
        ReadAssessmentsJson(row.indicators_json, &f);
        // A baseline list carries no assessment: neither its income nor its indicators are known.
        if (row.proxy_score) {
          f.proxy_score = row.proxy_score;
        } else if (!f.assessed.empty()) {
          f.income_per_capita_vnd = row.income;
        }
      }
      const ClassRange r = ClassifyRange(f, spec.standard);
      const std::string& from = row.current_class.empty() ? kUnclassified : row.current_class;
      const char* best = HouseholdClassName(r.best);
      const char* worst = HouseholdClassName(r.worst);
      key.clear();
      absl::StrAppend(&key, row.bucket, "|", row.commune_code, "|", row.ethnic_group, "|", area, "|", row.head_sex,
                      "|", from, "|", best, "|", worst);
      auto [it, inserted] = at.try_emplace(key, cells.size());
      if (inserted) {
        cells.push_back({.unit = row.bucket, .commune = row.commune_code, .ethnic_group = row.ethnic_group,
                         .area = area, .head_sex = row.head_sex, .from = from, .best = best, .worst = worst});
      }
      ++cells[it->second].households;
      ++out->households;
      if (r.exact()) ++out->exact;
      for (const auto& u : r.unknown) ++out->unknown[u];
      // Listed: a household on a list now, or off one, that the standard may move. One never
      // classified has no list to change (it counts in the matrix as UNCLASSIFIED).
      if (row.current_class.empty()) continue;
      if (List(from) != List(best) || List(from) != List(worst)) {
        out->changing.push_back({.id = row.id, .commune_code = row.commune_code, .unit_code = row.bucket,
                                 .area_type = area, .from = from, .best = best, .worst = worst,
                                 .unknown = r.unknown});
      }
    }
    if (progress) {
      absl::Status st = progress(out->households);
      if (!st.ok()) {
        for (auto& r : ranges) {
          if (!r.done) (void)r.next.get();  // reads in flight end before their captures go
        }
        return st;
      }
    }
  }
  std::sort(cells.begin(), cells.end(), [](const SimulationCell& a, const SimulationCell& b) { return a.Key() < b.Key(); });
  out->cells = std::move(cells);
  return absl::OkStatus();
}

}  // namespace lnob::registry
