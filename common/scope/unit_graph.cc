#include "common/scope/unit_graph.h"

#include <algorithm>
#include <set>

namespace lnob::scope {

UnitGraph::UnitGraph(UnitTables tables) {
  for (auto& u : tables.units) versions_[u.code].push_back(std::move(u));
  for (auto& e : tables.lineage) {
    if (!e.new_code.empty() && e.new_code != e.old_code) successors_[e.old_code].push_back(std::move(e));
  }
  for (auto& [code, events] : successors_) {
    std::sort(events.begin(), events.end(), [](const Succession& a, const Succession& b) {
      return a.effective_date != b.effective_date ? a.effective_date < b.effective_date : a.new_code < b.new_code;
    });
  }
}

const UnitVersion* UnitGraph::Find(const std::string& code, absl::CivilDay date) const {
  auto it = versions_.find(code);
  if (it == versions_.end()) return nullptr;
  for (const auto& v : it->second) {
    if ((!v.valid_from || *v.valid_from <= date) && (!v.valid_to || date <= *v.valid_to)) return &v;
  }
  return nullptr;
}

bool UnitGraph::IsCommune(const std::string& code) const {
  auto it = versions_.find(code);
  if (it == versions_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [](const UnitVersion& v) { return v.level == "commune"; });
}

std::optional<absl::CivilDay> UnitGraph::ReferenceDay(const std::string& code, absl::CivilDay date) const {
  if (Find(code, date) != nullptr) return date;
  auto it = versions_.find(code);
  if (it == versions_.end()) return std::nullopt;
  std::optional<absl::CivilDay> last_before, first_after;
  for (const auto& v : it->second) {
    if (v.valid_to && *v.valid_to < date && (!last_before || *v.valid_to > *last_before)) last_before = v.valid_to;
    if (v.valid_from && *v.valid_from > date && (!first_after || *v.valid_from < *first_after)) first_after = v.valid_from;
  }
  return last_before ? last_before : first_after;
}

std::string UnitGraph::UnitOn(const std::string& code, absl::CivilDay date) const {
  std::string cur = code;
  for (int i = 0; i < 5; ++i) {
    if (Find(cur, date)) return cur;
    auto it = successors_.find(cur);
    if (it == successors_.end()) return cur;
    const Succession* next = nullptr;
    for (const auto& e : it->second) {
      if (e.effective_date <= date && (next == nullptr || e.new_code < next->new_code)) next = &e;
    }
    if (next == nullptr) return cur;
    cur = next->new_code;
  }
  return cur;
}

std::string UnitGraph::AreaTypeOn(const std::string& code, absl::CivilDay date) const {
  const std::string unit = UnitOn(code, date);
  const UnitVersion* v = Find(unit, date);
  if (v == nullptr) return "";
  if (v->confirmed) return v->area_type;
  // The latest confirmed version of the same unit that began before this one.
  const UnitVersion* best = nullptr;
  for (const auto& o : versions_.at(unit)) {
    if (!o.confirmed || (o.valid_from && v->valid_from && *o.valid_from >= *v->valid_from)) continue;
    if (best == nullptr || (o.valid_from && (!best->valid_from || *o.valid_from > *best->valid_from))) best = &o;
  }
  return best != nullptr ? best->area_type : v->area_type;
}

bool UnitGraph::Within(const std::string& unit, const std::string& ancestor, absl::CivilDay date) const {
  std::string cur = unit;
  for (int depth = 0; depth < 6; ++depth) {
    if (cur == ancestor) return true;
    const UnitVersion* v = Find(cur, date);
    if (v == nullptr || v->parent_code.empty()) return false;
    cur = v->parent_code;
  }
  return false;
}

std::vector<std::string> UnitGraph::CommunesUnder(const std::string& ancestor, absl::CivilDay date) const {
  std::vector<std::string> out;
  for (const auto& [code, versions] : versions_) {
    if (!IsCommune(code)) continue;
    if (ancestor.empty() || Within(UnitOn(code, date), ancestor, date)) out.push_back(code);
  }
  return out;
}

std::vector<std::string> UnitGraph::UnitsUnder(const std::string& ancestor, absl::CivilDay date) const {
  std::vector<std::string> out;
  for (const auto& [code, versions] : versions_) {
    if (Within(UnitOn(code, date), ancestor, date)) out.push_back(code);
  }
  return out;
}

std::vector<std::string> UnitGraph::ChildrenOf(const std::string& parent, absl::CivilDay date) const {
  std::vector<std::string> out;
  for (const auto& code : UnitsUnder(parent, date)) {
    const UnitVersion* v = Find(code, date);
    if (v != nullptr && v->parent_code == parent) out.push_back(code);
  }
  return out;
}

std::string UnitGraph::Top(const std::string& code, absl::CivilDay date) const {
  std::string at = UnitOn(code, date);
  for (int depth = 0; depth < 8; ++depth) {
    const UnitVersion* v = Find(at, date);
    if (v == nullptr || v->parent_code.empty()) return at;
    at = v->parent_code;
  }
  return at;
}

std::vector<std::string> UnitGraph::Successors(const std::string& code) const {
  std::set<std::string> seen;
  std::vector<std::string> todo{code};
  while (!todo.empty()) {
    const std::string cur = todo.back();
    todo.pop_back();
    auto it = successors_.find(cur);
    if (it == successors_.end()) continue;
    for (const auto& e : it->second) {
      if (e.new_code != code && seen.insert(e.new_code).second) todo.push_back(e.new_code);
    }
  }
  return std::vector<std::string>(seen.begin(), seen.end());
}

}  // namespace lnob::scope
