#ifndef LNOB_TESTS_SUPPORT_FAKE_REGISTRY_CLIENT_H_
#define LNOB_TESTS_SUPPORT_FAKE_REGISTRY_CLIENT_H_

// In-memory registry for funding tests: a small unit tree, households with facts, a change
// feed, and a switch that makes every call UNAVAILABLE. Applies the caller's area scope to
// households the way the registry does (outside it reads as not found).

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "services/funding/domain/funding_logic.h"
#include "services/funding/domain/registry_client.h"

namespace lnob::testing {

class FakeRegistryClient : public funding::RegistryClient {
 public:
  FakeRegistryClient() {
    // Province 70; districts 689 and 688; one commune in each.
    units_ = {{"70", "", 1}, {"689", "70", 2}, {"688", "70", 2}, {"25195", "689", 3}, {"25216", "688", 3}};
  }

  void AddHousehold(const std::string& id, const std::string& commune, bool em, const std::string& cls,
                    const std::string& transition = "") {
    std::lock_guard<std::mutex> l(mu_);
    households_[id] = {true, commune, em, cls, transition};
  }
  void AddChange(funding::RegistryChange c) {
    std::lock_guard<std::mutex> l(mu_);
    changes_.push_back(std::move(c));
  }
  void set_available(bool a) { available_ = a; }
  // The next Watch breaks (UNAVAILABLE) after delivering this many changes; -1 = never.
  void BreakWatchAfter(int n) { break_after_ = n; }

  absl::StatusOr<std::vector<funding::HouseholdFact>> Facts(
      const server::Call& call, const std::vector<std::pair<std::string, absl::CivilDay>>& queries) override {
    if (!available_) return absl::UnavailableError("registry down");
    funding::UnitIndex index(units_);
    std::lock_guard<std::mutex> l(mu_);
    std::vector<funding::HouseholdFact> out;
    for (const auto& q : queries) {
      auto it = households_.find(q.first);
      funding::HouseholdFact f;
      if (it != households_.end() && InScope(index, call, it->second.commune_code)) f = it->second;
      out.push_back(f);
    }
    return out;
  }

  absl::StatusOr<std::vector<std::string>> TransitionHouseholds(const server::Call& call, int year,
                                                                const std::string& unit_code,
                                                                const std::vector<std::string>& categories) override {
    if (!available_) return absl::UnavailableError("registry down");
    funding::UnitIndex index(units_);
    std::lock_guard<std::mutex> l(mu_);
    std::vector<std::string> out;
    for (const auto& [id, f] : households_) {
      for (const auto& c : categories) {
        if (f.transition == c && InScope(index, call, f.commune_code)) out.push_back(id);
      }
    }
    return out;
  }

  absl::StatusOr<std::vector<funding::UnitInfo>> Units(absl::CivilDay) override {
    if (!available_) return absl::UnavailableError("registry down");
    return units_;
  }

  absl::Status Watch(int64_t from, const std::function<bool(const funding::RegistryChange&)>& sink,
                     const std::function<bool()>& stop) override {
    if (!available_) return absl::UnavailableError("registry down");
    std::vector<funding::RegistryChange> todo;
    {
      std::lock_guard<std::mutex> l(mu_);
      for (const auto& c : changes_) {
        if (c.cursor > from) todo.push_back(c);
      }
    }
    int delivered = 0;
    for (const auto& c : todo) {
      if (break_after_ >= 0 && delivered == break_after_) {
        break_after_ = -1;
        return absl::UnavailableError("stream broken");
      }
      if (stop() || !sink(c)) return absl::OkStatus();
      ++delivered;
    }
    return absl::OkStatus();
  }

 private:
  static bool InScope(const funding::UnitIndex& index, const server::Call& call, const std::string& commune) {
    if (call.principal.scope.whole_province()) return true;
    for (const auto& s : call.principal.scope.unit_codes) {
      if (index.Under(commune, s)) return true;
    }
    return false;
  }

  std::mutex mu_;
  std::vector<funding::UnitInfo> units_;
  std::map<std::string, funding::HouseholdFact> households_;
  std::vector<funding::RegistryChange> changes_;
  std::atomic<bool> available_{true};
  std::atomic<int> break_after_{-1};
};

}  // namespace lnob::testing

#endif  // LNOB_TESTS_SUPPORT_FAKE_REGISTRY_CLIENT_H_
