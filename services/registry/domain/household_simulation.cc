// Simulations: every household of the population classified under a standard from what its
// latest approved review recorded, with the range of classes the unknowns allow. Reads only.

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/status/status.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/registry/domain/household_logic.h"

namespace lnob::registry {
namespace {

constexpr int kSimulationPage = 5000;

// The assessments of a review as stored: [{"code": "D01", "deprived": true, ...}].
void ReadAssessments(const std::string& json, ReviewFacts* f) {
  google::protobuf::Value v;
  if (!google::protobuf::util::JsonStringToMessage(json, &v).ok() ||
      v.kind_case() != google::protobuf::Value::kListValue) {
    return;
  }
  for (const auto& item : v.list_value().values()) {
    if (item.kind_case() != google::protobuf::Value::kStructValue) continue;
    const auto& fields = item.struct_value().fields();
    auto code = fields.find("code");
    if (code == fields.end()) continue;
    f->assessed.insert(code->second.string_value());
    auto deprived = fields.find("deprived");
    if (deprived != fields.end() && deprived->second.bool_value()) f->deprived.insert(code->second.string_value());
  }
}

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
  std::map<decltype(std::declval<SimulationCell>().Key()), size_t> at;
  std::vector<SimulationCell> cells;
  std::string after;
  while (true) {
    LNOB_ASSIGN_OR_RETURN(auto rows, store_->SimulationBasis(q, spec.as_of, after, kSimulationPage));
    for (const auto& row : rows) {
      ReviewFacts f;
      // The household's area on the geography: its own override, else its unit's.
      std::string area = row.area_type;
      if (row.area_override_reason.empty()) {
        LNOB_ASSIGN_OR_RETURN(v1::AreaType a, UnitArea(row.commune_code, spec.geography));
        if (a != v1::AREA_TYPE_UNSPECIFIED) area = a == v1::AREA_TYPE_URBAN ? "URBAN" : "RURAL";
      }
      f.area = area == "URBAN" ? AreaType::kUrban : AreaType::kRural;
      if (row.reviewed) {
        ReadAssessments(row.indicators_json, &f);
        // A baseline list carries no assessment: neither its income nor its indicators are known.
        if (row.proxy_score) {
          f.proxy_score = row.proxy_score;
        } else if (!f.assessed.empty()) {
          f.income_per_capita_vnd = row.income;
        }
      }
      const ClassRange r = ClassifyRange(f, spec.standard);
      SimulationCell cell;
      cell.unit = row.bucket;
      cell.commune = row.commune_code;
      cell.ethnic_group = row.ethnic_group;
      cell.area = area;
      cell.head_sex = row.head_sex;
      cell.from = row.current_class.empty() ? "UNCLASSIFIED" : row.current_class;
      cell.best = HouseholdClassName(r.best);
      cell.worst = HouseholdClassName(r.worst);
      auto [it, inserted] = at.try_emplace(cell.Key(), cells.size());
      if (inserted) cells.push_back(cell);
      ++cells[it->second].households;
      ++out->households;
      if (r.exact()) ++out->exact;
      for (const auto& u : r.unknown) ++out->unknown[u];
      if (List(cell.from) != List(cell.best) || List(cell.from) != List(cell.worst)) {
        out->changing.push_back({.id = row.id, .commune_code = row.commune_code, .unit_code = row.bucket,
                                 .area_type = area, .from = cell.from, .best = cell.best, .worst = cell.worst,
                                 .unknown = r.unknown});
      }
    }
    if (progress) LNOB_RETURN_IF_ERROR(progress(out->households));
    if (static_cast<int>(rows.size()) < kSimulationPage) break;
    after = rows.back().id;
  }
  for (const auto& [key, i] : at) out->cells.push_back(cells[i]);
  return absl::OkStatus();
}

}  // namespace lnob::registry
