#ifndef LNOB_COMMON_PEER_HOUSEHOLD_FACTS_H_
#define LNOB_COMMON_PEER_HOUSEHOLD_FACTS_H_

// The registry's facts of many households on one date (BatchGetHouseholdFacts), asked 1,000
// per call with the caller's token: what funding's ledger, inspection's findings and awards'
// evidence read. Included only by peer implementations.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/peer/peer_config.h"
#include "common/server/call.h"
#include "lnob/registry/v1/households.pb.h"

namespace lnob::peer {

class HouseholdFactsClient {
 public:
  explicit HouseholdFactsClient(PeerConfig config);
  ~HouseholdFactsClient();

  struct Facts {
    std::vector<registry::v1::HouseholdFact> facts;  // one per name, in order
    int64_t cursor = 0;  // the registry's change-feed cursor read before the first batch
  };
  // UNAVAILABLE naming the registry when it cannot answer.
  absl::StatusOr<Facts> Fetch(const server::Call& call, const std::vector<std::string>& names, absl::CivilDay on);

 private:
  struct Stub;
  PeerConfig config_;
  std::unique_ptr<Stub> stub_;
};

}  // namespace lnob::peer

#endif  // LNOB_COMMON_PEER_HOUSEHOLD_FACTS_H_
