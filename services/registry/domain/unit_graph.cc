#include "services/registry/domain/unit_graph.h"

#include <algorithm>

namespace lnob::registry {

UnitGraph::UnitGraph(std::vector<UnitVersion> units, std::vector<LineageRow> lineage) {
  for (auto& u : units) versions_[u.code].push_back(std::move(u));
  for (auto& e : lineage) {
    if (!e.new_code.empty() && e.new_code != e.old_code) successors_[e.old_code].push_back(std::move(e));
  }
  for (auto& [code, events] : successors_) {
    std::sort(events.begin(), events.end(), [](const LineageRow& a, const LineageRow& b) {
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

std::string UnitGraph::UnitOn(const std::string& code, absl::CivilDay date) const {
  std::string cur = code;
  for (int i = 0; i < 5; ++i) {
    if (Find(cur, date)) return cur;
    auto it = successors_.find(cur);
    if (it == successors_.end()) return cur;
    const LineageRow* next = nullptr;
    for (const auto& e : it->second) {
      if (e.effective_date <= date && (next == nullptr || e.new_code < next->new_code)) next = &e;
    }
    if (next == nullptr) return cur;
    cur = next->new_code;
  }
  return cur;
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
    const bool commune = std::any_of(versions.begin(), versions.end(),
                                     [](const UnitVersion& v) { return v.level == "commune"; });
    if (!commune) continue;
    if (ancestor.empty() || Within(UnitOn(code, date), ancestor, date)) out.push_back(code);
  }
  return out;
}

}  // namespace lnob::registry
