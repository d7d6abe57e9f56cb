#ifndef LNOB_TESTS_SUPPORT_FAKE_REGISTRY_CLIENT_H_
#define LNOB_TESTS_SUPPORT_FAKE_REGISTRY_CLIENT_H_

// In-memory registry for funding tests: a small unit tree (FakeUnitDirectory), households with
// facts, a change feed, and a switch that makes every call UNAVAILABLE. Applies the caller's
// area scope to households with the registry's own rule (scope::AreaScope): outside it reads
// as not found.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/util/clock.h"
#include "services/funding/domain/funding_logic.h"
#include "services/funding/domain/registry_client.h"
#include "tests/support/fake_unit_directory.h"

namespace lnob::testing {

class FakeRegistryClient : public funding::RegistryClient {
 public:
  FakeRegistryClient() : scope_(&units_, RealClock::Get()) {}

  // The registry's unit directory, for the funding logic's own scope::AreaScope.
  FakeUnitDirectory* units() { return &units_; }

  void AddHousehold(const std::string& id, const std::string& commune, bool em, const std::string& cls,
                    const std::string& transition = "") {
    std::lock_guard<std::mutex> l(mu_);
    households_[id] = {true, commune, em, cls, transition, Escaped(transition)};
  }
  // The area classifications the registry reports for the household's commune/village.
  void SetRegions(const std::string& id, std::vector<std::string> regions) {
    std::lock_guard<std::mutex> l(mu_);
    households_[id].region_classes = std::move(regions);
  }
  void AddChange(funding::RegistryChange c) {
    std::lock_guard<std::mutex> l(mu_);
    changes_.push_back(std::move(c));
  }
  void set_available(bool a) {
    available_ = a;
    units_.set_available(a);
  }
  // The next Watch breaks (UNAVAILABLE) after delivering this many changes; -1 = never.
  void BreakWatchAfter(int n) { break_after_ = n; }

  absl::StatusOr<std::vector<funding::HouseholdFact>> Facts(
      const server::Call& call, const std::vector<std::pair<std::string, absl::CivilDay>>& queries) override {
    if (!available_) return absl::UnavailableError("registry down");
    std::lock_guard<std::mutex> l(mu_);
    std::vector<funding::HouseholdFact> out;
    for (const auto& q : queries) {
      auto it = households_.find(q.first);
      funding::HouseholdFact f;
      if (it != households_.end() && InScope(call, it->second.commune_code)) f = it->second;
      out.push_back(f);
    }
    return out;
  }

  absl::StatusOr<std::vector<std::string>> TransitionHouseholds(const server::Call& call, int year,
                                                                const std::string& unit_code,
                                                                const std::string& group) override {
    if (!available_) return absl::UnavailableError("registry down");
    if (group != "ESCAPED") return absl::InvalidArgumentError("unknown transition group " + group);
    std::lock_guard<std::mutex> l(mu_);
    std::vector<std::string> out;
    for (const auto& [id, f] : households_) {
      if (f.escaped && InScope(call, f.commune_code)) out.push_back(id);
    }
    return out;
  }

  // The registry's group ESCAPED (its migration 013_transition_groups.sql).
  static bool Escaped(const std::string& transition) {
    return transition == "ESCAPED_POOR" || transition == "POOR_TO_NEAR_POOR";
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
  bool InScope(const server::Call& call, const std::string& commune) {
    auto ok = scope_.Covers(call.principal, commune, absl::CivilDay(2025, 12, 31));
    return ok.ok() && *ok;
  }

  std::mutex mu_;
  FakeUnitDirectory units_;
  scope::AreaScope scope_;
  std::map<std::string, funding::HouseholdFact> households_;
  std::vector<funding::RegistryChange> changes_;
  std::atomic<bool> available_{true};
  std::atomic<int> break_after_{-1};
};

}  // namespace lnob::testing

#endif  // LNOB_TESTS_SUPPORT_FAKE_REGISTRY_CLIENT_H_
