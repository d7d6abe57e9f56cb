#ifndef LNOB_SERVICES_CAMPAIGNS_DOMAIN_FUNDING_CATALOGUE_H_
#define LNOB_SERVICES_CAMPAIGNS_DOMAIN_FUNDING_CATALOGUE_H_

// The campaigns service's view of funding's programme catalogue: which programme nodes and
// funding sources exist, so that a campaign's budget, an activity's spending and a support
// event name real ones. Free of gRPC: the implementation lives in peer/, tests use a fake.

#include <set>
#include <string>

#include "absl/status/statusor.h"

namespace lnob::campaigns {

struct CatalogueCodes {
  std::set<std::string> nodes;    // programme node codes (any placement period)
  std::set<std::string> sources;  // funding source codes
};

class FundingCatalogue {
 public:
  virtual ~FundingCatalogue() = default;
  // UNAVAILABLE when funding cannot answer (nothing is recorded unchecked).
  virtual absl::StatusOr<CatalogueCodes> Codes() = 0;
};

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_DOMAIN_FUNDING_CATALOGUE_H_
