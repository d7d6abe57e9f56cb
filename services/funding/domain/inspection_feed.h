#ifndef LNOB_SERVICES_FUNDING_DOMAIN_INSPECTION_FEED_H_
#define LNOB_SERVICES_FUNDING_DOMAIN_INSPECTION_FEED_H_

// What funding reads from the inspection service: its change feed, for the holds findings
// place on support lines and the money recovered under financial recommendations. Free of
// gRPC: the implementation lives in peer/, tests use a fake. Read with funding's own token.

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace lnob::funding {

inline constexpr char kInspectionFeed[] = "inspection.findings";

// One change of inspection's feed; kinds other than these three only move the cursor.
struct InspectionChange {
  int64_t cursor = 0;
  std::string kind;          // HOLD_PLACED, HOLD_LIFTED, RECOVERY_RECORDED, ...
  std::string resource;      // findings/{uuid} (holds), recoveries/{id} (recoveries)
  std::string line_id;       // holds: the support line's uuid
  std::string source, node_code, unit_code;  // recoveries
  std::string day;           // YYYY-MM-DD: the finding's or the recovery's date
  int64_t amount_vnd = 0;    // recoveries
  absl::Time event_time = absl::InfinitePast();
};

class InspectionFeed {
 public:
  virtual ~InspectionFeed() = default;
  // Delivers changes with cursor > from until sink returns false, stop() turns true or the
  // stream breaks (the error is returned; the caller reconnects).
  virtual absl::Status Watch(int64_t from, const std::function<bool(const InspectionChange&)>& sink,
                             const std::function<bool()>& stop) = 0;
};

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_DOMAIN_INSPECTION_FEED_H_
