#ifndef LNOB_SERVICES_FUNDING_DOMAIN_FUNDING_SHARED_H_
#define LNOB_SERVICES_FUNDING_DOMAIN_FUNDING_SHARED_H_

// What the three funding use-case classes (CatalogueLogic, FundingLogic, SupportLogic, one
// per proto service) share: the store and peers, unit resolution and area scope, and the
// cached catalogue (one copy, so a catalogue write is seen by every use case at once).

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/api/page_token.h"
#include "common/auth/principal.h"
#include "common/server/call.h"
#include "common/scope/area_scope.h"
#include "common/util/clock.h"
#include "services/funding/domain/registry_client.h"
#include "services/funding/store/funding_store.h"

namespace lnob::funding {

inline constexpr char kDefaultProgramme[] = "PROG_BP_1000_EM_HH";

// INVALID_ARGUMENT naming `field` unless 2000 <= year <= 2100.
absl::Status CheckYear(int year, absl::string_view field);

// FAILED_PRECONDITION HELD naming `field` and the findings while inspection holds the line
// (docs/inspection.md): it is not delivered, paid or cancelled until every hold is lifted.
absl::Status NotHeld(const v1::SupportLine& line, absl::string_view field);

// The funding service's three stores, one per proto service.
struct FundingStores {
  CatalogueStore* catalogue;
  LedgerStore* ledger;
  SupportStore* support;
};

class FundingShared {
 public:
  FundingShared(FundingStores stores, RegistryClient* registry, scope::AreaScope* scope, api::PageTokenCodec tokens,
                const Clock& clock)
      : catalogue(stores.catalogue),
        ledger(stores.ledger),
        support(stores.support),
        registry(registry),
        scope(scope),
        tokens(std::move(tokens)),
        clock(clock) {}

  struct Catalogue {
    std::set<std::string> sources;
    std::map<std::string, std::set<std::string>> contents;
    std::map<int, std::set<std::string>> nodes_by_year;  // nodes placed on 31 Dec of the year
  };

  absl::CivilDay Today() const;
  // The unit as in force on 1 January or else 31 December of the year.
  absl::StatusOr<UnitInfo> ResolveUnit(const std::string& code, int year, const std::string& field);
  absl::StatusOr<bool> InScope(const auth::Principal& p, const std::string& unit, int year);
  absl::Status RequireScope(const auth::Principal& p, const std::string& unit, int year, const std::string& field);
  // Units a list/report may cover: under `unit` (checked against the scope) or the scope.
  absl::StatusOr<UnitFilter> ScopeFilter(const auth::Principal& p, const std::string& unit, int year,
                                         const std::string& field);
  // A copy of the cached catalogue (reloaded after a while or a catalogue write).
  absl::StatusOr<Catalogue> LoadCatalogue();
  void ForgetCatalogue();
  absl::Status CheckNode(Catalogue& cat, const std::string& code, int year, const std::string& field);
  // A support line the caller may see (NOT_FOUND otherwise, whether or not it exists).
  absl::StatusOr<v1::SupportLine> VisibleLine(const server::Call& c, const std::string& name, const std::string& field);

  CatalogueStore* const catalogue;
  LedgerStore* const ledger;
  SupportStore* const support;
  RegistryClient* const registry;
  scope::AreaScope* const scope;
  const api::PageTokenCodec tokens;
  const Clock& clock;

 private:
  std::mutex mu_;
  std::shared_ptr<Catalogue> catalogue_;  // guarded by mu_, read only as copies
  absl::Time catalogue_loaded_ = absl::InfinitePast();
};

using Catalogue = FundingShared::Catalogue;

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_DOMAIN_FUNDING_SHARED_H_
