#ifndef LNOB_COMMON_API_PERIOD_H_
#define LNOB_COMMON_API_PERIOD_H_

// Reporting periods (lnob.common.v1.Period): month, quarter, half year, year, as day ranges.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "lnob/common/v1/period.pb.h"

namespace lnob::api {

struct DayRange {
  absl::CivilDay first;
  absl::CivilDay last;  // inclusive
  bool whole_year = false;
};

// The days of a period; INVALID_ARGUMENT naming `field` (e.g. "period.index") otherwise.
absl::StatusOr<DayRange> ResolvePeriod(const common::v1::Period& p, absl::string_view field);
// "2025", "2025-Q3", "2025-H1", "2025-07".
std::string PeriodLabel(const common::v1::Period& p);
// The period of such a label; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<common::v1::Period> ParsePeriodLabel(absl::string_view label, absl::string_view field);

}  // namespace lnob::api

#endif  // LNOB_COMMON_API_PERIOD_H_
