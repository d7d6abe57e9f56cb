#include "common/util/date.h"

#include "absl/strings/str_format.h"

namespace lnob {

absl::TimeZone ProvinceTimeZone() { return absl::FixedTimeZone(7 * 3600); }

absl::CivilDay Today(absl::Time now) { return absl::ToCivilDay(now, ProvinceTimeZone()); }

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text) {
  int y, m, d;
  char tail;
  if (text.size() != 10 ||
      std::sscanf(std::string(text).c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) {
    return absl::InvalidArgumentError("expected a date as YYYY-MM-DD");
  }
  absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) {
    return absl::InvalidArgumentError("no such calendar date");
  }
  return day;
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

std::string FormatTimestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

}  // namespace lnob
