#ifndef LNOB_COMMON_UTIL_DATE_H_
#define LNOB_COMMON_UTIL_DATE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace lnob {

// Calendar dates in the province's time zone (Asia/Ho_Chi_Minh, UTC+7 without DST).
absl::TimeZone ProvinceTimeZone();
absl::CivilDay Today(absl::Time now);

// Strict "YYYY-MM-DD"; rejects 2025-02-30.
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text);
std::string FormatDate(absl::CivilDay day);
// RFC 3339 UTC timestamp with milliseconds.
std::string FormatTimestamp(absl::Time t);

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_DATE_H_
